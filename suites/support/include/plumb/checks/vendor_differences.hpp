// plumb checks: differences between a vendor's conversion and the oracle, each
// put in a named class of docs/VENDOR_DIFFERENCES.md. One definition, used by
// the CUDA-header peer (host paths, kernels/peers/cuda_headers_peer.cpp) and by
// check_convert for kernels judged as vendor code (Judged::cuda_vendor:
// NVIDIA's intrinsics on the GPU, kernel cuda_nv_intrinsics).
//
// Classes: nan_to_maxnorm, nan_sign, nan_payload, negative_into_unsigned,
// inf_to_maxnorm, overflow_policy, negative_zero, rounding, other. Which of
// them are documented (a vendor's known, explained behaviour) depends on the
// vendor; a difference of an undocumented class is a failure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plumb/checks/check_convert.hpp"
#include "plumb/checks/verdict.hpp"
#include "plumb/reference/convert_reference.hpp"

namespace plumb::checks {

// True when the vendor's code is not the oracle's result. A result with no
// encoding (no_encoding: e.g. NaN into fp4) is never matched by a code.
bool vendor_differs(uint64_t got, const reference::ReferenceResult& want);

// The class of one difference: `input` (a code of from), the vendor's code
// `got`, the oracle's result `want` under `spec`. negative_into_unsigned and
// overflow_policy are decided by asking the MPFR oracle again (for |x|, and
// under the other overflow policies).
std::string classify_vendor_difference(const FormatDesc& from, const FormatDesc& to, uint64_t input,
                                       uint64_t got, const reference::ReferenceResult& want,
                                       const RoundingSpec& spec);

// "docs/VENDOR_DIFFERENCES.md#cuda-nan-sign" for a class documented for
// NVIDIA's conversions; "" for one that is not (rounding, overflow_policy,
// negative_zero, other).
std::string cuda_documented_anchor(const std::string& cls);

// Judges a vendor kernel's codes `got` (one per case) against the oracle's
// `expected` (flags are not compared: vendors report none). Fills v.cases,
// v.mismatches (every difference), v.differences (per class, with its first
// example), v.counterexamples and v.max_ulp (undocumented differences only),
// v.disposition (passed when every difference is documented, else incorrect)
// and v.message (the classes and counts). v.from, v.to and v.spec must be set.
void judge_cuda_vendor_codes(Verdict& v, const CaseSet& cases, const std::vector<uint64_t>& got,
                             const Expected& expected, size_t max_counterexamples);

// "nan_sign 1023, nan_payload 12" (documented) and the same for undocumented
// classes, for messages and the verify table.
std::string differences_text(const std::vector<DifferenceClass>& differences, bool documented);

}  // namespace plumb::checks
