// plumb checks: softmax input rows, the error bound of docs/SOFTMAX_SEMANTICS.md,
// and the check of a softmax kernel against the MPFR reference
// (reference/.../softmax_reference.hpp). Used by the Catch2 suites and
// `plumb verify --suite softmax`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plumb/checks/verdict.hpp"
#include "plumb/kernels/softmax_kernel.hpp"
#include "plumb/reference/softmax_reference.hpp"

namespace plumb::checks {

// One batch of fp32 rows of equal length.
struct SoftmaxCase {
  std::string name;  // "overflow_trap", "special", ...
  size_t rows = 0, cols = 0;
  std::vector<float> x;  // rows x cols, row-major
};

// The named cases; random ones are drawn from random_word(seed, ...), so a
// seed reproduces them. long_cols: the length of the one "long_row" case (0: none).
std::vector<SoftmaxCase> softmax_cases(uint64_t seed, size_t long_cols);
// Individual generators (the suites also use them alone).
SoftmaxCase softmax_special_rows();
SoftmaxCase softmax_uniform_rows(const std::string& name, size_t rows, size_t cols, float lo, float hi,
                                 uint64_t seed);
SoftmaxCase softmax_sorted_rows(size_t rows, size_t cols, float lo, float hi);

// The relative error bound of SOFTMAX_SEMANTICS.md for each element of one
// row whose maximum is finite, for a kernel of the given error model.
std::vector<double> softmax_relative_bounds(const kernels::SoftmaxErrorModel& model, const float* x,
                                            size_t n);

// The measured error of one cell, beside the verdict.
struct SoftmaxErrors {
  double max_relative = 0;      // over elements whose exact value is a normal fp32
  double max_bound_ratio = 0;   // max |got - exact| / allowed: <= 1 passes
  int64_t max_ulp = 0;          // ULPs of the output format from the correctly rounded code
  double mean_ulp = 0;
};

// The case's values as codes of io (fp32, bf16 or fp16; nearest-even,
// overflow to infinity), the input both the kernel and the reference get.
std::vector<uint64_t> softmax_input_codes(const SoftmaxCase& c, const FormatDesc& io);

// Runs the kernel on the case with input and output format io and compares
// each element with ref (which must be softmax_reference(c, kernel.safe, io)).
Verdict check_softmax(const kernels::SoftmaxKernel& kernel, const SoftmaxCase& c,
                      const reference::SoftmaxReference& ref, SoftmaxErrors* errors = nullptr,
                      const FormatDesc& io = formats::fp32);

// mpfr_softmax of a case's rows (as codes of io) into io.
reference::SoftmaxReference softmax_reference(const SoftmaxCase& c, bool safe,
                                              const FormatDesc& io = formats::fp32);

}  // namespace plumb::checks
