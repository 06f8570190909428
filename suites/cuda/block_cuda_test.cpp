// cuda_block against cpu_block: every named block format under each of its
// scale rules (MX: floor, ceil, even, rceil; NV: nv_te, nv_exact), every
// layout, with and without the Hadamard transform, with nearest-even and
// stochastic rounding (k = 8 and 32), on seeded random and edge tensors
// (zeros, subnormals, NaN, infinities, FLT_MAX, ties) whose shapes are and are
// not multiples of the block and of 16. Both kernels run the same formats/
// definition, so elements, scales, S_enc and the dequantised tensor must agree
// bit for bit, and both must refuse the same arguments.
//
// Inputs come from Catch's --rng-seed; a failure prints the seed and the first
// few differing positions.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "plumb/checks/block_inputs.hpp"
#include "plumb/formats/block_names.hpp"
#include "plumb/kernels/block_kernel.hpp"

namespace {

using namespace plumb;
using plumb::checks::BlockInput;
using plumb::kernels::BlockKernel;
using plumb::kernels::KernelStatus;

constexpr int kShown = 5;

const BlockKernel& kernel(const char* name) {
  const BlockKernel* k = plumb::kernels::find_block_kernel(name);
  INFO("kernel " << name << " is not in the registry");
  REQUIRE(k != nullptr);
  return *k;
}

struct Run {
  KernelStatus quantize = KernelStatus::ok, dequantize = KernelStatus::ok;
  std::string message;
  std::vector<uint8_t> elements, scales;
  float tensor_scale = 0.0f;
  std::vector<float> y;
};

Run run(const BlockKernel& k, const BlockFormat& f, const BlockOptions& o,
        const std::vector<float>& x, size_t rows, size_t cols) {
  Run r;
  const auto grid = plumb::kernels::scale_grid(f, o.layout, rows, cols);
  r.elements.assign(rows * cols, 0xAA);
  r.scales.assign(grid.rows * grid.cols, 0xAA);
  r.quantize = k.quantize(f, o, x.data(), rows, cols, r.elements.data(), r.scales.data(),
                          &r.tensor_scale, &r.message);
  if (r.quantize != KernelStatus::ok) return r;
  r.y.assign(rows * cols, 0.0f);
  r.dequantize = k.dequantize(f, o, r.elements.data(), r.scales.data(), r.tensor_scale, rows,
                              cols, r.y.data(), &r.message);
  return r;
}

template <typename T>
std::string differences(const std::vector<T>& got, const std::vector<T>& want, const char* what) {
  std::string s;
  int shown = 0;
  size_t count = 0;
  for (size_t i = 0; i < got.size() && i < want.size(); ++i)
    if (std::memcmp(&got[i], &want[i], sizeof(T)) != 0) {
      ++count;
      if (shown++ < kShown) {
        uint32_t g = 0, w = 0;
        std::memcpy(&g, &got[i], sizeof(T));
        std::memcpy(&w, &want[i], sizeof(T));
        char buf[96];
        std::snprintf(buf, sizeof buf, " %s[%zu]: cuda 0x%x cpu 0x%x;", what, i, g, w);
        s += buf;
      }
    }
  if (got.size() != want.size()) s += std::string(" ") + what + " sizes differ;";
  return count ? std::to_string(count) + " differ:" + s : s;
}

std::vector<ScaleRule> rules_of(const BlockFormat& f) {
  if (is_nv_rule(f.rule)) return {ScaleRule::nv_te, ScaleRule::nv_exact};
  return {ScaleRule::floor, ScaleRule::ceil, ScaleRule::even, ScaleRule::rceil};
}

}  // namespace

TEST_CASE("cuda_block agrees with cpu_block bit for bit", "[cuda][block]") {
  const BlockKernel& cpu = kernel("cpu_block");
  const BlockKernel& gpu = kernel("cuda_block");
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed << " (--rng-seed " << seed << " repeats it)");
  struct Shape {
    size_t rows, cols;
  };
  // Multiples of 16 and 32 or not, in either direction; one row; one column.
  const Shape shapes[] = {{1, 7}, {16, 16}, {37, 53}, {48, 80}, {64, 96}, {33, 32}, {5, 1}};
  size_t compared = 0, refused = 0;
  for (const auto& named : named_block_formats())
    for (ScaleRule rule : rules_of(named.format))
      for (int block : {named.format.block_size, 8})
        for (int layout = 0; layout < kBlockLayoutCount; ++layout)
          for (bool hadamard : {false, true})
            for (int sr_bits : {0, 8, 32})
              for (const Shape& s : shapes)
                for (BlockInput kind : {BlockInput::random, BlockInput::edge}) {
                  if (layout == static_cast<int>(BlockLayout::tile_2d) && block != named.format.block_size)
                    continue;  // tile_2d does not use the block size
                  BlockFormat f = named.format;
                  f.rule = rule;
                  f.block_size = block;
                  BlockOptions o;
                  o.layout = static_cast<BlockLayout>(layout);
                  o.hadamard = hadamard;
                  o.hadamard_seed = seed + 17;
                  o.stochastic = sr_bits > 0;
                  o.sr_bits = static_cast<uint8_t>(sr_bits > 0 ? sr_bits : 32);
                  o.sr_seed = seed + 23;
                  const uint64_t tensor_seed = seed * 31 + s.rows * 1000 + s.cols;
                  const auto x = checks::block_test_tensor(s.rows, s.cols, tensor_seed, kind);
                  const Run want = run(cpu, f, o, x, s.rows, s.cols);
                  const Run got = run(gpu, f, o, x, s.rows, s.cols);
                  INFO(block_format_name(f) << " layout " << block_layout_name(o.layout)
                       << (hadamard ? " hadamard" : "") << " sr_bits " << sr_bits << " "
                       << s.rows << "x" << s.cols << (kind == BlockInput::edge ? " edge" : " random")
                       << " | cuda: " << got.message << " | cpu: " << want.message);
                  REQUIRE(got.quantize == want.quantize);
                  if (want.quantize != KernelStatus::ok) {
                    ++refused;
                    continue;
                  }
                  REQUIRE(got.dequantize == want.dequantize);
                  CHECK(differences(got.elements, want.elements, "element") == "");
                  CHECK(differences(got.scales, want.scales, "scale") == "");
                  CHECK(differences(std::vector<float>{got.tensor_scale},
                                    std::vector<float>{want.tensor_scale}, "S_enc") == "");
                  CHECK(differences(got.y, want.y, "dequantised") == "");
                  ++compared;
                }
  std::printf("cuda_block == cpu_block: %zu tensors compared, %zu refused by both\n", compared,
              refused);
  CHECK(refused > 0);  // the Hadamard refusals were exercised
}
