/* examples/plugins: libplumb_batch_variant_plugin.so, GEMM kernels for
 * `plumb repro --plugin` (docs/REPRO_SEMANTICS.md "Plugin kernels"):
 *   batch_variant_gemm_splitk  correct fp32 GEMM whose split-K factor depends on M, as
 *                              split-K heuristics do: a row's result changes with the
 *                              batch it is computed in; repro must say "varies"
 *   crash_gemm_m3              GEMM in k order that dereferences NULL when M = 3: every
 *                              such call is a kernel_error row and the run goes on */
#include <stdio.h>

#include "plumb/plugin.h"

/* Splits: 16 chunks for M = 1, fewer as M grows (16 / M, at least 1); each
 * chunk summed in k order, the chunk partials added left to right. */
static plumb_plugin_status gemm_splitk(const plumb_plugin_gemm_args* a, float* c_f32, int32_t* c_i32,
                                       plumb_plugin_message message) {
  (void)c_i32;
  if (a->kind != PLUMB_GEMM_FP32) {
    snprintf(message.text, message.capacity, "fp32 operands only");
    return PLUMB_STATUS_NOT_SUPPORTED;
  }
  size_t splits = a->m >= 16 ? 1 : 16 / a->m;
  if (splits > a->k) splits = a->k ? a->k : 1;
  const size_t chunk = (a->k + splits - 1) / splits;
  for (size_t i = 0; i < a->m; ++i)
    for (size_t j = 0; j < a->n; ++j) {
      float total = 0;
      for (size_t s = 0; s * chunk < a->k; ++s) {
        float part = 0;
        const size_t end = (s + 1) * chunk < a->k ? (s + 1) * chunk : a->k;
        for (size_t k = s * chunk; k < end; ++k) part += a->a_f32[i * a->k + k] * a->b_f32[j * a->k + k];
        total += part;
      }
      c_f32[i * a->n + j] = total;
    }
  return PLUMB_STATUS_OK;
}

static plumb_plugin_status gemm_crash_m3(const plumb_plugin_gemm_args* a, float* c_f32, int32_t* c_i32,
                                         plumb_plugin_message message) {
  (void)c_i32;
  (void)message;
  if (a->m == 3) {
    volatile float* nowhere = NULL;
    *nowhere = 1.0f;
  }
  for (size_t i = 0; i < a->m; ++i)
    for (size_t j = 0; j < a->n; ++j) {
      float sum = 0;
      for (size_t k = 0; k < a->k; ++k) sum += a->a_f32[i * a->k + k] * a->b_f32[j * a->k + k];
      c_f32[i * a->n + j] = sum;
    }
  return PLUMB_STATUS_OK;
}

static const plumb_plugin_kernel kKernels[] = {
    {.name = "batch_variant_gemm_splitk",
     .description = "batch-variant example: fp32 GEMM, split-K factor 16 / M",
     .op = PLUMB_OP_GEMM,
     .device = PLUMB_DEVICE_CPU,
     .formats = "fp32",
     .gemm = gemm_splitk,
     .gemm_accumulator_bits = 24},
    {.name = "crash_gemm_m3",
     .description = "misbehaving example: fp32 GEMM that crashes when M = 3",
     .op = PLUMB_OP_GEMM,
     .device = PLUMB_DEVICE_CPU,
     .formats = "fp32",
     .gemm = gemm_crash_m3,
     .gemm_accumulator_bits = 24},
};

PLUMB_PLUGIN_EXPORT uint32_t plumb_plugin_abi_version(void) { return PLUMB_PLUGIN_ABI_VERSION; }

PLUMB_PLUGIN_EXPORT const plumb_plugin_kernel* plumb_plugin_kernels(size_t* count) {
  *count = sizeof kKernels / sizeof kKernels[0];
  return kKernels;
}
