/* plumb plugin ABI: how a shared library hands plumb kernels to verify.
 *
 * A plugin is a shared library (.so) that exports two C functions:
 *
 *   uint32_t plumb_plugin_abi_version(void);      returns PLUMB_PLUGIN_ABI_VERSION
 *   const plumb_plugin_kernel* plumb_plugin_kernels(size_t* count);
 *                                                 the kernel table, valid until unload
 *
 * Each table entry names one kernel of one op (conversion, block quantise,
 * softmax, GEMM, L-Mul) on one device (CPU or CUDA) and points at a C function
 * whose arguments mirror plumb's C++ kernel arguments as plain C structs
 * (kernels/include/plumb/kernels/<op>_kernel.hpp). plumb adapts every entry
 * into its registry, so the same suites that judge the built-in kernels judge
 * the plugin's (`plumb verify --plugin libX.so`). Plain C99: no C++ type
 * crosses this boundary; every array is a host array; every enum value below
 * is fixed for ABI version 1. Field by field: docs/PLUGINS.md.
 *
 * Isolation: plumb calls each CPU kernel in a forked child process, with a
 * time limit, its outputs in shared memory between guard pages. A kernel
 * that crashes, hangs or writes past an output is reported as kernel_error
 * and the run goes on. A kernel must therefore not rely on state kept
 * between calls (each call may run in a fresh child), and output arrays are
 * aligned to their element size only (each ends at a page boundary).
 */
#ifndef PLUMB_PLUGIN_H
#define PLUMB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PLUMB_PLUGIN_ABI_VERSION 1u

/* Exported symbol names, for the loader and for plugin authors. */
#define PLUMB_PLUGIN_ABI_VERSION_SYMBOL "plumb_plugin_abi_version"
#define PLUMB_PLUGIN_KERNELS_SYMBOL "plumb_plugin_kernels"

#if defined(_WIN32)
#define PLUMB_PLUGIN_EXPORT __declspec(dllexport)
#else
#define PLUMB_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* What every kernel function returns. */
typedef enum plumb_plugin_status {
  PLUMB_STATUS_OK = 0,
  PLUMB_STATUS_NOT_SUPPORTED = 1, /* this format / mode / shape is not implemented */
  PLUMB_STATUS_ERROR = 2          /* failed; write why into the message buffer */
} plumb_plugin_status;

typedef enum plumb_plugin_op {
  PLUMB_OP_CONVERT = 1,        /* suites: the conversion suites, round_trip, stochastic_statistics */
  PLUMB_OP_BLOCK_QUANTIZE = 2, /* suite block_formats */
  PLUMB_OP_SOFTMAX = 3,        /* suite softmax */
  PLUMB_OP_GEMM = 4,           /* suite gemm */
  PLUMB_OP_LMUL = 5            /* suite lmul */
} plumb_plugin_op;

typedef enum plumb_plugin_device { PLUMB_DEVICE_CPU = 0, PLUMB_DEVICE_CUDA = 1 } plumb_plugin_device;

/* A message buffer: write a NUL-terminated reason of at most capacity bytes. */
typedef struct plumb_plugin_message {
  char* text;
  size_t capacity;
} plumb_plugin_message;

/* ---- formats (docs/SEMANTICS.md; mirrors plumb::FormatDesc) ---- */

typedef enum plumb_plugin_encoding {
  PLUMB_ENCODING_IEEE = 0,    /* exponent all ones: inf (mantissa 0) or NaN */
  PLUMB_ENCODING_FN = 1,      /* no inf; NaN only at S.1..1.1..1 (OCP e4m3) */
  PLUMB_ENCODING_FNUZ = 2,    /* no inf, no -0; one NaN at 100..0 */
  PLUMB_ENCODING_FINITE = 3,  /* no inf, no NaN (OCP fp6, fp4) */
  PLUMB_ENCODING_E8M0 = 4,    /* exponent only, no sign, no zero, NaN all ones */
  PLUMB_ENCODING_INTEGER = 5  /* two's complement or unsigned integer */
} plumb_plugin_encoding;

typedef struct plumb_plugin_format {
  const char* name;  /* canonical plumb name ("fp32", "e4m3fn", "e6m9", ...); never NULL */
  uint8_t ebits;     /* exponent field width (0 for integers) */
  uint8_t mbits;     /* mantissa field width (value bits for integers) */
  int16_t bias;      /* exponent bias (0 for integers) */
  uint8_t is_signed; /* 1: a sign bit (or two's complement) */
  uint8_t encoding;  /* plumb_plugin_encoding */
  uint8_t storage_bytes; /* bytes per code in arrays: 1, 2, 4 or 8 (little-endian) */
} plumb_plugin_format;

/* ---- conversion ---- */

typedef enum plumb_plugin_rounding {
  PLUMB_ROUND_NEAREST_EVEN = 0,
  PLUMB_ROUND_NEAREST_AWAY = 1,
  PLUMB_ROUND_TOWARD_ZERO = 2,
  PLUMB_ROUND_UPWARD = 3,
  PLUMB_ROUND_DOWNWARD = 4,
  PLUMB_ROUND_ODD = 5,
  PLUMB_ROUND_STOCHASTIC = 6 /* up iff floor(fraction * 2^k) + r >= 2^k, r = low k bits of rbits[i] */
} plumb_plugin_rounding;

typedef enum plumb_plugin_overflow {
  PLUMB_OVERFLOW_SATURATE = 0, /* overflow and infinite inputs give the largest finite value */
  PLUMB_OVERFLOW_INFINITY = 1, /* IEEE 754 rules per rounding mode */
  PLUMB_OVERFLOW_NAN = 2       /* overflow gives NaN */
} plumb_plugin_overflow;

/* Exception flags, one byte per element (docs/SEMANTICS.md). */
enum {
  PLUMB_FLAG_INEXACT = 1,
  PLUMB_FLAG_UNDERFLOW = 2,
  PLUMB_FLAG_OVERFLOW = 4,
  PLUMB_FLAG_INVALID = 8,
  PLUMB_FLAG_NO_ENCODING = 16
};

typedef struct plumb_plugin_convert_args {
  plumb_plugin_format from;
  plumb_plugin_format to;
  uint8_t rounding; /* plumb_plugin_rounding */
  uint8_t overflow; /* plumb_plugin_overflow */
  uint8_t sr_bits;  /* k in 1..32 for stochastic rounding, else 0 */
} plumb_plugin_convert_args;

/* Converts n codes of from (in: n * from.storage_bytes bytes) into codes of to
 * (out: n * to.storage_bytes bytes). flags: n bytes, OR of PLUMB_FLAG_*; the
 * suites compare them bit for bit with the oracle. rbits: n words, non-NULL
 * exactly when rounding is stochastic. */
typedef plumb_plugin_status (*plumb_plugin_convert_fn)(const plumb_plugin_convert_args* args, const void* in,
                                                       void* out, uint8_t* flags, size_t n, const uint32_t* rbits,
                                                       plumb_plugin_message message);

/* ---- block quantise (docs/BLOCK_SEMANTICS.md) ---- */

typedef struct plumb_plugin_block_args {
  const char* name;             /* block format name ("mxfp8_e4m3", "nvfp4", ...) */
  plumb_plugin_format element;  /* element format */
  plumb_plugin_format scale;    /* scale format (ue8m0 or ue4m3) */
  int32_t block_size;           /* elements per 1D block */
  uint8_t rule;                 /* 0 floor, 1 ceil, 2 even, 3 rceil, 4 nv_te, 5 nv_exact */
  uint8_t tensor_scale;         /* 1: an fp32 per-tensor scale S_enc */
  int32_t element_shift;        /* element value = decoded code * 2^element_shift */
  uint8_t symmetric_int;        /* integer elements clamped to +-max */
  uint8_t layout;               /* 0 rows, 1 cols, 2 tile_2d (16 x 16 tiles) */
  uint8_t hadamard;             /* 1: 16x16 random Hadamard transform first */
  uint64_t hadamard_seed;
  uint8_t stochastic;           /* 1: elements rounded stochastically, else nearest-even */
  uint8_t sr_bits;
  uint64_t sr_seed;             /* element i's bits: plumb's block_rbits(sr_seed, i) */
  size_t scale_rows, scale_cols; /* the scale grid for this layout and shape */
} plumb_plugin_block_args;

/* x: rows x cols fp32, row-major. elements: rows*cols bytes (one code each, low
 * bits); scales: scale_rows*scale_cols bytes; *tensor_scale: S_enc (1 without). */
typedef plumb_plugin_status (*plumb_plugin_quantize_fn)(const plumb_plugin_block_args* args, const float* x,
                                                        size_t rows, size_t cols, uint8_t* elements,
                                                        uint8_t* scales, float* tensor_scale,
                                                        plumb_plugin_message message);
typedef plumb_plugin_status (*plumb_plugin_dequantize_fn)(const plumb_plugin_block_args* args,
                                                          const uint8_t* elements, const uint8_t* scales,
                                                          float tensor_scale, size_t rows, size_t cols,
                                                          float* out, plumb_plugin_message message);

/* ---- softmax (docs/SOFTMAX_SEMANTICS.md): along each row of rows x cols ---- */

typedef plumb_plugin_status (*plumb_plugin_softmax_fn)(const plumb_plugin_format* in_format,
                                                       const plumb_plugin_format* out_format, const void* in,
                                                       void* out, size_t rows, size_t cols,
                                                       plumb_plugin_message message);

typedef enum plumb_plugin_softmax_algorithm {
  PLUMB_SOFTMAX_THREE_PASS_RECOMPUTE = 0,
  PLUMB_SOFTMAX_THREE_PASS_RELOAD = 1,
  PLUMB_SOFTMAX_TWO_PASS = 2,
  PLUMB_SOFTMAX_ONLINE = 3
} plumb_plugin_softmax_algorithm;

/* ---- GEMM (docs/GEMM_SEMANTICS.md): C (m x n) = sum_k A[i][k] B[j][k] ---- */

typedef enum plumb_plugin_gemm_kind {
  PLUMB_GEMM_FP32 = 0,
  PLUMB_GEMM_INT8 = 1,
  PLUMB_GEMM_BLOCK = 2,
  PLUMB_GEMM_BF16 = 3,
  PLUMB_GEMM_FP16 = 4,
  PLUMB_GEMM_FP8 = 5,
  PLUMB_GEMM_FP8_BLOCKWISE = 6
} plumb_plugin_gemm_kind;

typedef struct plumb_plugin_gemm_args {
  uint8_t kind; /* plumb_plugin_gemm_kind */
  size_t m, n, k;
  const float* a_f32; const float* b_f32;     /* fp32: m x k and n x k */
  const int8_t* a_i8; const int8_t* b_i8;     /* int8 */
  plumb_plugin_block_args block;              /* block: the format (layout rows); its scale grid is A's,
                                                 B's is n x block.scale_cols */
  const uint8_t* a_elements; const uint8_t* a_scales;
  const uint8_t* b_elements; const uint8_t* b_scales;
  float a_tensor_scale, b_tensor_scale;
  const uint16_t* a_u16; const uint16_t* b_u16; /* bf16 / fp16 codes */
  plumb_plugin_format a_fp8, b_fp8;           /* fp8: codes in a_elements / b_elements */
  float a_scale, b_scale;
  const float* a_block_scales;                /* fp8_blockwise: m x ceil(k/128) */
  const float* b_block_scales;                /*                ceil(n/128) x ceil(k/128) */
} plumb_plugin_gemm_args;

/* c_f32 (m x n) for every kind but int8; c_i32 (m x n) for int8; the other is NULL. */
typedef plumb_plugin_status (*plumb_plugin_gemm_fn)(const plumb_plugin_gemm_args* args, float* c_f32,
                                                    int32_t* c_i32, plumb_plugin_message message);

/* ---- L-Mul (docs/LMUL_SEMANTICS.md) ---- */

typedef struct plumb_plugin_lmul_args {
  plumb_plugin_format format;
  uint8_t carry;      /* 0 paper, 1 int_add */
  uint8_t subnormals; /* 0 flush, 1 gradual */
  uint8_t overflow;   /* plumb_plugin_overflow */
} plumb_plugin_lmul_args;

typedef plumb_plugin_status (*plumb_plugin_lmul_elementwise_fn)(const plumb_plugin_lmul_args* args, const void* a,
                                                                const void* b, void* out, size_t n,
                                                                plumb_plugin_message message);
typedef plumb_plugin_status (*plumb_plugin_lmul_dot_fn)(const plumb_plugin_lmul_args* args, const void* a,
                                                        const void* b, size_t n, float* out,
                                                        plumb_plugin_message message);
typedef plumb_plugin_status (*plumb_plugin_lmul_gemm_fn)(const plumb_plugin_lmul_args* args, const void* a,
                                                         const void* b, size_t m, size_t n, size_t k, float* c,
                                                         plumb_plugin_message message);

/* ---- the kernel table ---- */

typedef struct plumb_plugin_kernel {
  const char* name;        /* unique among all kernels plumb knows: [A-Za-z0-9_]+ */
  const char* description; /* one line */
  uint32_t op;             /* plumb_plugin_op */
  uint32_t device;         /* plumb_plugin_device */
  /* Comma-separated format names the kernel takes ("fp32,e4m3fn"); NULL or ""
   * for any. convert: every cell whose source and target are both listed;
   * softmax: input = output format; lmul: the operand format; block_quantize:
   * block format names; gemm: kind names (fp32, int8, block, bf16, fp16, fp8,
   * fp8_blockwise). Other cells are not_supported without calling the kernel. */
  const char* formats;
  uint32_t planted_bug;    /* 1: deliberately wrong; the suites must catch it */

  /* The function(s) of `op`; the others NULL. */
  plumb_plugin_convert_fn convert;
  plumb_plugin_quantize_fn quantize;
  plumb_plugin_dequantize_fn dequantize;
  plumb_plugin_softmax_fn softmax;
  plumb_plugin_gemm_fn gemm;
  plumb_plugin_lmul_elementwise_fn lmul_elementwise; /* each may be NULL: not_supported */
  plumb_plugin_lmul_dot_fn lmul_dot;
  plumb_plugin_lmul_gemm_fn lmul_gemm;

  /* softmax: the error model the bound is derived from (SOFTMAX_SEMANTICS.md). */
  uint32_t softmax_algorithm; /* plumb_plugin_softmax_algorithm */
  uint32_t softmax_lanes;     /* accumulators the sum is spread over (>= 1) */
  uint32_t softmax_fp32_block; /* fp32 additions per fp64 flush; 0: fp64 throughout */
  uint32_t softmax_safe;      /* 1: a row of all -inf gives +0, not NaN */
  /* gemm: u = 2^-gemm_accumulator_bits (24 for fp32 round to nearest). */
  uint32_t gemm_accumulator_bits;
} plumb_plugin_kernel;

typedef uint32_t (*plumb_plugin_abi_version_fn)(void);
typedef const plumb_plugin_kernel* (*plumb_plugin_kernels_fn)(size_t* count);

#ifdef __cplusplus
}
#endif

#endif /* PLUMB_PLUGIN_H */
