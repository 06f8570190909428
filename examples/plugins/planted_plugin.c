/* examples/plugins: libplumb_planted_plugin.so, a user kernel with a planted
 * bug: fp32 -> e4m3fn rounding ties away from zero where nearest_even is
 * asked for. It does not say so (planted_bug = 0): `plumb verify --plugin`
 * must reject it on its own, with counterexamples (docs/PLUGINS.md). */
#include "fp32_to_e4m3fn.h"
#include "plumb/plugin.h"

static plumb_plugin_status convert_ties_away(const plumb_plugin_convert_args* args, const void* in, void* out,
                                             uint8_t* flags, size_t n, const uint32_t* rbits,
                                             plumb_plugin_message message) {
  (void)rbits;
  return example_convert(args, in, out, flags, n, TIES_AWAY, message);
}

static const plumb_plugin_kernel kKernels[] = {
    {.name = "user_fp32_to_e4m3fn_ties_away",
     .description = "planted plugin: fp32 -> e4m3fn, ties away from zero (a bug)",
     .op = PLUMB_OP_CONVERT,
     .device = PLUMB_DEVICE_CPU,
     .formats = "fp32,e4m3fn",
     .convert = convert_ties_away},
};

PLUMB_PLUGIN_EXPORT uint32_t plumb_plugin_abi_version(void) { return PLUMB_PLUGIN_ABI_VERSION; }

PLUMB_PLUGIN_EXPORT const plumb_plugin_kernel* plumb_plugin_kernels(size_t* count) {
  *count = sizeof kKernels / sizeof kKernels[0];
  return kKernels;
}
