// plumb kernels: the interface every conversion kernel under test implements,
// and the registry that suites, benches and `plumb` all read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/rounding.hpp"

namespace plumb::kernels {

enum class Device : uint8_t { cpu, cuda };
inline const char* device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }

enum class KernelStatus : uint8_t {
  ok,
  not_supported,  // the kernel does not implement this format / mode / policy
  error,          // the kernel failed (message says why)
};

struct ConvertArgs {
  FormatDesc from;
  FormatDesc to;
  RoundingSpec spec;
};

// Converts n codes of args.from (host array, from.storage_bytes() each) into
// codes of args.to (host array, to.storage_bytes() each). flags (n bytes) may
// be null; rbits (n words, the stochastic-rounding bits of each element) is
// non-null exactly when spec.rounding is stochastic. On error, *message says
// what went wrong.
using ConvertFn = KernelStatus (*)(const ConvertArgs& args, const void* in, void* out,
                                   uint8_t* flags, size_t n, const uint32_t* rbits,
                                   std::string* message);

// How the suites judge a kernel's results.
enum class Judged : uint8_t {
  exact,        // codes and flags, bit for bit against the oracle (plumb's own kernels)
  cuda_vendor,  // NVIDIA's conversions: codes only (they report no flags); every
                // difference from the oracle must be of a class that
                // docs/VENDOR_DIFFERENCES.md documents for CUDA (suites/support
                // vendor_differences.hpp), else the cell is incorrect
};

struct ConvertKernel {
  const char* name;
  Device device;
  const char* description;
  ConvertFn fn;
  bool planted_bug;  // a deliberately wrong kernel that the suites must catch
  Judged judged = Judged::exact;
};

// Every conversion kernel built into this binary (kernels/registry/convert.inc,
// plus kernels/registry/convert_cuda.inc when CUDA is built).
const std::vector<ConvertKernel>& convert_kernels();
// nullptr when no kernel has that name.
const ConvertKernel* find_convert_kernel(const std::string& name);

// True when this build contains the CUDA kernels.
bool cuda_built();
// Number of usable CUDA devices (0 without a GPU, without a driver, or in a
// CPU-only build). Never throws; any CUDA error counts as "no GPU".
int cuda_device_count();

// Storage helpers for code arrays.
inline uint64_t load_code(const void* base, int bytes, size_t i) {
  switch (bytes) {
    case 1: return static_cast<const uint8_t*>(base)[i];
    case 2: return static_cast<const uint16_t*>(base)[i];
    case 4: return static_cast<const uint32_t*>(base)[i];
    default: return static_cast<const uint64_t*>(base)[i];
  }
}
inline void store_code(void* base, int bytes, size_t i, uint64_t code) {
  switch (bytes) {
    case 1: static_cast<uint8_t*>(base)[i] = static_cast<uint8_t>(code); break;
    case 2: static_cast<uint16_t*>(base)[i] = static_cast<uint16_t>(code); break;
    case 4: static_cast<uint32_t*>(base)[i] = static_cast<uint32_t>(code); break;
    default: static_cast<uint64_t*>(base)[i] = code; break;
  }
}

}  // namespace plumb::kernels
