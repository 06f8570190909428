// plumb reference: softmax of rows of fp32 / bf16 / fp16 codes, computed with
// MPFR and correctly rounded (nearest-even) to an fp32 / bf16 / fp16 output
// code. Special rows follow docs/SOFTMAX_SEMANTICS.md. Shares nothing with
// kernels/ or formats/ but FormatDesc's description fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "plumb/formats/format_desc.hpp"

namespace plumb::reference {

struct SoftmaxReference {
  std::vector<uint64_t> codes;  // rows x cols output codes, correctly rounded
  std::vector<double> values;   // the exact result rounded to double (NaN for NaN rows)
  int max_precision = 0;        // the largest MPFR working precision a row needed
};

// in: rows x cols codes of in_format, row-major, in_format.storage_bytes()
// each (passed as uint64_t here). safe: a row of all -inf gives +0 instead of
// NaN (SOFTMAX_SEMANTICS.md). Throws std::invalid_argument for a format other
// than fp32 / bf16 / fp16.
SoftmaxReference mpfr_softmax(const FormatDesc& in_format, const FormatDesc& out_format,
                              const std::vector<uint64_t>& in, size_t rows, size_t cols,
                              bool safe);

}  // namespace plumb::reference
