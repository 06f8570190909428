// plumb harness: the quantisation-error measurement behind `plumb quant-error`
// and the report's "Quantisation error" section. Every block format, under
// its own scale rule and the alternative worth comparing, with and without
// the 16x16 random Hadamard transform, quantised and dequantised by a block
// kernel (cpu_block) on seeded Gaussian, Laplace and Student-t tensors.
//
// Metrics of one measurement (x: the input, y: dequantise(quantise(x)), n
// elements; sums in double, in element order, so a rerun gives the same bits):
//   mse           = sum (y - x)^2 / n
//   mean_square   = sum x^2 / n             (of the input; rms = sqrt of it)
//   nmse          = mse / mean_square       (SQNR in dB = -10 log10 nmse)
//   max_rel_error = max |y - x| / |x| over the elements with |x| >= floor,
//                   floor = kRelErrorFloor * rms (so that 0/0 never occurs)
//   flushed       = elements with x != 0 and y == 0
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "plumb/formats/block_format.hpp"
#include "plumb/formats/block_names.hpp"
#include "quant_inputs.hpp"

namespace plumb::harness {

inline constexpr double kRelErrorFloor = 1e-3;  // times the input's rms

// One block format under one scale rule.
struct QuantVariant {
  std::string format;  // block format name: mxfp8_e4m3, ..., nvint4
  BlockFormat desc;    // with desc.rule the rule measured
  bool default_rule;   // the format's own rule (floor for MX, nv_te for NV)
};

// Every named block format under its own rule and the alternative (MX: rceil,
// NV: nv_exact), or only the formats named (each with both rules; names and
// aliases of block_names.hpp). Throws std::runtime_error for an unknown name,
// listing the valid ones.
std::vector<QuantVariant> quant_variants(const std::vector<std::string>& format_names);
// The names of the block formats measured by default, in order.
std::vector<std::string> quant_format_names();

struct QuantMeasurement {
  QuantVariant variant;
  InputDistribution distribution;
  bool hadamard = false;
  bool ok = false;      // false: the kernel refused or failed (message says why)
  std::string message;
  size_t elements = 0;
  double mse = 0, mean_square = 0, nmse = 0, max_rel_error = 0;
  size_t max_rel_index = 0;  // where max_rel_error occurs (row-major index)
  float max_rel_x = 0, max_rel_y = 0;
  size_t flushed = 0, nonfinite = 0;  // nonfinite outputs make ok false
};

struct QuantErrorOptions {
  uint64_t seed = 1;
  size_t rows = 1024, cols = 1024;
  std::vector<std::string> formats;                // empty: all
  std::vector<InputDistribution> distributions;    // empty: all
  std::string kernel = "cpu_block";
  unsigned threads = 0;                            // 0: the machine's cores
  std::function<void(size_t done, size_t total)> on_progress;  // may be empty
};

// The Hadamard signs' seed used for seed S (recorded in the result).
uint64_t hadamard_seed_for(uint64_t seed);

// Runs every (variant, distribution, hadamard) measurement. The result is in
// a fixed order (variant, distribution, without then with Hadamard) whatever
// the thread count. Throws std::runtime_error for bad options (unknown kernel,
// cols not a multiple of 16).
std::vector<QuantMeasurement> measure_quant_error(const QuantErrorOptions& options);

// The metrics of y against x (exposed for tests and for other callers).
void compute_quant_metrics(const std::vector<float>& x, const std::vector<float>& y, QuantMeasurement& m);

}  // namespace plumb::harness
