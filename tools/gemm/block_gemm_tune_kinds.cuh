// block_gemm_tune.cu: launching one named decode kernel (or the registry's
// own choice) for a variant of the tuning table.
#pragma once

#include <cuda_runtime.h>

#include "../../kernels/cuda/gemm/block_gemm_launch.cuh"
#include "../../kernels/cuda/gemm/block_gemm_stream_swapped.cuh"

namespace bg = plumb::kernels::cuda::block_gemm;

// Which kernel a decode-shape variant runs: the registry's choice, or one
// kernel named (gemv: block_gemm_decode.cuh; stream with 1 or 2 n8 tiles
// per warp: block_gemm_stream.cuh; swapped: block_gemm_stream_swapped.cuh).
enum class Kind { automatic, gemv, stream1, stream2, swapped };
inline const char* kind_name(Kind k) {
  switch (k) {
    case Kind::gemv: return "gemv";
    case Kind::stream1: return "stream t1";
    case Kind::stream2: return "stream t2";
    case Kind::swapped: return "stream swapped";
    default: return "auto";
  }
}

template <bg::Fmt F, bool Packed, int MRows>
cudaError_t launch_small_m_kind(const bg::Params& p, Kind kind) {
  if (kind == Kind::gemv) return bg::launch_decode<F, Packed, MRows>(p, nullptr);
  if (kind == Kind::stream1) return bg::launch_stream<F, Packed, MRows, 1>(p, nullptr);
  if (kind == Kind::swapped) return bg::launch_stream_swapped<F, Packed, MRows>(p, nullptr);
  return bg::launch_stream<F, Packed, MRows, 2>(p, nullptr);
}
template <bg::Fmt F, bool Packed>
cudaError_t launch_kind_format(const bg::Params& p, Kind kind, bg::Path path) {
  if (kind == Kind::automatic || path != bg::Path::bf16 || p.m > 16) return bg::launch_format<F, Packed>(p, nullptr, path);
  return p.m <= 8 ? launch_small_m_kind<F, Packed, 8>(p, kind) : launch_small_m_kind<F, Packed, 16>(p, kind);
}
template <bool Packed>
cudaError_t launch_kind(bg::Fmt f, const bg::Params& p, Kind kind, bg::Path path) {
  switch (f) {
    case bg::Fmt::mxfp4: return launch_kind_format<bg::Fmt::mxfp4, Packed>(p, kind, path);
    case bg::Fmt::nvfp4: return launch_kind_format<bg::Fmt::nvfp4, Packed>(p, kind, path);
    case bg::Fmt::nvint4: return launch_kind_format<bg::Fmt::nvint4, Packed>(p, kind, path);
    default:
      if constexpr (Packed) return cudaErrorInvalidValue;
      else return launch_kind_format<bg::Fmt::mxfp8_e4m3, false>(p, kind, path);
  }
}
