// plumb harness: plugin kernels as registry entries (plugin_registry.hpp).
#include "plugin_registry.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include "plugin_abi_args.hpp"
#include "plumb/checks/check_convert.hpp"
#include "plumb/checks/verdict.hpp"
#include "plumb/formats/format_names.hpp"

namespace plumb::harness {

namespace {

using kernels::KernelStatus;

struct Adapted {
  const PluginKernel* kernel;
  IsolationOptions options;
  const char* name() const { return kernel->desc.name; }
};

PluginRegistry& registry() {
  static PluginRegistry r;
  return r;
}
std::deque<Adapted>& adapted() {
  static std::deque<Adapted> list;
  return list;
}

KernelStatus to_status(plumb_plugin_status s) {
  return s == PLUMB_STATUS_OK ? KernelStatus::ok
         : s == PLUMB_STATUS_NOT_SUPPORTED ? KernelStatus::not_supported
                                           : KernelStatus::error;
}

// Runs one plugin call isolated; maps its status and message.
KernelStatus call(const Adapted& a, const std::string& cell, const std::vector<OutputBuffer>& outputs,
                  const IsolatedBody& body, std::string* message) {
  std::string text;
  const auto status = to_status(run_isolated(a.options, a.name(), cell, outputs, body, &text));
  if (message) *message = text;
  return status;
}

// Cells outside the kernel's declared formats: not_supported without a call.
bool declines(const Adapted& a, std::initializer_list<std::string> formats, std::string* message) {
  for (const auto& f : formats)
    if (!a.kernel->takes(f)) {
      if (message) *message = "plugin kernel takes " + a.kernel->formats_text() + ", not " + f;
      return true;
    }
  return false;
}

std::string count_text(size_t n, const char* what) { return std::to_string(n) + " " + what; }

KernelStatus call_convert(const Adapted& a, const kernels::ConvertArgs& args, const void* in, void* out,
                          uint8_t* flags, size_t n, const uint32_t* rbits, std::string* message) {
  const auto c = c_convert_args(args);
  if (declines(a, {c.from.name, c.to.name}, message)) return KernelStatus::not_supported;
  std::vector<uint8_t> scratch_flags(flags ? 0 : n);
  if (!flags) flags = scratch_flags.data();
  std::string cell = std::string(c.from.name) + "->" + c.to.name + " " + checks::rounding_name(args.spec.rounding) +
                     "/" + checks::overflow_name(args.spec.overflow) + " (" + count_text(n, "cases") + ")";
  const auto fn = a.kernel->desc.convert;
  return call(a, cell, {{out, n * c.to.storage_bytes, "out"}, {flags, n, "flags"}},
              [&](void* const* o, plumb_plugin_message m) {
                return fn(&c, in, o[0], static_cast<uint8_t*>(o[1]), n, rbits, m);
              },
              message);
}

KernelStatus call_quantize(const Adapted& a, const BlockFormat& f, const BlockOptions& o, const float* x,
                           size_t rows, size_t cols, uint8_t* elements, uint8_t* scales, float* tensor_scale,
                           std::string* message) {
  const auto c = c_block_args(f, o, rows, cols);
  if (declines(a, {c.name}, message)) return KernelStatus::not_supported;
  float scratch_scale = 1.0f;
  if (!tensor_scale) tensor_scale = &scratch_scale;
  const std::string cell = std::string("quantize ") + c.name + " " + std::to_string(rows) + "x" + std::to_string(cols);
  const auto fn = a.kernel->desc.quantize;
  return call(a, cell,
              {{elements, rows * cols, "elements"},
               {scales, c.scale_rows * c.scale_cols, "scales"},
               {tensor_scale, sizeof(float), "tensor_scale"}},
              [&](void* const* out, plumb_plugin_message m) {
                return fn(&c, x, rows, cols, static_cast<uint8_t*>(out[0]), static_cast<uint8_t*>(out[1]),
                          static_cast<float*>(out[2]), m);
              },
              message);
}

KernelStatus call_dequantize(const Adapted& a, const BlockFormat& f, const BlockOptions& o, const uint8_t* elements,
                             const uint8_t* scales, float tensor_scale, size_t rows, size_t cols, float* out,
                             std::string* message) {
  const auto c = c_block_args(f, o, rows, cols);
  if (declines(a, {c.name}, message)) return KernelStatus::not_supported;
  const std::string cell = std::string("dequantize ") + c.name + " " + std::to_string(rows) + "x" + std::to_string(cols);
  const auto fn = a.kernel->desc.dequantize;
  return call(a, cell, {{out, rows * cols * sizeof(float), "out"}},
              [&](void* const* o2, plumb_plugin_message m) {
                return fn(&c, elements, scales, tensor_scale, rows, cols, static_cast<float*>(o2[0]), m);
              },
              message);
}

KernelStatus call_softmax(const Adapted& a, const FormatDesc& in_format, const FormatDesc& out_format, const void* in,
                          void* out, size_t rows, size_t cols, std::string* message) {
  const auto fin = c_format(in_format), fout = c_format(out_format);
  if (declines(a, {fin.name, fout.name}, message)) return KernelStatus::not_supported;
  const std::string cell = std::string(fin.name) + " " + std::to_string(rows) + "x" + std::to_string(cols);
  const auto fn = a.kernel->desc.softmax;
  return call(a, cell, {{out, rows * cols * fout.storage_bytes, "out"}},
              [&](void* const* o, plumb_plugin_message m) { return fn(&fin, &fout, in, o[0], rows, cols, m); },
              message);
}

std::string lmul_cell(const char* what, const plumb_plugin_lmul_args& c, const kernels::LmulArgs& args) {
  return std::string(what) + " " + c.format.name + " " + lmul_carry_name(args.spec.carry) + "/" +
         lmul_subnormals_name(args.spec.subnormals) + "/" + checks::overflow_name(args.spec.overflow);
}

KernelStatus no_lmul_function(const char* what, std::string* message) {
  if (message) *message = std::string("plugin kernel has no lmul_") + what;
  return KernelStatus::not_supported;
}

KernelStatus call_lmul_elementwise(const Adapted& a, const kernels::LmulArgs& args, const void* x, const void* y,
                                   void* out, size_t n, std::string* message) {
  const auto fn = a.kernel->desc.lmul_elementwise;
  if (!fn) return no_lmul_function("elementwise", message);
  const auto c = c_lmul_args(args);
  if (declines(a, {c.format.name}, message)) return KernelStatus::not_supported;
  return call(a, lmul_cell("elementwise", c, args) + " (" + count_text(n, "pairs") + ")",
              {{out, n * c.format.storage_bytes, "out"}},
              [&](void* const* o, plumb_plugin_message m) { return fn(&c, x, y, o[0], n, m); }, message);
}

KernelStatus call_lmul_dot(const Adapted& a, const kernels::LmulArgs& args, const void* x, const void* y, size_t n,
                           float* out, std::string* message) {
  const auto fn = a.kernel->desc.lmul_dot;
  if (!fn) return no_lmul_function("dot", message);
  const auto c = c_lmul_args(args);
  if (declines(a, {c.format.name}, message)) return KernelStatus::not_supported;
  return call(a, lmul_cell("dot", c, args) + " (k=" + std::to_string(n) + ")", {{out, sizeof(float), "out"}},
              [&](void* const* o, plumb_plugin_message m) { return fn(&c, x, y, n, static_cast<float*>(o[0]), m); },
              message);
}

KernelStatus call_lmul_gemm(const Adapted& a, const kernels::LmulArgs& args, const void* x, const void* y, size_t m,
                            size_t n, size_t k, float* c_out, std::string* message) {
  const auto fn = a.kernel->desc.lmul_gemm;
  if (!fn) return no_lmul_function("gemm", message);
  const auto c = c_lmul_args(args);
  if (declines(a, {c.format.name}, message)) return KernelStatus::not_supported;
  const std::string shape = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
  return call(a, lmul_cell("gemm", c, args) + " " + shape, {{c_out, m * n * sizeof(float), "c"}},
              [&](void* const* o, plumb_plugin_message msg) {
                return fn(&c, x, y, m, n, k, static_cast<float*>(o[0]), msg);
              },
              message);
}

KernelStatus call_gemm(const Adapted& a, const kernels::GemmArgs& args, float* c_f32, int32_t* c_i32,
                       std::string* message) {
  const char* kind = kernels::gemm_kind_name(args.kind);
  if (declines(a, {kind}, message)) return KernelStatus::not_supported;
  const auto c = c_gemm_args(args);
  const bool int_out = args.kind == kernels::GemmKind::int8;
  void* c_out = int_out ? static_cast<void*>(c_i32) : static_cast<void*>(c_f32);
  if (!c_out) {
    if (message) *message = "no output array for this operand kind";
    return KernelStatus::error;
  }
  const std::string cell = std::string(kind) + " " + std::to_string(args.m) + "x" + std::to_string(args.n) + "x" +
                           std::to_string(args.k);
  const auto fn = a.kernel->desc.gemm;
  return call(a, cell, {{c_out, args.m * args.n * 4, "c"}},
              [&](void* const* o, plumb_plugin_message m) {
                return fn(&c, int_out ? nullptr : static_cast<float*>(o[0]),
                          int_out ? static_cast<int32_t*>(o[0]) : nullptr, m);
              },
              message);
}

// A fixed pool of stateless trampolines for one kernel function type: slot I
// calls Call with the Adapted kernel claimed for I.
template <auto Call, class... A>
class Slots {
 public:
  using Fn = KernelStatus (*)(A...);
  static Fn claim(const Adapted* a, const char* op) {
    if (used_ == kPluginSlotsPerOp)
      throw std::runtime_error(std::string("plugins: more than ") + std::to_string(kPluginSlotsPerOp) + " " + op +
                               " kernels");
    static const auto fns = table(std::make_index_sequence<kPluginSlotsPerOp>{});
    owners_[used_] = a;
    return fns[used_++];
  }

 private:
  template <size_t I>
  static KernelStatus slot(A... args) { return Call(*owners_[I], args...); }
  template <size_t... I>
  static std::array<Fn, sizeof...(I)> table(std::index_sequence<I...>) { return {&slot<I>...}; }
  static inline std::array<const Adapted*, kPluginSlotsPerOp> owners_{};
  static inline size_t used_ = 0;
};

using ConvertSlots = Slots<&call_convert, const kernels::ConvertArgs&, const void*, void*, uint8_t*, size_t,
                           const uint32_t*, std::string*>;
using QuantizeSlots = Slots<&call_quantize, const BlockFormat&, const BlockOptions&, const float*, size_t, size_t,
                            uint8_t*, uint8_t*, float*, std::string*>;
using DequantizeSlots = Slots<&call_dequantize, const BlockFormat&, const BlockOptions&, const uint8_t*,
                              const uint8_t*, float, size_t, size_t, float*, std::string*>;
using SoftmaxSlots = Slots<&call_softmax, const FormatDesc&, const FormatDesc&, const void*, void*, size_t, size_t,
                           std::string*>;
using LmulElementwiseSlots =
    Slots<&call_lmul_elementwise, const kernels::LmulArgs&, const void*, const void*, void*, size_t, std::string*>;
using LmulDotSlots =
    Slots<&call_lmul_dot, const kernels::LmulArgs&, const void*, const void*, size_t, float*, std::string*>;
using LmulGemmSlots = Slots<&call_lmul_gemm, const kernels::LmulArgs&, const void*, const void*, size_t, size_t,
                            size_t, float*, std::string*>;
using GemmSlots = Slots<&call_gemm, const kernels::GemmArgs&, float*, int32_t*, std::string*>;

bool name_taken(const std::string& name) {
  if (checks::find_kernel(name) || kernels::find_block_kernel(name) || kernels::find_softmax_kernel(name) ||
      kernels::find_lmul_kernel(name) || kernels::find_gemm_kernel(name))
    return true;
  for (const auto* k : registry().sources)
    if (name == k->desc.name) return true;
  return false;
}

void add(PluginRegistry& r, const Adapted* a) {
  const auto& d = a->kernel->desc;
  const auto device = d.device == PLUMB_DEVICE_CUDA ? kernels::Device::cuda : kernels::Device::cpu;
  const bool planted = d.planted_bug != 0;
  const char* description = d.description ? d.description : "plugin kernel";
  switch (d.op) {
    case PLUMB_OP_CONVERT:
      r.convert.push_back({d.name, device, description, ConvertSlots::claim(a, "convert"), planted});
      break;
    case PLUMB_OP_BLOCK_QUANTIZE:
      r.block.push_back({d.name, device, description, QuantizeSlots::claim(a, "block"),
                         DequantizeSlots::claim(a, "block"), planted});
      break;
    case PLUMB_OP_SOFTMAX: {
      const kernels::SoftmaxErrorModel model{static_cast<kernels::SoftmaxAlgorithm>(d.softmax_algorithm),
                                             static_cast<int>(d.softmax_lanes), static_cast<int>(d.softmax_fp32_block)};
      r.softmax.push_back({d.name, device, description, SoftmaxSlots::claim(a, "softmax"), model,
                           d.softmax_safe != 0, planted});
      break;
    }
    case PLUMB_OP_LMUL:
      r.lmul.push_back({d.name, device, description, LmulElementwiseSlots::claim(a, "lmul"),
                        LmulDotSlots::claim(a, "lmul"), LmulGemmSlots::claim(a, "lmul"), planted});
      break;
    case PLUMB_OP_GEMM:
      r.gemm.push_back({d.name, device, description, GemmSlots::claim(a, "gemm"), planted, nullptr,
                        d.gemm_accumulator_bits ? static_cast<int>(d.gemm_accumulator_bits) : 24});
      break;
  }
  r.sources.push_back(a->kernel);
}

}  // namespace

const PluginRegistry& register_plugin(const LoadedPlugin& plugin, const IsolationOptions& options) {
  for (const auto& k : plugin.kernels)
    if (name_taken(k.desc.name))
      throw std::runtime_error("plugin " + plugin.path + ": kernel name " + k.desc.name +
                               " is already taken (a built-in kernel or another plugin's)");
  for (const auto& k : plugin.kernels) {
    IsolationOptions o = options;
    // A forked child cannot use CUDA once plumb's process has initialised it.
    if (k.desc.device == PLUMB_DEVICE_CUDA) o.in_process = true;
    adapted().push_back({&k, o});
    add(registry(), &adapted().back());
  }
  return registry();
}

const PluginRegistry& plugin_registry() { return registry(); }

}  // namespace plumb::harness
