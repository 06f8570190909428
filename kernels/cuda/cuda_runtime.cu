// CUDA runtime queries of a CUDA build (kernels/src/cuda_absent.cpp is the
// CPU-only twin).
#include <cuda_runtime_api.h>

#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::kernels {

bool cuda_built() { return true; }

// Asked once, on the first call (never during static initialisation: test
// discovery runs the binaries on GPU-less build machines). Any error, be it no
// driver, an insufficient driver or no device, counts as "no GPU".
int cuda_device_count() {
  static const int count = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      (void)cudaGetLastError();  // do not leave the error for the next caller
      return 0;
    }
    return n > 0 ? n : 0;
  }();
  return count;
}

}  // namespace plumb::kernels
