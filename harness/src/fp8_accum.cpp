// plumb harness: the measurement of the fp8 accumulation study (fp8_accum.hpp).
#include "fp8_accum.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <thread>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/gemm_kernel.hpp"
#include "plumb/reference/exact_gemm.hpp"
#include "quant_inputs.hpp"

namespace plumb::harness {
namespace {

constexpr RoundingSpec kRne{Rounding::nearest_even, Overflow::saturate, 0};
constexpr const char* kFastKernel = "cublaslt_fp8_fast_accum";
constexpr const char* kVendorKernel = "cublaslt_fp8";

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// f(i) for i in [0, n) on `threads` threads; the first exception is rethrown.
template <class F>
void parallel_for(size_t n, unsigned threads, F&& f) {
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto work = [&] {
    try {
      for (size_t i; !failed && (i = next.fetch_add(1)) < n;) f(i);
    } catch (...) {
      if (!failed.exchange(true)) failure = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

// The exact C[i][j] (value and sum |a_k b_k|) of the outputs asked for.
struct ExactOutputs {
  std::vector<long double> value, abs_sum;
};

ExactOutputs exact_outputs(const Fp8Matrix& a, const Fp8Matrix& b, const std::vector<size_t>& which, unsigned threads) {
  // The fp8 operand kind: the e4m3fn codes, multiplier 1 (the scales of the
  // GPU runs), decoded by the reference itself.
  reference::GemmOperand oa, ob;
  oa.kind = ob.kind = reference::GemmOperandKind::fp8;
  oa.code_format = ob.code_format = formats::e4m3fn;
  oa.rows = a.rows, oa.k = a.k, oa.elements = a.codes.data();
  ob.rows = b.rows, ob.k = b.k, ob.elements = b.codes.data();
  ExactOutputs ex;
  ex.value.assign(a.rows * b.rows, 0);
  ex.abs_sum.assign(a.rows * b.rows, 0);
  parallel_for(which.size(), threads, [&](size_t w) {
    const size_t idx = which[w];
    const auto e = reference::exact_gemm_entry(oa, ob, idx / b.rows, idx % b.rows);
    ex.value[idx] = e.value;
    ex.abs_sum[idx] = e.abs_sum;
  });
  return ex;
}

// Statistics of outputs idx[t] (got[t]); the sample is idx[sample_pos[s]].
Fp8ErrorPoint summarise(const std::string& distribution, size_t k, const std::vector<size_t>& idx,
                        const std::vector<double>& got, const ExactOutputs& ex, const std::vector<size_t>& sample_pos) {
  Fp8ErrorPoint p;
  p.distribution = distribution;
  p.k = k;
  p.outputs = idx.size();
  auto scaled_error = [&](size_t t, long double* err) {
    const size_t i = idx[t];
    *err = std::isfinite(got[t]) ? std::fabs(static_cast<long double>(got[t]) - ex.value[i]) : INFINITY;
    return ex.abs_sum[i] > 0 ? static_cast<double>(*err / ex.abs_sum[i]) : (*err == 0 ? 0.0 : INFINITY);
  };
  size_t rel_count = 0;
  for (size_t t = 0; t < idx.size(); ++t) {
    long double err = 0;
    const double scaled = scaled_error(t, &err);
    const long double bound = reference::gemm_gamma_bound(k, 0, ex.abs_sum[idx[t]], 24);
    const double fraction = bound > 0 ? static_cast<double>(err / bound) : (err == 0 ? 0.0 : INFINITY);
    p.exact_outputs += err == 0;
    p.max_scaled = std::max(p.max_scaled, scaled), p.mean_scaled += scaled;
    p.max_bound_fraction = std::max(p.max_bound_fraction, fraction), p.mean_bound_fraction += fraction;
    if (ex.value[idx[t]] == 0) {
      ++p.zero_exact;
      continue;
    }
    const double rel = static_cast<double>(err / std::fabs(ex.value[idx[t]]));
    p.max_rel = std::max(p.max_rel, rel), p.mean_rel += rel, ++rel_count;
  }
  if (!idx.empty()) p.mean_scaled /= static_cast<double>(idx.size()), p.mean_bound_fraction /= static_cast<double>(idx.size());
  if (rel_count) p.mean_rel /= static_cast<double>(rel_count);
  for (size_t pos : sample_pos) {
    long double err = 0;
    p.sample_mean_scaled += scaled_error(pos, &err);
    p.sample_values.push_back(got[pos]);
  }
  if (!sample_pos.empty()) p.sample_mean_scaled /= static_cast<double>(sample_pos.size());
  return p;
}

// One fp8 GEMM through a registry kernel on host arrays (per-tensor scales 1).
kernels::KernelStatus run_fp8(const kernels::GemmKernel& kernel, const Fp8Matrix& a, const Fp8Matrix& b,
                              std::vector<float>* c, std::string* message) {
  kernels::GemmArgs args;
  args.kind = kernels::GemmKind::fp8;
  args.m = a.rows, args.n = b.rows, args.k = a.k;
  args.a_elements = a.codes.data(), args.b_elements = b.codes.data();
  args.a_fp8 = args.b_fp8 = formats::e4m3fn;
  c->assign(a.rows * b.rows, 0.0f);
  return kernel.fn(args, c->data(), nullptr, message);
}

// A GPU series: its kernel, and N > 0 for "fast accumulation over K-chunks of
// N, the chunks' fp32 outputs summed in fp32 in order on the host".
struct GpuSeries {
  Fp8Series series;
  const kernels::GemmKernel* kernel = nullptr;
  size_t chunk = 0;
};

// C for one series at one K, or false (series marked) when the kernel fails.
bool gpu_output(GpuSeries& g, const Fp8Matrix& a, const Fp8Matrix& b, std::vector<double>* got) {
  std::string message;
  std::vector<float> c, part;
  kernels::KernelStatus st = kernels::KernelStatus::ok;
  if (!g.chunk) {
    st = run_fp8(*g.kernel, a, b, &c, &message);
  } else {
    c.assign(a.rows * b.rows, 0.0f);
    for (size_t c0 = 0; c0 < a.k && st == kernels::KernelStatus::ok; c0 += g.chunk) {
      const size_t c1 = std::min(a.k, c0 + g.chunk);
      st = run_fp8(*g.kernel, fp8_columns(a, c0, c1, false), fp8_columns(b, c0, c1, false), &part, &message);
      for (size_t i = 0; i < c.size(); ++i) c[i] += part[i];  // fp32, chunk order
    }
  }
  if (st != kernels::KernelStatus::ok) {
    g.series.status = st == kernels::KernelStatus::not_supported ? "not_supported" : "error";
    g.series.message = g.series.kernel + " at K = " + std::to_string(a.k) + ": " + message;
    return false;
  }
  got->assign(c.begin(), c.end());
  return true;
}

std::vector<GpuSeries> gpu_series(const Fp8AccumConfig& cfg) {
  std::vector<GpuSeries> out;
  auto add = [&](const std::string& name, const char* kernel, size_t chunk) {
    GpuSeries g;
    g.series.name = name, g.series.kind = "gpu", g.series.kernel = kernel;
    g.series.model.promote_every = chunk;
    g.kernel = kernels::find_gemm_kernel(kernel);
    g.chunk = chunk;
    if (!cfg.gpu) g.series.status = "skipped", g.series.message = "--no-gpu";
    else if (!g.kernel)
      g.series.status = "skipped",
      g.series.message = std::string("kernel ") + kernel + " is not in this build's GEMM registry";
    else if (kernels::cuda_device_count() == 0)
      g.series.status = "skipped", g.series.message = "no CUDA device on this machine";
    out.push_back(std::move(g));
  };
  add(kFastKernel, kFastKernel, 0);
  add(kVendorKernel, kVendorKernel, 0);
  add("promoted_every_" + std::to_string(cfg.promote_every), kFastKernel, cfg.promote_every);
  return out;
}

std::vector<AccumModel> model_list(const Fp8AccumConfig& cfg) {
  std::vector<AccumModel> out;
  for (size_t promote : {size_t{0}, cfg.promote_every})
    for (size_t g : cfg.groups)
      for (int p : cfg.precisions)
        for (AccumRounding r :
             {AccumRounding::nearest_even, AccumRounding::toward_zero, AccumRounding::aligned_toward_zero})
          if (promote % g == 0) out.push_back({p, r, promote, g});
  return out;
}

// count of the indices 0 .. n-1, spread over rows and columns alike: all of
// them when count == n, else (c P) mod n for c < count (P prime > n: distinct),
// sorted.
std::vector<size_t> spread_indices(size_t count, size_t n) {
  constexpr uint64_t kPrime = 2654435761u;
  std::vector<size_t> out(count);
  for (size_t c = 0; c < count; ++c) out[c] = count == n ? c : static_cast<size_t>((c * kPrime) % n);
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t operand_seed(uint64_t seed, Fp8Inputs d, int operand) {
  return seed ^ (0x9E3779B97F4A7C15ull * static_cast<uint64_t>(2 * static_cast<int>(d) + operand + 1));
}

void check_config(const Fp8AccumConfig& cfg) {
  if (cfg.k_values.empty()) throw std::invalid_argument("fp8-accum: no K values");
  for (size_t i = 0; i < cfg.k_values.size(); ++i) {
    if (cfg.k_values[i] == 0 || cfg.k_values[i] % 16)
      throw std::invalid_argument("fp8-accum: K = " + std::to_string(cfg.k_values[i]) + " is not a positive multiple of 16");
    if (i && cfg.k_values[i] <= cfg.k_values[i - 1]) throw std::invalid_argument("fp8-accum: K values must ascend");
  }
  if (!cfg.m || !cfg.n) throw std::invalid_argument("fp8-accum: M and N must be >= 1");
  if (!cfg.promote_every || cfg.promote_every % 16)
    throw std::invalid_argument("fp8-accum: --promote-every must be a positive multiple of 16");
  if (cfg.precisions.empty()) throw std::invalid_argument("fp8-accum: no model precisions");
  for (size_t g : cfg.groups)
    if (g == 0 || cfg.promote_every % g)
      throw std::invalid_argument("fp8-accum: model group " + std::to_string(g) + " does not divide --promote-every");
  if (cfg.groups.empty()) throw std::invalid_argument("fp8-accum: no model groups");
}

}  // namespace

const char* fp8_inputs_name(Fp8Inputs d) { return d == Fp8Inputs::positive_uniform ? "positive_uniform" : "gaussian"; }
const char* fp8_inputs_description(Fp8Inputs d) {
  return d == Fp8Inputs::positive_uniform ? "U(0,1) rounded to e4m3fn (all products >= 0)"
                                          : "N(0,1) rounded to e4m3fn";
}

std::vector<size_t> default_k_values() {
  std::vector<size_t> k;
  for (size_t v = 256; v <= 65536; v *= 2) k.push_back(v);
  return k;
}

std::vector<int> default_precisions() {
  std::vector<int> p;
  for (int v = 10; v <= 24; ++v) p.push_back(v);
  return p;
}

Fp8Matrix make_fp8_matrix(Fp8Inputs d, uint64_t seed, size_t rows, size_t k) {
  PortableRng rng(seed);
  Fp8Matrix x;
  x.rows = rows, x.k = k;
  x.codes.resize(rows * k);
  x.values.resize(rows * k);
  for (size_t i = 0; i < rows * k; ++i) {
    const double v = d == Fp8Inputs::positive_uniform ? rng.uniform_open() : rng.gaussian();
    x.codes[i] = static_cast<uint8_t>(convert_code(formats::fp64, formats::e4m3fn, std::bit_cast<uint64_t>(v), kRne).code);
    x.values[i] = static_cast<float>(decode(formats::e4m3fn, x.codes[i]));
  }
  return x;
}

Fp8Matrix fp8_columns(const Fp8Matrix& x, size_t c0, size_t c1, bool with_values) {
  Fp8Matrix y;
  y.rows = x.rows, y.k = c1 - c0;
  y.codes.reserve(y.rows * y.k);
  if (with_values) y.values.reserve(y.rows * y.k);
  for (size_t r = 0; r < x.rows; ++r) {
    y.codes.insert(y.codes.end(), x.codes.begin() + r * x.k + c0, x.codes.begin() + r * x.k + c1);
    if (with_values)
      y.values.insert(y.values.end(), x.values.begin() + r * x.k + c0, x.values.begin() + r * x.k + c1);
  }
  return y;
}

Fp8AccumResult measure_fp8_accum(const Fp8AccumConfig& config, const std::function<void(const std::string&)>& progress) {
  check_config(config);
  const auto start = Clock::now();
  Fp8AccumResult result;
  result.config = config;
  const unsigned threads = config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  result.config.threads = threads;
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  const size_t mn = config.m * config.n, kmax = config.k_values.back();
  // Compared outputs: spread over C; the model sample: spread over the
  // compared ones (positions sample_pos in that list).
  const size_t compared_count = std::min(config.compared_outputs, mn);
  const size_t samples = std::min(config.model_outputs, compared_count);
  const std::vector<size_t> compared = spread_indices(compared_count, mn);
  const std::vector<size_t> sample_pos = spread_indices(samples, compared_count);
  std::vector<size_t> sample(samples), identity(samples);
  for (size_t s = 0; s < samples; ++s) sample[s] = compared[sample_pos[s]], identity[s] = s;

  auto gpus = gpu_series(config);
  const auto models = model_list(config);
  std::vector<Fp8Series> model_series(models.size());
  for (size_t i = 0; i < models.size(); ++i)
    model_series[i] = {"model_" + accum_model_name(models[i]), "model", "", models[i], "ok", "", {}};

  for (Fp8Inputs d : {Fp8Inputs::positive_uniform, Fp8Inputs::gaussian}) {
    const std::string dist = fp8_inputs_name(d);
    result.distributions.push_back(dist);
    const Fp8Matrix a = make_fp8_matrix(d, operand_seed(config.seed, d, 0), config.m, kmax);
    const Fp8Matrix b = make_fp8_matrix(d, operand_seed(config.seed, d, 1), config.n, kmax);
    std::vector<ExactOutputs> exact;
    for (size_t k : config.k_values) {
      const auto t0 = Clock::now();
      const Fp8Matrix ak = fp8_columns(a, 0, k, false), bk = fp8_columns(b, 0, k, false);
      bool any_gpu = false;
      for (const auto& g : gpus) any_gpu |= g.series.status == "ok";
      exact.push_back(exact_outputs(ak, bk, any_gpu ? compared : sample, threads));
      const double t_exact = seconds_since(t0);
      const auto t1 = Clock::now();
      for (auto& g : gpus) {
        std::vector<double> got;
        if (g.series.status == "ok" && gpu_output(g, ak, bk, &got)) {
          std::vector<double> got_compared(compared_count);
          for (size_t c = 0; c < compared_count; ++c) got_compared[c] = got[compared[c]];
          g.series.points.push_back(summarise(dist, k, compared, got_compared, exact.back(), sample_pos));
        }
      }
      say(dist + " K=" + std::to_string(k) + ": exact reference " + std::to_string(t_exact) + " s" +
          (any_gpu ? ", GPU series " + std::to_string(seconds_since(t1)) + " s" : ""));
    }
    // The models: every sampled output, every model, all K in one pass.
    const auto t2 = Clock::now();
    const size_t nk = config.k_values.size();
    std::vector<double> values(models.size() * samples * nk);
    parallel_for(models.size() * samples, threads, [&](size_t task) {
      const size_t mi = task / samples, s = task % samples;
      const size_t i = sample[s] / config.n, j = sample[s] % config.n;
      model_dot_prefixes(&a.values[i * kmax], &b.values[j * kmax], config.k_values, models[mi],
                         &values[(mi * samples + s) * nk]);
    });
    for (size_t mi = 0; mi < models.size(); ++mi)
      for (size_t ki = 0; ki < nk; ++ki) {
        std::vector<double> got(samples);
        for (size_t s = 0; s < samples; ++s) got[s] = values[(mi * samples + s) * nk + ki];
        model_series[mi].points.push_back(summarise(dist, config.k_values[ki], sample, got, exact[ki], identity));
      }
    say(dist + ": " + std::to_string(models.size()) + " models x " + std::to_string(samples) + " outputs " +
        std::to_string(seconds_since(t2)) + " s");
  }
  for (auto& g : gpus) result.series.push_back(std::move(g.series));
  for (auto& s : model_series) result.series.push_back(std::move(s));
  for (const auto& s : result.series)
    if (s.kind == "gpu") result.fits.push_back(fit_accumulator(s, result.series, s.model.promote_every));
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace plumb::harness
