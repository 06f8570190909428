// plumb checks: the GEMM suite (see gemm_suite.hpp).
#include "plumb/checks/gemm_suite.hpp"
#include "plumb/checks/kernels_on_device.hpp"

#include <array>
#include <set>

namespace plumb::checks {

std::vector<GemmCase> gemm_suite_cases(uint64_t seed) {
  std::vector<GemmCase> cases;
  uint64_t i = 0;
  const auto s = [&] { return seed * 1000003 + i++; };
  for (const auto& [m, n, k] : std::array<std::array<size_t, 3>, 4>{{{1, 1, 1}, {7, 5, 300}, {3, 4, 4099}, {1, 9, 64}}})
    cases.push_back(make_int8_gemm_case(m, n, k, s()));
  for (const auto& [m, n, k] :
       std::array<std::array<size_t, 3>, 5>{{{1, 1, 1}, {1, 8, 1000}, {9, 1, 257}, {6, 5, 4096}, {4, 4, 33}}})
    cases.push_back(make_fp32_gemm_case(m, n, k, s()));
  const std::array<std::pair<const char*, BlockFormat>, 5> formats{{{"mxfp8_e4m3", block_formats::mxfp8_e4m3},
                                                                    {"mxfp4", block_formats::mxfp4},
                                                                    {"mxint8", block_formats::mxint8},
                                                                    {"nvfp4", block_formats::nvfp4},
                                                                    {"nvint4", block_formats::nvint4}}};
  for (const auto& [name, f] : formats) {
    for (const auto& [m, n, k] : std::array<std::array<size_t, 3>, 6>{
             {{5, 4, 64}, {3, 6, 33}, {1, 7, 100}, {7, 1, 17}, {4, 4, 1}, {2, 3, 1000}}})
      cases.push_back(make_block_gemm_case(f, name, m, n, k, GemmSpecial::none, s()));
    cases.push_back(make_block_gemm_case(f, name, 4, 5, 70, GemmSpecial::zero_block, s()));
    cases.push_back(make_block_gemm_case(f, name, 4, 5, 70, GemmSpecial::nan_inf, s()));
  }
  // bf16 / fp16 / fp8 / fp8_blockwise (the cuBLAS(Lt) kinds): M or N of 1, K
  // of 1 and K not a multiple of 16, 32 or 128, K up to 4096.
  using Shapes = std::array<std::array<size_t, 3>, 5>;
  for (const auto kind : {kernels::GemmKind::bf16, kernels::GemmKind::fp16})
    for (const auto& [m, n, k] : Shapes{{{1, 1, 1}, {1, 8, 1000}, {9, 1, 257}, {6, 5, 4096}, {4, 4, 33}}})
      cases.push_back(make_half_gemm_case(kind, m, n, k, s()));
  const std::array<std::pair<FormatDesc, FormatDesc>, 4> fp8_pairs{
      {{formats::e4m3fn, formats::e4m3fn}, {formats::e4m3fn, formats::e5m2}, {formats::e5m2, formats::e4m3fn},
       {formats::e5m2, formats::e5m2}}};
  for (const auto& [fa, fb] : fp8_pairs)
    for (const auto& [m, n, k] : Shapes{{{1, 1, 1}, {1, 7, 100}, {9, 1, 257}, {6, 5, 4096}, {4, 4, 33}}})
      cases.push_back(make_fp8_gemm_case(fa, fb, m, n, k, s()));
  for (const auto& [m, n, k] : Shapes{{{1, 1, 1}, {5, 3, 300}, {3, 130, 260}, {2, 4, 4096}, {1, 9, 129}}})
    cases.push_back(make_fp8_blockwise_gemm_case(formats::e4m3fn, formats::e4m3fn, m, n, k, s()));
  return cases;
}

size_t run_gemm_suite(const GemmSuiteOptions& o) {
  const auto cases = gemm_suite_cases(o.seed);
  const bool gpu = kernels::cuda_device_count() > 0;
  for (const auto* k : o.kernels) {
    Verdict base;
    base.suite = kGemmSuite;
    base.kernel = k->name;
    base.device = kernels::device_name(k->device);
    base.op = "gemm";
    if (k->device == kernels::Device::cuda && !gpu) {
      Verdict v = base;
      v.label = "all cells";
      v.disposition = Disposition::skipped;
      v.message = "no usable CUDA device";
      o.on_verdict(v);
      continue;
    }
    bool caught = false;
    std::set<std::pair<kernels::GemmKind, std::string>> unsupported;
    for (const auto& c : cases) {
      if (unsupported.count({c.kind, c.variant})) continue;
      Verdict v = check_gemm(*k, c);
      if (v.disposition == Disposition::not_supported) {
        unsupported.insert({c.kind, c.variant});
        v.label = std::string(kernels::gemm_kind_name(c.kind)) + (c.variant.empty() ? "" : " " + c.variant) +
                  " (every cell)";
      }
      for (auto& ce : v.counterexamples)
        ce.command = std::string("plumb verify --suite gemm --kernel ") + k->name + " --seed " + std::to_string(o.seed);
      caught |= v.disposition == Disposition::incorrect;
      o.on_verdict(v);
    }
    if (k->planted_bug && o.require_planted_caught && !caught)
      o.on_verdict(planted_not_caught(base.suite, k->name, base.device, base.op));
  }
  return cases.size();
}

std::vector<const kernels::GemmKernel*> registry_gemm_kernels(const std::string& device) {
  return kernels_on_device(kernels::gemm_kernels(), device);
}

}  // namespace plumb::checks
