// plumb harness: the quantisation-error measurement (see quant_error.hpp).
#include "quant_error.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "plumb/formats/block_names.hpp"
#include "plumb/kernels/block_kernel.hpp"

namespace plumb::harness {

namespace {

// The alternative scale rule worth comparing with a format's own.
ScaleRule alternative_rule(const BlockFormat& f) { return is_nv_rule(f.rule) ? ScaleRule::nv_exact : ScaleRule::rceil; }

struct Job {
  size_t variant, distribution;
  bool hadamard;
};

}  // namespace

std::vector<std::string> quant_format_names() {
  std::vector<std::string> names;
  for (const auto& n : named_block_formats()) names.push_back(n.name);
  return names;
}

std::vector<QuantVariant> quant_variants(const std::vector<std::string>& format_names) {
  std::vector<std::string> wanted;  // canonical names (aliases such as mxfp8 accepted)
  for (const auto& text : format_names) {
    const std::string s = lowercase(text);
    bool known = false;
    for (const auto& n : named_block_formats())
      if (s == n.name || (n.alias && s == n.alias)) known = true, wanted.push_back(n.name);
    if (!known) {
      std::string why = "unknown block format '" + text + "'";
      try {
        parse_block_format(text);  // for its message, which lists the valid names
      } catch (const std::invalid_argument& e) {
        why = e.what();
      }
      throw std::runtime_error("--format: " + why);
    }
  }
  std::vector<QuantVariant> out;
  for (const auto& n : named_block_formats()) {
    bool take = wanted.empty();
    for (const auto& w : wanted) take |= w == n.name;
    if (!take) continue;
    out.push_back({n.name, n.format, true});
    BlockFormat alt = n.format;
    alt.rule = alternative_rule(n.format);
    out.push_back({n.name, alt, false});
  }
  return out;
}

uint64_t hadamard_seed_for(uint64_t seed) { return seed ^ 0x4adaa4adull; }

void compute_quant_metrics(const std::vector<float>& x, const std::vector<float>& y, QuantMeasurement& m) {
  const size_t n = x.size();
  m.elements = n;
  double sum_sq_err = 0, sum_sq = 0;
  m.nonfinite = m.flushed = 0;
  for (size_t i = 0; i < n; ++i) {
    const double xi = x[i], yi = y[i];
    if (!std::isfinite(yi)) {
      ++m.nonfinite;
      continue;
    }
    const double d = yi - xi;
    sum_sq_err += d * d;
    sum_sq += xi * xi;
    if (xi != 0 && yi == 0) ++m.flushed;
  }
  if (m.nonfinite) {
    m.ok = false;
    m.message = std::to_string(m.nonfinite) + " of " + std::to_string(n) + " outputs are not finite";
  }
  m.mse = n ? sum_sq_err / static_cast<double>(n) : 0.0;
  m.mean_square = n ? sum_sq / static_cast<double>(n) : 0.0;
  m.nmse = m.mean_square > 0 ? m.mse / m.mean_square : 0.0;
  const double floor = kRelErrorFloor * std::sqrt(m.mean_square);
  m.max_rel_error = 0;
  m.max_rel_index = 0;
  m.max_rel_x = m.max_rel_y = 0;
  for (size_t i = 0; i < n; ++i) {
    const double xi = x[i], yi = y[i];
    if (!std::isfinite(yi) || std::fabs(xi) < floor || xi == 0) continue;
    const double rel = std::fabs(yi - xi) / std::fabs(xi);
    if (rel > m.max_rel_error) {
      m.max_rel_error = rel;
      m.max_rel_index = i;
      m.max_rel_x = x[i];
      m.max_rel_y = y[i];
    }
  }
}

namespace {

QuantMeasurement run_one(const kernels::BlockKernel& kernel, const QuantVariant& v, InputDistribution d,
                         bool hadamard, const std::vector<float>& x, const QuantErrorOptions& o) {
  QuantMeasurement m;
  m.variant = v;
  m.distribution = d;
  m.hadamard = hadamard;
  m.elements = x.size();
  BlockOptions bo;
  bo.layout = BlockLayout::rows;
  bo.hadamard = hadamard;
  bo.hadamard_seed = hadamard_seed_for(o.seed);
  const auto grid = kernels::scale_grid(v.desc, bo.layout, o.rows, o.cols);
  std::vector<uint8_t> elements(x.size()), scales(grid.rows * grid.cols);
  std::vector<float> y(x.size());
  float tensor_scale = 1.0f;
  std::string message;
  auto status = kernel.quantize(v.desc, bo, x.data(), o.rows, o.cols, elements.data(), scales.data(),
                                &tensor_scale, &message);
  if (status == kernels::KernelStatus::ok)
    status = kernel.dequantize(v.desc, bo, elements.data(), scales.data(), tensor_scale, o.rows, o.cols, y.data(),
                               &message);
  if (status != kernels::KernelStatus::ok) {
    m.ok = false;
    m.message = (status == kernels::KernelStatus::not_supported ? "not supported: " : "kernel error: ") + message;
    return m;
  }
  m.ok = true;
  compute_quant_metrics(x, y, m);
  return m;
}

}  // namespace

std::vector<QuantMeasurement> measure_quant_error(const QuantErrorOptions& o) {
  const auto* kernel = kernels::find_block_kernel(o.kernel);
  if (!kernel) throw std::runtime_error("--kernel: unknown block kernel '" + o.kernel + "'");
  if (kernel->device != kernels::Device::cpu)
    throw std::runtime_error("--kernel: '" + o.kernel + "' is not a CPU kernel; quant-error runs on the CPU");
  if (o.rows < 1 || o.cols < 1) throw std::runtime_error("--rows and --cols must be at least 1");
  if (o.cols % 16 != 0)
    throw std::runtime_error("--cols must be a multiple of 16 (the Hadamard transform works on groups of 16 "
                             "along each row); got " + std::to_string(o.cols));
  const auto variants = quant_variants(o.formats);
  std::vector<InputDistribution> dists = o.distributions;
  if (dists.empty())
    for (int d = 0; d < kInputDistributionCount; ++d) dists.push_back(static_cast<InputDistribution>(d));
  std::vector<std::vector<float>> inputs;
  for (auto d : dists) inputs.push_back(make_input(d, o.seed, o.rows, o.cols));

  std::vector<Job> jobs;
  for (size_t v = 0; v < variants.size(); ++v)
    for (size_t d = 0; d < dists.size(); ++d)
      for (bool h : {false, true}) jobs.push_back({v, d, h});
  std::vector<QuantMeasurement> out(jobs.size());
  unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, jobs.size()));
  std::atomic<size_t> next{0}, done{0};
  std::mutex progress_mutex;
  auto worker = [&] {
    for (size_t j; (j = next.fetch_add(1)) < jobs.size();) {
      const Job& job = jobs[j];
      try {
        out[j] = run_one(*kernel, variants[job.variant], dists[job.distribution], job.hadamard,
                         inputs[job.distribution], o);
      } catch (const std::exception& e) {  // a kernel that throws is a kernel error, not a crash
        out[j].variant = variants[job.variant];
        out[j].distribution = dists[job.distribution];
        out[j].hadamard = job.hadamard;
        out[j].ok = false;
        out[j].message = std::string("kernel error: ") + e.what();
      }
      const size_t finished = ++done;
      if (o.on_progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        o.on_progress(finished, jobs.size());
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return out;
}

}  // namespace plumb::harness
