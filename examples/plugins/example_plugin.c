/* examples/plugins: libplumb_example_plugin.so, two correct CPU kernels
 * through plumb/plugin.h (docs/PLUGINS.md):
 *   example_fp32_to_e4m3fn  conversion fp32 -> e4m3fn, nearest_even, every overflow policy
 *   example_softmax_fp64    softmax of fp32 rows, three passes in double, one rounding to fp32
 *   example_gemm_naive      GEMM, fp32 (fp32 sums in k order) and int8 (exact int32 sums)
 * `plumb verify --plugin libplumb_example_plugin.so` passes all three. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fp32_to_e4m3fn.h"
#include "plumb/plugin.h"

static plumb_plugin_status convert_ties_to_even(const plumb_plugin_convert_args* args, const void* in, void* out,
                                                uint8_t* flags, size_t n, const uint32_t* rbits,
                                                plumb_plugin_message message) {
  (void)rbits;
  return example_convert(args, in, out, flags, n, TIES_TO_EVEN, message);
}

/* SOFTMAX_SEMANTICS.md: a NaN or a +inf in the row, or a row of only -inf,
 * gives NaN everywhere; -inf among finite values gives exactly +0. */
static void softmax_row(const float* x, float* y, size_t cols) {
  double max = -INFINITY;
  int nan = 0;
  for (size_t j = 0; j < cols; ++j) {
    if (isnan(x[j])) nan = 1;
    else if (x[j] > max) max = x[j];
  }
  if (nan || max == INFINITY || max == -INFINITY) {
    for (size_t j = 0; j < cols; ++j) y[j] = NAN;
    return;
  }
  double sum = 0;
  for (size_t j = 0; j < cols; ++j) sum += exp((double)x[j] - max);
  for (size_t j = 0; j < cols; ++j) y[j] = (float)(exp((double)x[j] - max) / sum);
}

static plumb_plugin_status softmax_fp64(const plumb_plugin_format* in_format, const plumb_plugin_format* out_format,
                                        const void* in, void* out, size_t rows, size_t cols,
                                        plumb_plugin_message message) {
  if (strcmp(in_format->name, "fp32") != 0 || strcmp(out_format->name, "fp32") != 0) {
    snprintf(message.text, message.capacity, "fp32 in and out only");
    return PLUMB_STATUS_NOT_SUPPORTED;
  }
  for (size_t i = 0; i < rows; ++i) softmax_row((const float*)in + i * cols, (float*)out + i * cols, cols);
  return PLUMB_STATUS_OK;
}

/* C[i][j] = sum_k A[i][k] B[j][k]; both operands row-major with K contiguous. */
static plumb_plugin_status gemm_naive(const plumb_plugin_gemm_args* a, float* c_f32, int32_t* c_i32,
                                      plumb_plugin_message message) {
  for (size_t i = 0; i < a->m; ++i)
    for (size_t j = 0; j < a->n; ++j) {
      if (a->kind == PLUMB_GEMM_FP32) {
        float sum = 0;
        for (size_t k = 0; k < a->k; ++k) sum += a->a_f32[i * a->k + k] * a->b_f32[j * a->k + k];
        c_f32[i * a->n + j] = sum;
      } else if (a->kind == PLUMB_GEMM_INT8) {
        int32_t sum = 0;
        for (size_t k = 0; k < a->k; ++k) sum += (int32_t)a->a_i8[i * a->k + k] * a->b_i8[j * a->k + k];
        c_i32[i * a->n + j] = sum;
      } else {
        snprintf(message.text, message.capacity, "fp32 and int8 operands only");
        return PLUMB_STATUS_NOT_SUPPORTED;
      }
    }
  return PLUMB_STATUS_OK;
}

static const plumb_plugin_kernel kKernels[] = {
    {.name = "example_fp32_to_e4m3fn",
     .description = "example plugin: fp32 -> e4m3fn in plain C, nearest_even",
     .op = PLUMB_OP_CONVERT,
     .device = PLUMB_DEVICE_CPU,
     .formats = "fp32,e4m3fn",
     .convert = convert_ties_to_even},
    {.name = "example_softmax_fp64",
     .description = "example plugin: fp32 softmax, three passes in double",
     .op = PLUMB_OP_SOFTMAX,
     .device = PLUMB_DEVICE_CPU,
     .formats = "fp32",
     .softmax = softmax_fp64,
     .softmax_algorithm = PLUMB_SOFTMAX_THREE_PASS_RECOMPUTE,
     .softmax_lanes = 1,
     .softmax_fp32_block = 0},
    {.name = "example_gemm_naive",
     .description = "example plugin: GEMM in plain loops, fp32 and int8",
     .op = PLUMB_OP_GEMM,
     .device = PLUMB_DEVICE_CPU,
     .formats = "fp32,int8",
     .gemm = gemm_naive,
     .gemm_accumulator_bits = 24},
};

PLUMB_PLUGIN_EXPORT uint32_t plumb_plugin_abi_version(void) { return PLUMB_PLUGIN_ABI_VERSION; }

PLUMB_PLUGIN_EXPORT const plumb_plugin_kernel* plumb_plugin_kernels(size_t* count) {
  *count = sizeof kKernels / sizeof kKernels[0];
  return kKernels;
}
