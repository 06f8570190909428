// The block kernels over whole tensors (cpu_block, planted_scale_ceil, and the
// registry): short edge blocks, layouts that agree on transposed inputs,
// stochastic rounding that is reproducible and unbiased, the Hadamard
// transform's refusals and accuracy, and the planted bug being visible.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "block_test_util.hpp"
#include "plumb/checks/block_inputs.hpp"

using namespace plumb;
using namespace plumb::block_test;

namespace {

std::vector<ScaleRule> rules_of(const BlockFormat& f) {
  if (is_nv_rule(f.rule)) return {ScaleRule::nv_te, ScaleRule::nv_exact};
  return {ScaleRule::floor, ScaleRule::ceil, ScaleRule::even, ScaleRule::rceil};
}

}  // namespace

TEST_CASE("the block kernels are in the registry", "[block][registry]") {
  CHECK_FALSE(block_kernel("cpu_block").planted_bug);
  CHECK(block_kernel("planted_scale_ceil").planted_bug);
  CHECK((kernels::find_block_kernel("cuda_block") != nullptr) == kernels::cuda_built());
}

TEST_CASE("a short edge block is quantised like a tensor of just its elements", "[block][layout]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  const auto x = checks::block_test_tensor(20, 37, seed, checks::BlockInput::random);
  for (const auto& named : named_block_formats())
    for (ScaleRule rule : rules_of(named.format)) {
      BlockFormat f = named.format;
      f.rule = rule;
      f.block_size = 32;
      f.tensor_scale = false;  // S_enc would be the whole tensor's
      INFO(block_format_name(f));
      BlockOptions o;
      // rows: row 2, columns 32..36 (a block of 5).
      const Quantized q = quantize_ok(f, o, x, 20, 37);
      const std::vector<float> tail(x.begin() + 2 * 37 + 32, x.begin() + 3 * 37);
      const Quantized qt = quantize_ok(f, o, tail, 1, 5);
      CHECK(q.scales[2 * q.grid_cols + 1] == qt.scales[0]);
      for (size_t c = 0; c < 5; ++c) CHECK(q.elements[2 * 37 + 32 + c] == qt.elements[c]);
      // cols: column 3, rows 0..19 (a block of 20).
      o.layout = BlockLayout::cols;
      const Quantized qc = quantize_ok(f, o, x, 20, 37);
      std::vector<float> column(20);
      for (size_t r = 0; r < 20; ++r) column[r] = x[r * 37 + 3];
      const Quantized qcol = quantize_ok(f, o, column, 20, 1);
      CHECK(qc.scales[3] == qcol.scales[0]);
      for (size_t r = 0; r < 20; ++r) CHECK(qc.elements[r * 37 + 3] == qcol.elements[r]);
      // tile_2d: the corner tile, rows 16..19 x columns 32..36.
      o.layout = BlockLayout::tile_2d;
      const Quantized qtile = quantize_ok(f, o, x, 20, 37);
      std::vector<float> corner;
      for (size_t r = 16; r < 20; ++r)
        for (size_t c = 32; c < 37; ++c) corner.push_back(x[r * 37 + c]);
      const Quantized qcorner = quantize_ok(f, o, corner, 4, 5);
      CHECK(qtile.scales[1 * qtile.grid_cols + 2] == qcorner.scales[0]);
      for (size_t r = 16; r < 20; ++r)
        for (size_t c = 32; c < 37; ++c)
          CHECK(qtile.elements[r * 37 + c] == qcorner.elements[(r - 16) * 5 + (c - 32)]);
    }
}

TEST_CASE("quantising x along columns is quantising x^T along rows, transposed", "[block][layout]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  const size_t rows = 48, cols = 37;
  const auto x = checks::block_test_tensor(rows, cols, seed, checks::BlockInput::edge);
  const auto xt = transpose(x, rows, cols);
  for (const auto& named : named_block_formats())
    for (ScaleRule rule : rules_of(named.format))
      for (bool tile : {false, true})
        for (bool hadamard : {false, true}) {
          if (tile && hadamard) continue;  // tile_2d transforms along rows in both
          BlockFormat f = named.format;
          f.rule = rule;
          BlockOptions o, ot;
          o.layout = tile ? BlockLayout::tile_2d : BlockLayout::cols;
          ot.layout = tile ? BlockLayout::tile_2d : BlockLayout::rows;
          o.hadamard = ot.hadamard = hadamard;
          o.hadamard_seed = ot.hadamard_seed = seed;
          INFO(block_format_name(f) << (tile ? " tile_2d" : " cols vs rows") << (hadamard ? " hadamard" : ""));
          const Quantized q = quantize_ok(f, o, x, rows, cols);
          const Quantized qt = quantize_ok(f, ot, xt, cols, rows);
          CHECK(transpose(qt.elements, cols, rows) == q.elements);
          CHECK(transpose(qt.scales, qt.grid_rows, qt.grid_cols) == q.scales);
          CHECK(same_bits(q.tensor_scale, qt.tensor_scale));
          const auto y = dequantize_ok(f, o, q, rows, cols);
          const auto yt = transpose(dequantize_ok(f, ot, qt, cols, rows), cols, rows);
          size_t differ = 0;
          for (size_t i = 0; i < y.size(); ++i) differ += same_bits(y[i], yt[i]) ? 0 : 1;
          CHECK(differ == 0);
        }
}

TEST_CASE("the planted kernel differs from cpu_block where floor is asked for", "[block][planted]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  const auto& planted = block_kernel("planted_scale_ceil");
  const auto x = checks::block_test_tensor(32, 64, seed, checks::BlockInput::random);
  for (const auto& named : named_block_formats()) {
    INFO(named.name);
    const Quantized good = quantize_ok(named.format, BlockOptions{}, x, 32, 64);
    const Quantized bad = quantize(planted, named.format, BlockOptions{}, x, 32, 64);
    REQUIRE(bad.status == KernelStatus::ok);
    if (named.format.rule == ScaleRule::floor) CHECK(bad.scales != good.scales);
    else CHECK((bad.scales == good.scales && bad.elements == good.elements));
  }
  BlockFormat rceil = block_formats::mxfp4;
  rceil.rule = ScaleRule::rceil;
  CHECK(quantize(planted, rceil, BlockOptions{}, x, 32, 64).scales ==
        quantize_ok(rceil, BlockOptions{}, x, 32, 64).scales);
}

TEST_CASE("stochastic rounding is reproducible, indexed by element and unbiased", "[block][stochastic]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  const auto x = checks::block_test_tensor(8, 64, seed, checks::BlockInput::random);
  for (BlockFormat f : {block_formats::mxfp4, block_formats::mxfp6_e2m3, block_formats::mxint8})
    for (int k : {4, 32}) {
      f.rule = ScaleRule::rceil;  // never saturates: rounding up stays in range
      BlockOptions o;
      o.stochastic = true;
      o.sr_bits = static_cast<uint8_t>(k);
      o.sr_seed = seed;
      INFO(block_format_name(f) << " k " << k);
      const Quantized a = quantize_ok(f, o, x, 8, 64);
      CHECK(quantize_ok(f, o, x, 8, 64).elements == a.elements);
      // Element i uses block_rbits(seed, i): row 0 alone has the same indices.
      const std::vector<float> row0(x.begin(), x.begin() + 64);
      const Quantized r0 = quantize_ok(f, o, row0, 1, 64);
      CHECK(std::vector<uint8_t>(a.elements.begin(), a.elements.begin() + 64) == r0.elements);
      o.sr_seed = seed + 1;
      CHECK(quantize_ok(f, o, x, 8, 64).elements != a.elements);
      // Unbiased: the mean of n draws is within 5 sigma (sigma <= quantum / (2 sqrt n))
      // plus the 2^-k bias of the k-bit comparison.
      const int n = 2000;
      std::vector<double> sum(x.size(), 0.0);
      for (int draw = 0; draw < n; ++draw) {
        o.sr_seed = seed * 7919 + draw;
        const Quantized q = quantize_ok(f, o, x, 8, 64);
        REQUIRE(q.scales == a.scales);  // scales are never stochastic
        const auto y = dequantize_ok(f, o, q, 8, 64);
        for (size_t i = 0; i < y.size(); ++i) sum[i] += y[i];
      }
      for (size_t i = 0; i < x.size(); ++i) {
        const int e = a.scales[i / 32] - 127;
        const double quantum = std::ldexp(element_quantum(f, std::ldexp(double(x[i]), -e)), e);
        const double bound = 5 * quantum / (2 * std::sqrt(double(n))) + std::ldexp(quantum, -k);
        INFO("x[" << i << "] " << x[i] << " mean " << sum[i] / n << " quantum " << quantum);
        REQUIRE(std::fabs(sum[i] / n - x[i]) <= bound + std::ldexp(1.0, -149));
      }
    }
}

TEST_CASE("the Hadamard transform is refused along lengths that are not multiples of 16", "[block][hadamard]") {
  const auto& cpu = block_kernel("cpu_block");
  const std::vector<float> x(64 * 64, 1.0f);
  BlockOptions o;
  o.hadamard = true;
  for (auto [layout, rows, cols, refused, length] :
       {std::tuple{BlockLayout::rows, 24, 40, true, 40}, std::tuple{BlockLayout::tile_2d, 24, 40, true, 40},
        std::tuple{BlockLayout::cols, 24, 40, true, 24}, std::tuple{BlockLayout::rows, 40, 24 + 8, false, 32},
        std::tuple{BlockLayout::cols, 32, 30, false, 32}}) {
    o.layout = layout;
    INFO(block_layout_name(layout) << " " << rows << " x " << cols);
    const Quantized q = quantize(cpu, block_formats::mxfp8_e4m3, o, x, rows, cols);
    if (!refused) {
      CHECK(q.status == KernelStatus::ok);
      continue;
    }
    CHECK(q.status == KernelStatus::error);
    CHECK_THAT(q.message, Catch::Contains(std::to_string(length)) && Catch::Contains("multiple of 16"));
    std::vector<float> y(x.size());
    std::string message;
    CHECK(cpu.dequantize(block_formats::mxfp8_e4m3, o, q.elements.data(), q.scales.data(), 1.0f, rows,
                         cols, y.data(), &message) == KernelStatus::error);
  }
}

TEST_CASE("with the Hadamard transform the quantisation error stays small", "[block][hadamard]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  // Uniform in [-0.5, 0.5): no region far below its group's amax.
  std::vector<float> x(64 * 64);
  for (size_t i = 0; i < x.size(); ++i) {
    const uint64_t w = splitmix64_mix(seed + i);
    x[i] = static_cast<float>(static_cast<double>(w >> 40) / 0x1p24 - 0.5);
  }
  for (BlockFormat f : {block_formats::mxfp8_e4m3, block_formats::nvfp4, block_formats::mxint8})
    for (int layout = 0; layout < kBlockLayoutCount; ++layout) {
      BlockOptions o;
      o.layout = static_cast<BlockLayout>(layout);
      o.hadamard = true;
      o.hadamard_seed = seed;
      const auto y = dequantize_ok(f, o, quantize_ok(f, o, x, 64, 64), 64, 64);
      double err = 0, norm = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        err += (y[i] - x[i]) * double(y[i] - x[i]);
        norm += x[i] * double(x[i]);
      }
      INFO(block_format_name(f) << " " << block_layout_name(o.layout) << " relative RMS error "
                                << std::sqrt(err / norm));
      // Element precision 2^-(mbits+1) relative to the block amax: e2m1 0.25, e4m3 1/16.
      CHECK(std::sqrt(err / norm) < (f.element == formats::e2m1fn ? 0.25 : 0.0625));
    }
}
