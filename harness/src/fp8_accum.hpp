// plumb harness: the fp8 accumulation study (`plumb fp8-accum`,
// docs/GEMM_SEMANTICS.md "fp8 accumulation"). For K in a list, seeded e4m3fn
// operands (A: m x K, B: n x K, the K-prefixes of one m x Kmax and n x Kmax
// draw) go through the GPU's fp8 GEMMs (cuBLASLt with and without fast
// accumulation, and fast accumulation over K-chunks of N summed in fp32 on
// the host) and through the accumulator models of accum_model.hpp; every
// output is compared with the exact reference (reference/exact_gemm). Then
// the fit: the model (precision, rounding) whose error curve is closest to
// each measured one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "accum_model.hpp"

namespace plumb::harness {

enum class Fp8Inputs : uint8_t {
  positive_uniform,  // U(0, 1) rounded to e4m3fn: every product >= 0, the sum grows linearly in K
  gaussian,          // N(0, 1) rounded to e4m3fn: zero-mean products, the sum grows like sqrt(K)
};
const char* fp8_inputs_name(Fp8Inputs d);
const char* fp8_inputs_description(Fp8Inputs d);

// rows x k e4m3fn codes (row-major) and their values, from seed and the
// distribution (the portable generator of quant_inputs.hpp, rounded nearest
// even with saturation).
struct Fp8Matrix {
  size_t rows = 0, k = 0;
  std::vector<uint8_t> codes;
  std::vector<float> values;  // exact: every e4m3fn value is an fp32
};
Fp8Matrix make_fp8_matrix(Fp8Inputs d, uint64_t seed, size_t rows, size_t k);
// Columns [c0, c1) of every row, as a rows x (c1 - c0) matrix (codes only
// when with_values is false).
Fp8Matrix fp8_columns(const Fp8Matrix& x, size_t c0, size_t c1, bool with_values = true);

struct Fp8AccumConfig {
  uint64_t seed = 1;
  size_t m = 64, n = 64;
  std::vector<size_t> k_values;  // ascending, each a multiple of 16
  size_t promote_every = 128;
  std::vector<int> precisions;  // of the models (default 10..24)
  std::vector<size_t> groups{1};  // products per rounded addition in the models (default 1: one at a time)
  size_t compared_outputs = 4096;  // outputs (spread over m x n) compared with the exact reference
  size_t model_outputs = 256;      // of those, the ones (spread) the models and the fit use
  unsigned threads = 0;         // 0: std::thread::hardware_concurrency()
  bool gpu = true;              // false: the GPU series are skipped (--no-gpu)
};
std::vector<size_t> default_k_values();  // 256, 512, ..., 65536
std::vector<int> default_precisions();   // 10..24

// Error statistics of one series at one (distribution, K); `scaled` is
// |got - exact| / sum_k |a_k b_k| (for all-positive inputs the relative error);
// bound fraction: |got - exact| / (gamma_K sum |a_k b_k|), u = 2^-24.
struct Fp8ErrorPoint {
  std::string distribution;
  size_t k = 0;
  size_t outputs = 0;         // outputs compared (compared_outputs, or model_outputs for a model)
  size_t zero_exact = 0;      // outputs whose exact value is 0 (left out of the relative error)
  size_t exact_outputs = 0;   // outputs equal to the exact value
  double max_rel = 0, mean_rel = 0;
  double max_scaled = 0, mean_scaled = 0;
  double max_bound_fraction = 0, mean_bound_fraction = 0;
  double sample_mean_scaled = 0;  // mean_scaled over the model_outputs sample: what the fit compares
  std::vector<double> sample_values;  // the outputs of the sample, for bitwise agreement
};

struct Fp8Series {
  std::string name;    // "cublaslt_fp8_fast_accum", "promoted_every_128", "model_p14_toward_zero", ...
  std::string kind;    // "gpu" or "model"
  std::string kernel;  // the registry kernel run ("" for models)
  AccumModel model{};  // models only
  std::string status = "ok";  // "ok", "skipped", "not_supported", "error"
  std::string message;
  std::vector<Fp8ErrorPoint> points;
};

// One candidate of a fit. score: the root mean square over the points of
// log2(model sample_mean_scaled / measured sample_mean_scaled) (each + 2^-40),
// lower is closer; agreement: the fraction of sampled outputs equal bit for bit.
struct Fp8FitCandidate {
  std::string model;
  int precision_bits = 0;
  AccumRounding rounding = AccumRounding::nearest_even;
  size_t group = 1;
  double score = 0;
  double agreement = 0;
};
struct Fp8Fit {
  std::string target;  // the measured series
  size_t promote_every = 0;  // of the candidate models
  bool evaluated = false;
  std::string reason;                   // why not evaluated
  std::vector<Fp8FitCandidate> ranking; // best first
};
inline constexpr const char* kFp8FitMetric =
    "root mean square over (distribution, K) of log2(model / measured mean |got - exact| / sum|ab|) "
    "over the sampled outputs, each + 2^-40; lowest wins";

// The fit of `target` among the models of `models` with the given promotion
// (points matched by distribution and K; not evaluated when target is not ok).
Fp8Fit fit_accumulator(const Fp8Series& target, const std::vector<Fp8Series>& models, size_t promote_every);

struct Fp8AccumResult {
  Fp8AccumConfig config;
  std::vector<std::string> distributions;
  std::vector<Fp8Series> series;  // GPU series first, then the models
  std::vector<Fp8Fit> fits;       // one per GPU series
  double seconds = 0;
};
// progress: one line per step (for stderr); may be empty.
Fp8AccumResult measure_fp8_accum(const Fp8AccumConfig& config, const std::function<void(const std::string&)>& progress);

}  // namespace plumb::harness
