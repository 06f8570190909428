// plumb formats: the one macro that makes formats/ usable from CUDA device code.
#pragma once

#if defined(__CUDACC__)
#define PLUMB_HD __host__ __device__
#else
#define PLUMB_HD
#endif
