// planted_scale_ceil: a deliberately wrong block kernel that the suites must
// catch. It quantises with the MX scale rule `ceil` where `floor` is asked for
// (one binade too high whenever a block's amax is not a power of two, so its
// elements lose a bit); everything else is cpu_block's. Dequantisation is
// cpu_block's own.
#include <string>

#include "plumb/kernels/block_kernels_decl.hpp"

namespace plumb::kernels::cpu {

PLUMB_DECLARE_BLOCK_QUANTIZE_FN(block_planted_scale_ceil_quantize) {
  BlockFormat wrong = format;
  if (wrong.rule == ScaleRule::floor) wrong.rule = ScaleRule::ceil;  // the planted bug
  return block_quantize(wrong, options, x, rows, cols, elements, scales, tensor_scale, message);
}

}  // namespace plumb::kernels::cpu
