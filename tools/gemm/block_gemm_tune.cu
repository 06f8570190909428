// Tuning harness for plumb's Hopper block-scaled GEMM (kernels/cuda/gemm/
// block_gemm*.cuh) against cuBLAS bf16 GEMM in the same run. Standalone: no
// plumb libraries (the kernels are header templates), compiled on the GPU
// machine:
//   nvcc -O3 -std=c++20 -gencode=arch=compute_90a,code=sm_90a -I kernels/include -I formats/include \
//        tools/gemm/block_gemm_tune.cu -lcublas -o block_gemm_tune
//   ./block_gemm_tune [--seed S] [--quick] [--decode-only | --tile-only | --no-tile]
// (-DPLUMB_BLOCK_GEMM_DECODE_TILES=T -DPLUMB_BLOCK_GEMM_DECODE_GROUP=G try
// other gemv decode-kernel shapes, -DPLUMB_BLOCK_GEMM_STREAM_WORDS=W
// -DPLUMB_BLOCK_GEMM_STREAM_BLOCKS_PER_SM=B other streaming ones;
// results/h100-2026-11-25/block_gemm_tuning.md; "stream swapped" rows:
// block_gemm_stream_swapped.cuh.)
// Random codes (never all zero) and moderate scales; inputs rotated over
// enough copies to exceed L2 twice; each launch timed alone by CUDA events
// behind a 100 us spin kernel (so the host's launch overhead is not timed),
// median of the launches; cuBLAS the same way. Every variant is checked on the device against an
// fp64 reference (all outputs of the small shapes, 4096 sampled outputs of the
// large ones): |got - ref| <= (k + 6) 2^-23 sum|a b| (GEMM_SEMANTICS.md).
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "block_gemm_tune_kinds.cuh"

#define CHECK(x)                                                                                   \
  do {                                                                                             \
    cudaError_t e_ = (x);                                                                          \
    if (e_ != cudaSuccess) {                                                                       \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_));      \
      std::exit(1);                                                                                \
    }                                                                                              \
  } while (0)
#define CHECK_BLAS(x)                                                                              \
  do {                                                                                             \
    cublasStatus_t s_ = (x);                                                                       \
    if (s_ != CUBLAS_STATUS_SUCCESS) {                                                             \
      std::fprintf(stderr, "%s:%d %s: cublas status %d\n", __FILE__, __LINE__, #x, int(s_));       \
      std::exit(1);                                                                                \
    }                                                                                              \
  } while (0)

namespace {

const char* fmt_name(bg::Fmt f) {
  switch (f) {
    case bg::Fmt::mxfp8_e4m3: return "mxfp8_e4m3";
    case bg::Fmt::mxfp4: return "mxfp4";
    case bg::Fmt::nvfp4: return "nvfp4";
    default: return "nvint4";
  }
}

// ---- reference (fp64, independent decoding) ----
__device__ double ref_element(int f, uint32_t c) {
  if (f == 0) {  // e4m3fn
    const int s = c >> 7, e = (c >> 3) & 15, m = c & 7;
    const double v = e == 0 ? std::ldexp(double(m), -9) : std::ldexp(1.0 + m / 8.0, e - 7);
    return s ? -v : v;
  }
  if (f == 3) return double(int(c & 15) - ((c & 8) ? 16 : 0));  // int4
  const double tab[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};             // e2m1
  return (c & 8) ? -tab[c & 7] : tab[c & 7];
}
__device__ double ref_scale(int f, uint32_t c) {
  if (f == 2 || f == 3) {  // ue4m3
    if ((c & 0x7F) == 0x7F) return NAN;
    const int e = (c >> 3) & 15, m = c & 7;
    return e == 0 ? std::ldexp(double(m), -9) : std::ldexp(1.0 + m / 8.0, e - 7);
  }
  return c == 0xFF ? NAN : std::ldexp(1.0, int(c) - 127);
}

// One warp per sampled output (i, j): C = sum A B / (S_A S_B), and sum |a b|.
__global__ void reference_kernel(int f, int bs, const uint8_t* ac, const uint8_t* as, const uint8_t* bc,
                                 const uint8_t* bsc, int k, int nb, double inv_s, const int* rows, const int* cols,
                                 int count, double* out, double* abs_out) {
  const int w = (blockIdx.x * blockDim.x + threadIdx.x) / 32, lane = threadIdx.x % 32;
  if (w >= count) return;
  const size_t i = rows[w], j = cols[w];
  double sum = 0, abs_sum = 0;
  for (int kk = lane; kk < k; kk += 32) {
    const double a = ref_element(f, ac[i * k + kk]) * ref_scale(f, as[i * nb + kk / bs]);
    const double b = ref_element(f, bc[j * k + kk]) * ref_scale(f, bsc[j * nb + kk / bs]);
    sum += a * b, abs_sum += std::fabs(a * b);
  }
  for (int o = 16; o; o /= 2) sum += __shfl_xor_sync(~0u, sum, o), abs_sum += __shfl_xor_sync(~0u, abs_sum, o);
  if (lane == 0) out[w] = sum * inv_s, abs_out[w] = abs_sum * inv_s;
}

// Two codes per byte (low nibble first), the storage a deployment keeps.
__global__ void pack_kernel(const uint8_t* in, uint8_t* out, size_t pairs) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < pairs; i += size_t(gridDim.x) * blockDim.x)
    out[i] = (in[2 * i] & 15) | ((in[2 * i + 1] & 15) << 4);
}

struct Operand {
  std::vector<uint8_t*> codes, packed, scales;  // one per rotation set
  float tensor_scale = 1.0f;
};

struct Rng {
  std::mt19937_64 g;
  uint32_t operator()(uint32_t n) { return uint32_t(g() % n); }
};

uint8_t random_code(bg::Fmt f, Rng& r) {
  if (f == bg::Fmt::mxfp8_e4m3) {
    for (;;) {
      const uint32_t c = r(256);
      if ((c & 0x7F) != 0x7F) return uint8_t(c);
    }
  }
  if (f == bg::Fmt::nvint4) {
    for (;;) {
      const uint32_t c = r(16);
      if (c != 8) return uint8_t(c);
    }
  }
  return uint8_t(r(16));
}
uint8_t random_scale(bg::Fmt f, Rng& r) {
  if (bg::nv_scale(f)) return uint8_t(0x28 + r(0x30));  // ue4m3 2^-2 .. 2^3.9
  return uint8_t(127 - 6 + r(13));                       // ue8m0 2^-6 .. 2^6
}

Operand make_operand(bg::Fmt f, int rows, int k, int sets, Rng& r) {
  Operand o;
  const int nb = (k + bg::block_of(f) - 1) / bg::block_of(f);
  std::vector<uint8_t> codes(size_t(rows) * k), scales(size_t(rows) * nb);
  for (auto& c : codes) c = random_code(f, r);
  for (auto& s : scales) s = random_scale(f, r);
  o.tensor_scale = bg::nv_scale(f) ? 1.0f + float(r(1000)) / 400.0f : 1.0f;
  for (int s = 0; s < sets; ++s) {
    uint8_t *c, *sc, *pk = nullptr;
    CHECK(cudaMalloc(&c, codes.size()));
    CHECK(cudaMalloc(&sc, scales.size()));
    CHECK(cudaMemcpy(c, codes.data(), codes.size(), cudaMemcpyHostToDevice));
    CHECK(cudaMemcpy(sc, scales.data(), scales.size(), cudaMemcpyHostToDevice));
    if (bg::four_bit(f) && k % 32 == 0) {
      CHECK(cudaMalloc(&pk, codes.size() / 2));
      pack_kernel<<<1024, 256>>>(c, pk, codes.size() / 2);
      CHECK(cudaGetLastError());
    }
    o.codes.push_back(c), o.scales.push_back(sc), o.packed.push_back(pk);
  }
  return o;
}
void free_operand(Operand& o) {
  for (auto* p : o.codes) CHECK(cudaFree(p));
  for (auto* p : o.scales) CHECK(cudaFree(p));
  for (auto* p : o.packed)
    if (p) CHECK(cudaFree(p));
}

// Keeps the GPU busy while the host enqueues the timed launch, so that the
// events time the GPU work and not the host's launch overhead.
__global__ void spin_kernel(long long cycles) {
  const long long start = clock64();
  while (clock64() - start < cycles) {
  }
}

template <typename Launch>
double median_us(Launch&& launch, int sets, int reps) {
  std::vector<cudaEvent_t> ev(2 * reps);
  for (auto& e : ev) CHECK(cudaEventCreate(&e));
  for (int w = 0; w < 5; ++w) launch(w % sets);
  for (int i = 0; i < reps; ++i) {
    spin_kernel<<<1, 1>>>(200000);  // ~100 us at 1.98 GHz
    CHECK(cudaGetLastError());
    CHECK(cudaEventRecord(ev[2 * i]));
    launch(i % sets);
    CHECK(cudaEventRecord(ev[2 * i + 1]));
  }
  CHECK(cudaDeviceSynchronize());
  std::vector<double> t(reps);
  for (int i = 0; i < reps; ++i) {
    float ms;
    CHECK(cudaEventElapsedTime(&ms, ev[2 * i], ev[2 * i + 1]));
    t[i] = ms * 1e3;
  }
  for (auto& e : ev) CHECK(cudaEventDestroy(e));
  std::sort(t.begin(), t.end());
  return t[reps / 2];
}

struct Checked {
  double max_frac = 0;  // max |got - ref| / ((k + 6) 2^-23 sum|ab|)
  int bad = 0, checked = 0;
};

Checked check(bg::Fmt f, const Operand& a, const Operand& b, int m, int n, int k, const float* c_dev, uint64_t seed) {
  const bool all = size_t(m) * n <= 65536;
  std::vector<int> rows, cols;
  std::mt19937_64 g(seed);
  if (all) {
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) rows.push_back(i), cols.push_back(j);
  } else {
    for (int s = 0; s < 4096; ++s) rows.push_back(int(g() % m)), cols.push_back(int(g() % n));
  }
  const int count = int(rows.size());
  int *dr, *dc;
  double *dout, *dabs;
  CHECK(cudaMalloc(&dr, count * 4));
  CHECK(cudaMalloc(&dc, count * 4));
  CHECK(cudaMalloc(&dout, count * 8));
  CHECK(cudaMalloc(&dabs, count * 8));
  CHECK(cudaMemcpy(dr, rows.data(), count * 4, cudaMemcpyHostToDevice));
  CHECK(cudaMemcpy(dc, cols.data(), count * 4, cudaMemcpyHostToDevice));
  const int bs = bg::block_of(f), nb = (k + bs - 1) / bs;
  const double inv_s = 1.0 / (double(a.tensor_scale) * double(b.tensor_scale));
  reference_kernel<<<(count * 32 + 255) / 256, 256>>>(int(f), bs, a.codes[0], a.scales[0], b.codes[0], b.scales[0], k,
                                                       nb, inv_s, dr, dc, count, dout, dabs);
  CHECK(cudaGetLastError());
  std::vector<double> ref(count), abs_sum(count);
  std::vector<float> got(size_t(m) * n);
  CHECK(cudaMemcpy(ref.data(), dout, count * 8, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(abs_sum.data(), dabs, count * 8, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(got.data(), c_dev, got.size() * 4, cudaMemcpyDeviceToHost));
  Checked r;
  for (int s = 0; s < count; ++s) {
    const double v = got[size_t(rows[s]) * n + cols[s]];
    const double bound = (k + 6) * std::ldexp(1.0, -23) * abs_sum[s] + k * std::ldexp(1.0, -149);
    const double err = std::fabs(v - ref[s]);
    const double frac = bound > 0 ? err / bound : (err == 0 ? 0 : INFINITY);
    if (!(frac <= 1.0)) {
      if (r.bad < 3)
        std::printf("    MISMATCH C[%d][%d] got %.9g ref %.9g bound %.3g\n", rows[s], cols[s], v, ref[s], bound);
      ++r.bad;
    }
    r.max_frac = std::max(r.max_frac, std::isfinite(frac) ? frac : 1e30);
  }
  r.checked = count;
  CHECK(cudaFree(dr));
  CHECK(cudaFree(dc));
  CHECK(cudaFree(dout));
  CHECK(cudaFree(dabs));
  return r;
}

struct CublasTimes {
  double bf16_out_us, f32_out_us;
};

CublasTimes time_cublas(cublasHandle_t h, int m, int n, int k, int sets, int reps) {
  std::vector<__nv_bfloat16*> a(sets), b(sets);
  std::mt19937 g(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<__nv_bfloat16> hb(size_t(std::max(m, n)) * k);
  for (auto& x : hb) x = __float2bfloat16(u(g));
  for (int s = 0; s < sets; ++s) {
    CHECK(cudaMalloc(&a[s], size_t(m) * k * 2));
    CHECK(cudaMalloc(&b[s], size_t(n) * k * 2));
    CHECK(cudaMemcpy(a[s], hb.data(), size_t(m) * k * 2, cudaMemcpyHostToDevice));
    CHECK(cudaMemcpy(b[s], hb.data(), size_t(n) * k * 2, cudaMemcpyHostToDevice));
  }
  void* c;
  CHECK(cudaMalloc(&c, size_t(m) * n * 4));
  const float one = 1.0f, zero = 0.0f;
  CublasTimes t{};
  for (int out = 0; out < 2; ++out) {
    const cudaDataType ct = out == 0 ? CUDA_R_16BF : CUDA_R_32F;
    auto launch = [&](int s) {
      // Row-major C (m x n) = A B^T is column-major C^T (n x m) = B (op T of
      // the k x n column-major view of B) times A (the k x m view of A).
      CHECK_BLAS(cublasGemmEx(h, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &one, b[s], CUDA_R_16BF, k, a[s], CUDA_R_16BF, k,
                              &zero, c, ct, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    };
    (out == 0 ? t.bf16_out_us : t.f32_out_us) = median_us(launch, sets, reps);
  }
  for (int s = 0; s < sets; ++s) {
    CHECK(cudaFree(a[s]));
    CHECK(cudaFree(b[s]));
  }
  CHECK(cudaFree(c));
  return t;
}

int rotation_sets(size_t bytes_per_set) {
  const size_t want = size_t(200) << 20;  // > 4 x the H100's 50 MB L2
  return int(std::min<size_t>(32, std::max<size_t>(2, (want + bytes_per_set - 1) / bytes_per_set)));
}

void run_shape(cublasHandle_t h, int m, int n, int k, const std::vector<bg::Fmt>& fmts, uint64_t seed, int reps,
               bool time_it) {
  const double flop = 2.0 * m * n * k;
  CublasTimes cb{};
  double cb_us = 0;
  if (time_it) {
    cb = time_cublas(h, m, n, k, rotation_sets(size_t(m + n) * k * 2), reps);
    cb_us = std::min(cb.bf16_out_us, cb.f32_out_us);
    std::printf("| %dx%dx%d | cublas bf16 (bf16 out / fp32 out) | %.2f / %.2f | %.1f | 1.00 | |\n", m, n, k,
                cb.bf16_out_us, cb.f32_out_us, flop / cb_us * 1e-6);
  }
  for (bg::Fmt f : fmts) {
    Rng r{std::mt19937_64(seed ^ (uint64_t(m) << 40) ^ (uint64_t(n) << 20) ^ uint64_t(k) ^ (uint64_t(f) << 60))};
    const int bs = bg::block_of(f), nb = (k + bs - 1) / bs;
    const size_t set_bytes = size_t(m + n) * k + size_t(m + n) * nb;
    const int sets = time_it ? rotation_sets(set_bytes) : 1;
    Operand a = make_operand(f, m, k, sets, r), b = make_operand(f, n, k, sets, r);
    float* c;
    CHECK(cudaMalloc(&c, size_t(m) * n * 4));
    // Variants: (bf16 path: automatic choice, then each decode kernel where
    // m <= 16; fp8 path) x (one code per byte, packed).
    for (int variant = 0; variant < 12; ++variant) {
      const bool packed = variant % 2 == 1;
      const bg::Path path = variant < 10 ? bg::Path::bf16 : bg::Path::fp8;
      const Kind kind = static_cast<Kind>(variant < 10 ? variant / 2 : 0);
      if (packed && (!bg::four_bit(f) || k % 32 != 0)) continue;
      if (path == bg::Path::fp8 && !bg::four_bit(f)) continue;
      if (kind != Kind::automatic && m > 16) continue;
      if (kind == Kind::stream1 || kind == Kind::stream2 || kind == Kind::swapped) {
        bg::Params probe{};
        probe.m = m, probe.n = n, probe.k = k, probe.vec = k % 32 == 0;
        probe.b = {b.codes[0], b.scales[0]};
        if (bg::plan_stream<false, 16, 1>(probe) == 0 || (packed && bg::plan_stream<true, 16, 1>(probe) == 0)) continue;
      }
      auto params = [&](int s) {
        bg::Params p{};
        // The decode kernel (bf16 path, m <= 16) reads A one code per byte.
        const bool a_packed = packed && !(path == bg::Path::bf16 && m <= 16);
        p.a = {a_packed ? a.packed[s] : a.codes[s], a.scales[s]};
        p.b = {packed ? b.packed[s] : b.codes[s], b.scales[s]};
        p.m = m, p.n = n, p.k = k, p.nb = nb;
        p.ga = 1.0f / a.tensor_scale, p.gb = 1.0f / b.tensor_scale;
        p.c = c;
        p.vec = k % 32 == 0;
        return p;
      };
      auto launch = [&](int s) {
        const bg::Params p = params(s);
        CHECK(packed ? launch_kind<true>(f, p, kind, path) : launch_kind<false>(f, p, kind, path));
      };
      CHECK(cudaMemset(c, 0xFF, size_t(m) * n * 4));  // NaN: unwritten outputs fail the check
      launch(0);
      CHECK(cudaDeviceSynchronize());
      const Checked ck = check(f, a, b, m, n, k, c, seed);
      std::string kname = path == bg::Path::bf16 ? (m <= 16 ? "bf16 decode " : "bf16 tile ") : "fp8 tile ";
      if (path == bg::Path::bf16 && m <= 16) kname += kind_name(kind);
      if (time_it) {
        const double us = median_us(launch, sets, reps);
        // Bytes the kernel must read at least: codes of A and B (B's dominate
        // for decode), scales, C written.
        const double bytes = (size_t(m) + n) * k * (packed ? 0.5 : 1.0) + (size_t(m) + n) * nb + size_t(m) * n * 4.0;
        std::printf("| %dx%dx%d | %s %s%s | %.2f | %.1f | %.3f (time ratio %.2fx) | %.0f GB/s; check %s max %.3f of bound (%d) |\n",
                    m, n, k, fmt_name(f), kname.c_str(), packed ? " packed" : " bytes", us, flop / us * 1e-6,
                    (flop / us) / (flop / cb_us), cb_us / us, bytes / us * 1e-3, ck.bad ? "FAIL" : "ok", ck.max_frac,
                    ck.checked);
      } else {
        std::printf("check %dx%dx%d %s %s%s: %s, max %.3f of bound over %d outputs\n", m, n, k, fmt_name(f), kname.c_str(),
                    packed ? " packed" : " bytes", ck.bad ? "FAIL" : "ok", ck.max_frac, ck.checked);
      }
    }
    CHECK(cudaFree(c));
    free_operand(a), free_operand(b);
  }
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 1;
  bool quick = false, checks = true, decode = true, tile = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strcmp(argv[i], "--decode-only")) checks = tile = false;
    else if (!std::strcmp(argv[i], "--tile-only")) checks = decode = false;
    else if (!std::strcmp(argv[i], "--no-tile")) tile = false;
  }
  std::printf("block_gemm_tune seed %llu, decode tiles/warp %d, group %d; stream words %d, blocks/SM %d\n",
              static_cast<unsigned long long>(seed), bg::kDecodeTilesPerWarp, bg::kDecodeGroup, bg::kStreamWords,
              bg::kStreamBlocksPerSm);
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("device %s, %d SMs\n", prop.name, prop.multiProcessorCount);
  cublasHandle_t h;
  CHECK_BLAS(cublasCreate(&h));
  const std::vector<bg::Fmt> all = {bg::Fmt::mxfp8_e4m3, bg::Fmt::mxfp4, bg::Fmt::nvfp4, bg::Fmt::nvint4};
  // Correctness on tails: m, n, k not multiples of the tiles or blocks.
  for (const auto& s : checks ? std::vector<std::array<int, 3>>{{1, 7, 100}, {5, 300, 1000}, {16, 129, 4099}, {13, 64, 64},
                                                        {130, 70, 1000}, {257, 129, 333}, {40, 24, 17},
                                                        {1, 7, 512}, {5, 300, 1024}, {13, 129, 2048}, {16, 34000, 3072}}
                                     : std::vector<std::array<int, 3>>{})
    run_shape(h, s[0], s[1], s[2], all, seed, 0, false);
  std::printf("\n| shape MxNxK | kernel | us (median) | TFLOP/s | vs cuBLAS bf16 | notes |\n|---|---|---|---|---|---|\n");
  const int reps = quick ? 20 : 100;
  if (decode)
    for (int m : {1, 8, 16})
      for (int nk : {4096, 8192}) run_shape(h, m, nk, nk, all, seed, reps, true);
  if (tile) run_shape(h, 8192, 8192, 8192, all, seed, quick ? 10 : 30, true);
  CHECK_BLAS(cublasDestroy(h));
  return 0;
}
