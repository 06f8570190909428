/* examples/plugins: fp32 -> e4m3fn, written plainly in C (docs/SEMANTICS.md,
 * steps 1-6, for this one pair), shared by the example plugin (ties to even)
 * and the planted one (ties away from zero). */
#ifndef PLUMB_EXAMPLE_FP32_TO_E4M3FN_H
#define PLUMB_EXAMPLE_FP32_TO_E4M3FN_H

#include <stdint.h>

#include "plumb/plugin.h"

typedef enum { TIES_TO_EVEN, TIES_AWAY } example_ties;

/* One fp32 code into an e4m3fn code and its PLUMB_FLAG_* flags. overflow is a
 * plumb_plugin_overflow. */
uint8_t example_fp32_to_e4m3fn(uint32_t bits, example_ties ties, uint8_t overflow, uint8_t* flags);

/* The plugin function of both plugins: fp32 -> e4m3fn, nearest (ties as
 * given), every overflow policy; anything else is not_supported. */
plumb_plugin_status example_convert(const plumb_plugin_convert_args* args, const void* in, void* out, uint8_t* flags,
                                    size_t n, example_ties ties, plumb_plugin_message message);

#endif
