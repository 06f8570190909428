// planted_ties_away: a deliberately wrong kernel. When nearest_even is asked
// for it rounds ties away from zero; everything else is right. The suites and
// `plumb verify` must catch it with a counterexample (an exact tie).
#include "plumb/formats/round_to_format.hpp"
#include "plumb/kernels/convert_kernels_decl.hpp"

namespace plumb::kernels::cpu {

PLUMB_DECLARE_CONVERT_FN(convert_planted_ties_away) {
  ConvertArgs wrong = args;
  if (wrong.spec.rounding == Rounding::nearest_even) wrong.spec.rounding = Rounding::nearest_away;
  return convert_scalar(wrong, in, out, flags, n, rbits, message);
}

}  // namespace plumb::kernels::cpu
