// examples/plugins: libplumb_formats_plugin.so, a plugin written in C++ on
// plumb's header-only formats library: L-Mul (elementwise, dot, GEMM) and
// block quantise / dequantise. Its kernels compute what plumb's own cpu_lmul
// and cpu_block compute, so `plumb verify --plugin` must pass every cell:
// the test that the plugin arguments (plumb/plugin.h) carry every field of
// plumb's C++ arguments both ways. Only C types cross the boundary.
#include <cstdio>
#include <string>

#include "plumb/formats/block_tensor.hpp"
#include "plumb/formats/lmul.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/plugin.h"

namespace {

using namespace plumb;

FormatDesc desc(const plumb_plugin_format& f) {
  return FormatDesc{f.ebits, f.mbits, f.bias, f.is_signed != 0, static_cast<Encoding>(f.encoding)};
}

LmulSpec spec(const plumb_plugin_lmul_args& a) {
  return LmulSpec{static_cast<LmulCarry>(a.carry), static_cast<LmulSubnormals>(a.subnormals),
                  static_cast<Overflow>(a.overflow)};
}

uint64_t load(const void* base, int bytes, size_t i) {
  const auto* p = static_cast<const uint8_t*>(base) + i * bytes;
  uint64_t code = 0;
  for (int b = 0; b < bytes; ++b) code |= uint64_t{p[b]} << (8 * b);
  return code;
}
void store(void* base, int bytes, size_t i, uint64_t code) {
  auto* p = static_cast<uint8_t*>(base) + i * bytes;
  for (int b = 0; b < bytes; ++b) p[b] = static_cast<uint8_t>(code >> (8 * b));
}

plumb_plugin_status declined(const FormatDesc& f, plumb_plugin_message m) {
  if (lmul_supports(f)) return PLUMB_STATUS_OK;
  std::snprintf(m.text, m.capacity, "L-Mul takes signed floats of 1..8 exponent and 1..23 mantissa bits");
  return PLUMB_STATUS_NOT_SUPPORTED;
}

// One product read exactly as fp32; sums in fp32, index order, no FMA.
float product(const FormatDesc& f, const LmulSpec& s, uint64_t a, uint64_t b) {
  return static_cast<float>(decode(f, lmul_code(f, s, a, b, true)));
}

plumb_plugin_status lmul_elementwise(const plumb_plugin_lmul_args* args, const void* a, const void* b, void* out,
                                     size_t n, plumb_plugin_message m) {
  const FormatDesc f = desc(args->format);
  if (auto s = declined(f, m)) return s;
  const int bytes = args->format.storage_bytes;
  for (size_t i = 0; i < n; ++i) store(out, bytes, i, lmul_code(f, spec(*args), load(a, bytes, i), load(b, bytes, i), true));
  return PLUMB_STATUS_OK;
}

plumb_plugin_status lmul_dot(const plumb_plugin_lmul_args* args, const void* a, const void* b, size_t n, float* out,
                             plumb_plugin_message m) {
  const FormatDesc f = desc(args->format);
  if (auto s = declined(f, m)) return s;
  const int bytes = args->format.storage_bytes;
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) sum += product(f, spec(*args), load(a, bytes, i), load(b, bytes, i));
  *out = sum;
  return PLUMB_STATUS_OK;
}

plumb_plugin_status lmul_gemm(const plumb_plugin_lmul_args* args, const void* a, const void* b, size_t rows,
                              size_t cols, size_t k, float* c, plumb_plugin_message m) {
  const FormatDesc f = desc(args->format);
  if (auto s = declined(f, m)) return s;
  const int bytes = args->format.storage_bytes;
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j) {
      float sum = 0.0f;
      for (size_t p = 0; p < k; ++p)
        sum += product(f, spec(*args), load(a, bytes, i * k + p), load(b, bytes, p * cols + j));
      c[i * cols + j] = sum;
    }
  return PLUMB_STATUS_OK;
}

BlockFormat block_format(const plumb_plugin_block_args& a) {
  BlockFormat f;
  f.element = desc(a.element);
  f.scale = desc(a.scale);
  f.block_size = a.block_size;
  f.rule = static_cast<ScaleRule>(a.rule);
  f.tensor_scale = a.tensor_scale != 0;
  f.element_shift = a.element_shift;
  f.symmetric_int = a.symmetric_int != 0;
  return f;
}

BlockOptions block_options(const plumb_plugin_block_args& a) {
  BlockOptions o;
  o.layout = static_cast<BlockLayout>(a.layout);
  o.hadamard = a.hadamard != 0;
  o.hadamard_seed = a.hadamard_seed;
  o.stochastic = a.stochastic != 0;
  o.sr_bits = a.sr_bits;
  o.sr_seed = a.sr_seed;
  return o;
}

plumb_plugin_status status_of(const std::string& problem, plumb_plugin_message m) {
  if (problem.empty()) return PLUMB_STATUS_OK;
  std::snprintf(m.text, m.capacity, "%s", problem.c_str());
  return PLUMB_STATUS_ERROR;
}

plumb_plugin_status quantize(const plumb_plugin_block_args* args, const float* x, size_t rows, size_t cols,
                             uint8_t* elements, uint8_t* scales, float* tensor_scale, plumb_plugin_message m) {
  return status_of(quantize_tensor(block_format(*args), block_options(*args), x, rows, cols, elements, scales,
                                   tensor_scale),
                   m);
}

plumb_plugin_status dequantize(const plumb_plugin_block_args* args, const uint8_t* elements, const uint8_t* scales,
                               float tensor_scale, size_t rows, size_t cols, float* out, plumb_plugin_message m) {
  return status_of(dequantize_tensor(block_format(*args), block_options(*args), elements, scales, tensor_scale,
                                     rows, cols, out),
                   m);
}

plumb_plugin_kernel kernels_table[2] = {};

}  // namespace

extern "C" {

PLUMB_PLUGIN_EXPORT uint32_t plumb_plugin_abi_version(void) { return PLUMB_PLUGIN_ABI_VERSION; }

PLUMB_PLUGIN_EXPORT const plumb_plugin_kernel* plumb_plugin_kernels(size_t* count) {
  plumb_plugin_kernel& lmul = kernels_table[0];
  lmul.name = "formats_lmul";
  lmul.description = "formats plugin (C++): L-Mul through formats/lmul.hpp";
  lmul.op = PLUMB_OP_LMUL;
  lmul.device = PLUMB_DEVICE_CPU;
  lmul.lmul_elementwise = lmul_elementwise;
  lmul.lmul_dot = lmul_dot;
  lmul.lmul_gemm = lmul_gemm;
  plumb_plugin_kernel& block = kernels_table[1];
  block.name = "formats_block";
  block.description = "formats plugin (C++): block quantise through formats/block_tensor.hpp";
  block.op = PLUMB_OP_BLOCK_QUANTIZE;
  block.device = PLUMB_DEVICE_CPU;
  block.quantize = quantize;
  block.dequantize = dequantize;
  *count = 2;
  return kernels_table;
}

}  // extern "C"
