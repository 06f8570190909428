// Unit tests of the plugin adapters (harness/src/plugin_registry.hpp): a
// plugin kernel of each op, registered without dlopen, is called through its
// registry entry with the C arguments plumb/plugin.h documents, and its
// outputs come back; cells outside its declared formats are not_supported
// without a call; a taken name is refused.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "plugin_registry.hpp"
#include "plumb/formats/block_names.hpp"
#include "plumb/formats/format_names.hpp"

using namespace plumb;
using namespace plumb::harness;

namespace {


plumb_plugin_status lmul_xor(const plumb_plugin_lmul_args* args, const void* a, const void* b, void* out, size_t n,
                             plumb_plugin_message) {
  if (args->carry != 1 || args->subnormals != 1 || args->overflow != PLUMB_OVERFLOW_NAN ||
      std::strcmp(args->format.name, "e4m3fn") != 0 || args->format.storage_bytes != 1)
    return PLUMB_STATUS_ERROR;
  for (size_t i = 0; i < n; ++i)
    static_cast<uint8_t*>(out)[i] = static_cast<const uint8_t*>(a)[i] ^ static_cast<const uint8_t*>(b)[i];
  return PLUMB_STATUS_OK;
}

plumb_plugin_status quantize_fill(const plumb_plugin_block_args* args, const float*, size_t rows, size_t cols,
                                  uint8_t* elements, uint8_t* scales, float* tensor_scale, plumb_plugin_message) {
  // The arguments as seen in the child, reported through the first elements.
  std::memset(elements, 1, rows * cols);
  elements[0] = args->layout;
  elements[1] = static_cast<uint8_t>(args->scale_rows);
  elements[2] = static_cast<uint8_t>(args->scale_cols);
  elements[3] = std::strcmp(args->name, "mxfp4") == 0;
  elements[4] = std::strcmp(args->element.name, "e2m1fn") == 0;
  std::memset(scales, 2, args->scale_rows * args->scale_cols);  // exactly the grid: a larger one would fault
  *tensor_scale = 3.0f;
  return PLUMB_STATUS_OK;
}
plumb_plugin_status dequantize_fill(const plumb_plugin_block_args*, const uint8_t*, const uint8_t*, float, size_t rows,
                                    size_t cols, float* out, plumb_plugin_message) {
  for (size_t i = 0; i < rows * cols; ++i) out[i] = 0.5f;
  return PLUMB_STATUS_OK;
}

plumb_plugin_status gemm_int8(const plumb_plugin_gemm_args* a, float* c_f32, int32_t* c_i32,
                              plumb_plugin_message message) {
  if (c_f32 || !c_i32) {
    std::snprintf(message.text, message.capacity, "int8 must write c_i32 only");
    return PLUMB_STATUS_ERROR;
  }
  for (size_t i = 0; i < a->m * a->n; ++i) c_i32[i] = static_cast<int32_t>(a->k);
  return PLUMB_STATUS_OK;
}

const PluginRegistry& registered() {
  static const LoadedPlugin plugin = [] {
    LoadedPlugin p;
    p.path = "(in test)";
    p.abi_version = PLUMB_PLUGIN_ABI_VERSION;
    plumb_plugin_kernel lmul{}, block{}, gemm{};
    lmul.name = "test_plugin_lmul", lmul.op = PLUMB_OP_LMUL, lmul.lmul_elementwise = lmul_xor;
    block.name = "test_plugin_block", block.op = PLUMB_OP_BLOCK_QUANTIZE, block.formats = "mxfp4";
    block.quantize = quantize_fill, block.dequantize = dequantize_fill;
    gemm.name = "test_plugin_gemm", gemm.op = PLUMB_OP_GEMM, gemm.formats = "int8", gemm.gemm = gemm_int8;
    p.kernels = {{p.path, lmul, {}}, {p.path, block, {"mxfp4"}}, {p.path, gemm, {"int8"}}};
    return p;
  }();
  static const PluginRegistry& r = register_plugin(plugin, IsolationOptions{});
  return r;
}

}  // namespace

TEST_CASE("plugin L-Mul kernels run through the registry entry", "[plugin]") {
  const auto& r = registered();
  REQUIRE(r.lmul.size() == 1);
  const auto& k = r.lmul.front();
  CHECK(std::string(k.name) == "test_plugin_lmul");
  const kernels::LmulArgs args{formats::e4m3fn, LmulSpec{LmulCarry::int_add, LmulSubnormals::gradual, Overflow::nan}};
  const std::vector<uint8_t> a = {1, 2, 3}, b = {4, 4, 4};
  std::vector<uint8_t> out(3);
  std::string message;
  CHECK(k.elementwise(args, a.data(), b.data(), out.data(), 3, &message) == kernels::KernelStatus::ok);
  CHECK(out == std::vector<uint8_t>{5, 6, 7});  // written in the child, copied back
  float dot = 0;
  CHECK(k.dot(args, a.data(), b.data(), 3, &dot, &message) == kernels::KernelStatus::not_supported);
  CHECK(message == "plugin kernel has no lmul_dot");
}

TEST_CASE("plugin block kernels get the scale grid and named format", "[plugin]") {
  const auto& k = registered().block.front();
  BlockOptions o;
  o.layout = BlockLayout::cols;
  const size_t rows = 70, cols = 3;
  const auto grid = kernels::scale_grid(block_formats::mxfp4, o.layout, rows, cols);
  std::vector<float> x(rows * cols, 1.0f);
  std::vector<uint8_t> elements(rows * cols), scales(grid.rows * grid.cols);
  float ts = 0;
  std::string message;
  CHECK(k.quantize(block_formats::mxfp4, o, x.data(), rows, cols, elements.data(), scales.data(), &ts, &message) ==
        kernels::KernelStatus::ok);
  CHECK(message.empty());
  CHECK(elements[0] == 1);  // layout cols
  CHECK(elements[1] == 3);  // ceil(70 / 32) blocks down each column
  CHECK(elements[2] == 3);
  CHECK(elements[3] == 1);  // block format name mxfp4
  CHECK(elements[4] == 1);  // element format name e2m1fn
  CHECK(elements.back() == 1);
  CHECK(scales.back() == 2);
  CHECK(ts == 3.0f);
  // mxfp8 is not among its formats: not_supported, and the kernel is not called.
  CHECK(k.quantize(block_formats::mxfp8_e4m3, o, x.data(), rows, cols, elements.data(), scales.data(), &ts,
                   &message) == kernels::KernelStatus::not_supported);
  CHECK(message == "plugin kernel takes mxfp4, not mxfp8_e4m3");
}

TEST_CASE("plugin GEMM kernels get the output of their operand kind", "[plugin]") {
  const auto& k = registered().gemm.front();
  CHECK(k.accumulator_bits == 24);
  const std::vector<int8_t> a(2 * 5, 1), b(3 * 5, 1);
  kernels::GemmArgs args;
  args.kind = kernels::GemmKind::int8;
  args.m = 2, args.n = 3, args.k = 5;
  args.a_i8 = a.data(), args.b_i8 = b.data();
  std::vector<float> c_f32(6);
  std::vector<int32_t> c_i32(6);
  std::string message;
  CHECK(k.fn(args, c_f32.data(), c_i32.data(), &message) == kernels::KernelStatus::ok);
  CHECK(message.empty());
  CHECK(c_i32 == std::vector<int32_t>(6, 5));
  args.kind = kernels::GemmKind::fp32;
  CHECK(k.fn(args, c_f32.data(), c_i32.data(), &message) == kernels::KernelStatus::not_supported);
}

TEST_CASE("a plugin kernel may not take a built-in kernel's name", "[plugin]") {
  registered();
  LoadedPlugin p;
  p.path = "(clash)";
  plumb_plugin_kernel k{};
  k.name = "cpu_scalar", k.op = PLUMB_OP_CONVERT;
  p.kernels = {{p.path, k, {}}};
  CHECK_THROWS_WITH(register_plugin(p, IsolationOptions{}),
                    "plugin (clash): kernel name cpu_scalar is already taken (a built-in kernel or another plugin's)");
}
