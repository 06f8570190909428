// plumb repro: each op's correctly rounded outputs from reference/ (exact
// GEMM for sum / dot / GEMM, the MPFR softmax, RMSNorm and attention), in the
// op's output format (fp32, or bf16 for bf16 softmax / RMSNorm / attention).
#pragma once

#include "repro_types.hpp"

namespace plumb::harness::repro {

Outputs reference_outputs(const Inputs& in);

}  // namespace plumb::harness::repro
