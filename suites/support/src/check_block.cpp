// plumb checks: the block quantisation check (see check_block.hpp).
#include "plumb/checks/check_block.hpp"

#include <atomic>
#include <bit>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "plumb/formats/block_names.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::checks {

namespace {

constexpr float kSentinel = -12345.0f;  // what a kernel that writes nothing leaves
constexpr uint8_t kCodeSentinel = 0xEE;

std::string hex_float(float f) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "0x%08x (%.9g)", std::bit_cast<uint32_t>(f), static_cast<double>(f));
  return buf;
}

bool same_bits(float a, float b) {
  return (a != a && b != b) || std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
}

std::string range_text(const char* what, size_t first, size_t last) {
  return first == last ? std::string(what) + " " + std::to_string(first)
                       : std::string(what) + "s " + std::to_string(first) + ".." + std::to_string(last);
}

struct Call {  // one kernel call's outcome
  kernels::KernelStatus status = kernels::KernelStatus::ok;
  std::string message;
};

template <class Fn>
Call call_kernel(Fn fn) {
  Call c;
  try {
    c.status = fn(&c.message);
  } catch (const std::exception& e) {
    c.status = kernels::KernelStatus::error;
    c.message = std::string("the kernel threw: ") + e.what();
  }
  return c;
}

}  // namespace

std::string block_cell_label(const BlockCell& cell) {
  return cell.format_name + " " + scale_rule_name(cell.format.rule);
}

std::string block_cell_options(const BlockCell& cell) {
  const BlockOptions& o = cell.options;
  std::string s = std::string("layout ") + block_layout_name(o.layout);
  if (o.layout != BlockLayout::tile_2d) s += ", block " + std::to_string(cell.format.block_size);
  if (o.hadamard) s += ", hadamard seed " + std::to_string(o.hadamard_seed);
  if (o.stochastic) s += ", stochastic k=" + std::to_string(o.sr_bits) + " seed " + std::to_string(o.sr_seed);
  else s += ", nearest_even";
  return s;
}

std::vector<size_t> block_element_indices(const BlockFormat& format, BlockLayout layout, size_t rows, size_t cols,
                                          size_t block) {
  const kernels::BlockGrid grid = kernels::scale_grid(format, layout, rows, cols);
  const size_t bs = layout == BlockLayout::tile_2d ? 16 : static_cast<size_t>(format.block_size);
  const size_t bh = layout == BlockLayout::rows ? 1 : bs, bw = layout == BlockLayout::cols ? 1 : bs;
  const size_t r0 = block / grid.cols * bh, c0 = block % grid.cols * bw;
  std::vector<size_t> idx;
  for (size_t r = r0; r < rows && r < r0 + bh; ++r)
    for (size_t c = c0; c < cols && c < c0 + bw; ++c) idx.push_back(r * cols + c);
  return idx;
}

std::vector<BlockExpected> block_reference_results(const BlockCell& cell, const std::vector<BlockCase>& cases,
                                                   unsigned threads) {
  std::vector<BlockExpected> out(cases.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < cases.size();) {
      const BlockCase& c = cases[i];
      try {
        out[i].q = reference::mpfr_block_quantize(cell.format, cell.options, c.x.data(), c.rows, c.cols);
        out[i].dequantized = reference::mpfr_block_dequantize(cell.format, cell.options, out[i].q.elements.data(),
                                                              out[i].q.scales.data(), out[i].q.tensor_scale, c.rows,
                                                              c.cols);
      } catch (const std::invalid_argument& e) {
        out[i].refused = true;
        out[i].refusal = e.what();
      }
    }
  };
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads && t < cases.size(); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return out;
}

Verdict check_block(const kernels::BlockKernel& kernel, const BlockCell& cell, const std::vector<BlockCase>& cases,
                    const std::vector<BlockExpected>& expected, const BlockCheckSettings& settings) {
  const BlockFormat& f = cell.format;
  const BlockOptions& o = cell.options;
  Verdict v;
  v.suite = settings.suite;
  v.kernel = kernel.name;
  v.device = kernels::device_name(kernel.device);
  v.op = "block_quantize";
  v.label = block_cell_label(cell);
  v.from = formats::fp32;
  v.to = f.element;
  v.spec = {o.stochastic ? Rounding::stochastic : Rounding::nearest_even, Overflow::saturate,
            static_cast<uint8_t>(o.stochastic ? o.sr_bits : 0)};
  v.expected_failure = kernel.planted_bug;
  if (kernel.device == kernels::Device::cuda && kernels::cuda_device_count() == 0) {
    v.disposition = Disposition::skipped;
    v.message = "no CUDA device on this machine";
    return v;
  }
  const std::string command = "plumb verify --suite " + settings.suite + " --kernel " + kernel.name + " --seed " +
                              std::to_string(settings.seed);
  auto add_counterexample = [&](uint64_t input, uint64_t got, uint64_t want, std::string detail) {
    ++v.mismatches;
    if (v.counterexamples.size() < settings.max_counterexamples)
      v.counterexamples.push_back({input, 0, got, 0, want, 0, std::move(detail), command});
  };
  double seconds = 0;
  auto timed = [&](auto fn) {
    const auto start = std::chrono::steady_clock::now();
    Call c = call_kernel(fn);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return c;
  };
  // An accepted case the kernel could not run ends the cell.
  auto stop = [&](const Call& c, const BlockCase& bc) {
    if (c.status == kernels::KernelStatus::ok) return false;
    v.disposition = c.status == kernels::KernelStatus::not_supported ? Disposition::not_supported
                                                                     : Disposition::kernel_error;
    v.message = "case " + bc.name + " (" + block_cell_options(cell) + "): " +
                (c.message.empty() ? "the kernel reported an error" : c.message);
    v.seconds = seconds;
    return true;
  };

  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const BlockCase& bc = cases[ci];
    const BlockExpected& ex = expected[ci];
    const std::string where = "case " + bc.name + " (" + std::to_string(bc.rows) + "x" + std::to_string(bc.cols) +
                              "), " + block_cell_options(cell);
    // A refused case may have no grid (block size 0): room for one scale per element.
    const size_t n_scales = ex.refused ? bc.rows * bc.cols + 1 : ex.q.scales.size();
    std::vector<uint8_t> el(bc.rows * bc.cols, kCodeSentinel), sc(n_scales, kCodeSentinel);
    float ts = kSentinel;
    const Call q = timed([&](std::string* m) {
      return kernel.quantize(f, o, bc.x.data(), bc.rows, bc.cols, el.data(), sc.data(), &ts, m);
    });
    std::vector<float> y(bc.rows * bc.cols, kSentinel);
    if (ex.refused) {  // the kernel must refuse it too, quantising and dequantising
      ++v.cases;
      const Call d = timed([&](std::string* m) {
        return kernel.dequantize(f, o, el.data(), sc.data(), 1.0f, bc.rows, bc.cols, y.data(), m);
      });
      if (q.status == kernels::KernelStatus::ok || d.status == kernels::KernelStatus::ok)
        add_counterexample(0, 0, 0, where + ": the kernel " +
                                        (q.status == kernels::KernelStatus::ok ? "quantised" : "dequantised") +
                                        " it; the specification refuses it: " + ex.refusal);
      continue;
    }
    if (stop(q, bc)) return v;
    const kernels::BlockGrid grid = kernels::scale_grid(f, o.layout, bc.rows, bc.cols);
    if (grid.rows * grid.cols != ex.q.scales.size())
      throw std::logic_error("block check: kernels::scale_grid gives " + std::to_string(grid.rows * grid.cols) +
                             " scales, the oracle " + std::to_string(ex.q.scales.size()));
    const Call d = timed([&](std::string* m) {
      return kernel.dequantize(f, o, ex.q.elements.data(), ex.q.scales.data(), ex.q.tensor_scale, bc.rows, bc.cols,
                               y.data(), m);
    });
    if (stop(d, bc)) return v;

    ++v.cases;  // the tensor scale
    if (!same_bits(ts, ex.q.tensor_scale))
      add_counterexample(std::bit_cast<uint32_t>(ts), std::bit_cast<uint32_t>(ts),
                         std::bit_cast<uint32_t>(ex.q.tensor_scale),
                         where + ": tensor scale got " + hex_float(ts) + ", expected " + hex_float(ex.q.tensor_scale));
    for (size_t b = 0; b < sc.size(); ++b) {
      ++v.cases;
      const std::vector<size_t> idx = block_element_indices(f, o.layout, bc.rows, bc.cols, b);
      std::string lines;
      size_t shown = 0, first = idx.size();
      for (size_t k = 0; k < idx.size(); ++k) {
        const size_t i = idx[k];
        const bool code_ok = el[i] == ex.q.elements[i], value_ok = same_bits(y[i], ex.dequantized[i]);
        if (code_ok && value_ok) continue;
        if (first == idx.size()) first = k;
        if (!code_ok) {
          const int64_t d = ulp_distance(f.element, el[i], ex.q.elements[i]);
          v.max_ulp = d < 0 || v.max_ulp < 0 ? -1 : std::max(v.max_ulp, d);
        }
        if (shown++ >= 4) continue;
        lines += "\n    x[" + std::to_string(i / bc.cols) + "," + std::to_string(i % bc.cols) + "] = " +
                 hex_float(bc.x[i]) + ":";
        if (!code_ok) lines += " element got " + hex_code(el[i]) + ", expected " + hex_code(ex.q.elements[i]) + ";";
        if (!value_ok)
          lines += " dequantised (oracle's codes) got " + hex_float(y[i]) + ", expected " +
                   hex_float(ex.dequantized[i]);
      }
      const bool scale_ok = sc[b] == ex.q.scales[b];
      if (scale_ok && first == idx.size()) continue;
      const size_t r0 = idx.front() / bc.cols, r1 = idx.back() / bc.cols;
      const size_t c0 = idx.front() % bc.cols, c1 = idx.back() % bc.cols;
      std::string text = where + ", block " + std::to_string(b) + " (" + range_text("row", r0, r1) + ", " +
                         range_text("col", c0, c1) + ")";
      if (!scale_ok) text += "\n    scale got " + hex_code(sc[b]) + ", expected " + hex_code(ex.q.scales[b]);
      text += lines;
      text += "\n    block input x =";
      for (size_t k = 0; k < idx.size() && k < 32; ++k)
        text += " " + hex_code(std::bit_cast<uint32_t>(bc.x[idx[k]]));
      if (idx.size() > 32) text += " ... (" + std::to_string(idx.size()) + " elements)";
      const size_t at = idx[first == idx.size() ? 0 : first];
      add_counterexample(std::bit_cast<uint32_t>(bc.x[at]), scale_ok ? el[at] : sc[b],
                         scale_ok ? ex.q.elements[at] : ex.q.scales[b], text);
    }
  }
  v.seconds = seconds;
  v.disposition = v.mismatches == 0 ? Disposition::passed : Disposition::incorrect;
  return v;
}

}  // namespace plumb::checks
