// cpu_scalar: formats/ round_to_format, one element at a time.
#include "plumb/formats/round_to_format.hpp"
#include "plumb/kernels/convert_kernels_decl.hpp"

namespace plumb::kernels::cpu {

PLUMB_DECLARE_CONVERT_FN(convert_scalar) {
  (void)message;
  const int in_bytes = args.from.storage_bytes(), out_bytes = args.to.storage_bytes();
  for (size_t i = 0; i < n; ++i) {
    const Converted r = convert_code(args.from, args.to, load_code(in, in_bytes, i), args.spec,
                                     rbits ? rbits[i] : 0);
    store_code(out, out_bytes, i, r.code);
    if (flags) flags[i] = r.flags;
  }
  return KernelStatus::ok;
}

}  // namespace plumb::kernels::cpu
