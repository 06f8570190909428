// plumb repro --device cuda in a build without CUDA (repro_cuda.hpp): the
// device is reported unavailable, with the reason, and never run.
#include <stdexcept>

#include "repro_cuda.hpp"

namespace plumb::harness::repro {

namespace {
const char* kNoCuda = "this plumb was built without CUDA (PLUMB_HAVE_CUDA off)";
}

bool cuda_available(std::string* why_not) {
  if (why_not) *why_not = kNoCuda;
  return false;
}
bool cuda_supports(Op op) { return op == Op::sum || op == Op::dot || op == Op::gemm; }
void cuda_run_call(const Inputs&, const std::vector<size_t>&, Variant, const ExecConfig&, float*) {
  throw std::runtime_error(std::string("--device cuda: ") + kNoCuda);
}
CudaTiming cuda_time_variants(const Inputs&, const ExecConfig&, size_t) {
  throw std::runtime_error(std::string("--device cuda: ") + kNoCuda);
}

}  // namespace plumb::harness::repro
