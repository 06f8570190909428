/* examples/plugins: libplumb_misbehaving_plugin.so, kernels that crash, hang
 * and write out of bounds, next to one correct kernel. `plumb verify` must
 * report each misbehaving call as kernel_error with its reason and finish
 * the run (docs/PLUGINS.md, "Isolation"). Each misbehaves only on the
 * fp32 -> e4m3fn nearest_even/saturate cells and declines the others, so
 * a test stays short. */
#include <stdint.h>
#include <string.h>

#include "fp32_to_e4m3fn.h"
#include "plumb/plugin.h"

static int misbehaves_here(const plumb_plugin_convert_args* args) {
  return strcmp(args->from.name, "fp32") == 0 && strcmp(args->to.name, "e4m3fn") == 0 &&
         args->rounding == PLUMB_ROUND_NEAREST_EVEN && args->overflow == PLUMB_OVERFLOW_SATURATE;
}

static plumb_plugin_status decline(plumb_plugin_message message) {
  strncpy(message.text, "misbehaves on fp32 -> e4m3fn nearest_even/saturate only", message.capacity - 1);
  return PLUMB_STATUS_NOT_SUPPORTED;
}

static plumb_plugin_status segfaults(const plumb_plugin_convert_args* args, const void* in, void* out,
                                     uint8_t* flags, size_t n, const uint32_t* rbits, plumb_plugin_message message) {
  (void)in, (void)out, (void)flags, (void)n, (void)rbits;
  if (!misbehaves_here(args)) return decline(message);
  volatile uintptr_t wild = 8; /* a wild pointer, as a real bug would have it */
  *(volatile uint8_t*)wild = 1;
  return PLUMB_STATUS_OK;
}

static plumb_plugin_status hangs(const plumb_plugin_convert_args* args, const void* in, void* out, uint8_t* flags,
                                 size_t n, const uint32_t* rbits, plumb_plugin_message message) {
  (void)in, (void)out, (void)flags, (void)n, (void)rbits;
  if (!misbehaves_here(args)) return decline(message);
  for (volatile int spin = 1; spin;) {
  }
  return PLUMB_STATUS_OK;
}

static plumb_plugin_status writes_past_end(const plumb_plugin_convert_args* args, const void* in, void* out,
                                           uint8_t* flags, size_t n, const uint32_t* rbits,
                                           plumb_plugin_message message) {
  (void)rbits;
  if (!misbehaves_here(args)) return decline(message);
  const plumb_plugin_status s = example_convert(args, in, out, flags, n, TIES_TO_EVEN, message);
  volatile uint8_t* y = (volatile uint8_t*)out;
  for (size_t i = n; i < n + 64; ++i) y[i] = 0; /* the classic off-by-a-tail */
  return s;
}

static plumb_plugin_status convert_ok(const plumb_plugin_convert_args* args, const void* in, void* out,
                                      uint8_t* flags, size_t n, const uint32_t* rbits, plumb_plugin_message message) {
  (void)rbits;
  return example_convert(args, in, out, flags, n, TIES_TO_EVEN, message);
}

#define CONVERT_KERNEL(NAME, FN, DESCRIPTION) \
  {.name = NAME, .description = DESCRIPTION, .op = PLUMB_OP_CONVERT, .device = PLUMB_DEVICE_CPU, \
   .formats = "fp32,e4m3fn", .convert = FN}

static const plumb_plugin_kernel kKernels[] = {
    CONVERT_KERNEL("bad_segfault", segfaults, "misbehaving plugin: dies of SIGSEGV"),
    CONVERT_KERNEL("bad_hang", hangs, "misbehaving plugin: never returns"),
    CONVERT_KERNEL("bad_overrun", writes_past_end, "misbehaving plugin: writes 64 bytes past its output"),
    CONVERT_KERNEL("good_after_bad", convert_ok, "misbehaving plugin's one correct kernel"),
};

PLUMB_PLUGIN_EXPORT uint32_t plumb_plugin_abi_version(void) { return PLUMB_PLUGIN_ABI_VERSION; }

PLUMB_PLUGIN_EXPORT const plumb_plugin_kernel* plumb_plugin_kernels(size_t* count) {
  *count = sizeof kKernels / sizeof kKernels[0];
  return kKernels;
}
