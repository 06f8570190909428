// CPU-only build: no CUDA kernels, no GPU.
#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::kernels {
bool cuda_built() { return false; }
int cuda_device_count() { return 0; }
}  // namespace plumb::kernels
