// cuda_planted_ties_away: the planted bug on the GPU (ties rounded away where
// nearest_even is asked for), so the suites show they catch a wrong GPU
// kernel too, and the exhaustive sweep's planted counterexamples reproduce
// with `plumb convert --kernel cuda_planted_ties_away`.
#include "plumb/kernels/convert_kernels_decl.hpp"

namespace plumb::kernels::cuda {

PLUMB_DECLARE_CONVERT_FN(convert_planted_ties_away) {
  ConvertArgs wrong = args;
  if (wrong.spec.rounding == Rounding::nearest_even) wrong.spec.rounding = Rounding::nearest_away;
  return convert_plumb(wrong, in, out, flags, n, rbits, message);
}

}  // namespace plumb::kernels::cuda
