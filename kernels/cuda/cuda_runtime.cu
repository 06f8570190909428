// STUB: CUDA runtime queries.
#include "plumb/kernels/convert_kernels_decl.hpp"
namespace plumb::kernels {
bool cuda_built() { return true; }
int cuda_device_count() { int n = 0; if (cudaGetDeviceCount(&n) != cudaSuccess) return 0; return n; }
namespace cuda { PLUMB_DECLARE_CONVERT_FN(convert_plumb) { (void)args;(void)in;(void)out;(void)flags;(void)n;(void)rbits; *message = "stub"; return KernelStatus::not_supported; } }
}
