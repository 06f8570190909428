// STUB: cpu_fast falls back to the scalar kernel until the fast path lands.
#include "plumb/kernels/convert_kernels_decl.hpp"
namespace plumb::kernels::cpu {
PLUMB_DECLARE_CONVERT_FN(convert_fast) { return convert_scalar(args, in, out, flags, n, rbits, message); }
}
