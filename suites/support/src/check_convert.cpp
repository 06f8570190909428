// plumb checks: the conversion check runner (see check_convert.hpp).
#include "plumb/checks/check_convert.hpp"
#include "plumb/checks/vendor_differences.hpp"

#include <chrono>
#include <thread>

#include "plumb/formats/value.hpp"
#include "plumb/reference/convert_reference.hpp"
#include "plumb/reference/table_oracle.hpp"

namespace plumb::checks {

namespace {

template <reference::ReferenceResult (*Fn)(const FormatDesc&, const FormatDesc&, uint64_t,
                                           const RoundingSpec&, uint32_t)>
kernels::KernelStatus oracle_kernel(const kernels::ConvertArgs& args, const void* in, void* out,
                                    uint8_t* flags, size_t n, const uint32_t* rbits,
                                    std::string*) {
  const int in_bytes = args.from.storage_bytes(), out_bytes = args.to.storage_bytes();
  for (size_t i = 0; i < n; ++i) {
    const auto r = Fn(args.from, args.to, kernels::load_code(in, in_bytes, i), args.spec,
                      rbits ? rbits[i] : 0);
    kernels::store_code(out, out_bytes, i, r.code);
    if (flags) flags[i] = r.flags;
  }
  return kernels::KernelStatus::ok;
}

// The table oracle: targets of at most 8 bits, from fp32, fp16 or bf16 (whose
// codes are widened to fp32 exactly); anything else is not supported.
kernels::KernelStatus table_oracle_kernel(const kernels::ConvertArgs& args, const void* in, void* out,
                                          uint8_t* flags, size_t n, const uint32_t* rbits,
                                          std::string* message) {
  uint32_t (*widen)(uint32_t) = nullptr;
  if (args.from == formats::fp32) widen = [](uint32_t c) { return c; };
  else if (args.from == formats::fp16) widen = [](uint32_t c) { return reference::table_oracle_fp16_to_fp32(c); };
  else if (args.from == formats::bf16) widen = [](uint32_t c) { return reference::table_oracle_bf16_to_fp32(c); };
  reference::TableOracle table;
  if (!widen || !reference::make_table_oracle(args.to, table)) {
    if (message) *message = "the table oracle converts fp32, fp16 and bf16 into formats of at most 8 bits";
    return kernels::KernelStatus::not_supported;
  }
  const int in_bytes = args.from.storage_bytes(), out_bytes = args.to.storage_bytes();
  for (size_t i = 0; i < n; ++i) {
    const uint32_t code = widen(static_cast<uint32_t>(kernels::load_code(in, in_bytes, i)));
    const auto r = reference::table_oracle_convert_fp32(table, code, args.spec, rbits ? rbits[i] : 0);
    kernels::store_code(out, out_bytes, i, r.code);
    if (flags) flags[i] = r.flags;
  }
  return kernels::KernelStatus::ok;
}

}  // namespace

const std::vector<kernels::ConvertKernel>& oracle_kernels() {
  static const std::vector<kernels::ConvertKernel> list = {
      {"mpfr", kernels::Device::cpu, "reference: MPFR oracle", &oracle_kernel<reference::mpfr_convert>, false},
      {"boost", kernels::Device::cpu, "reference: Boost.Multiprecision oracle",
       &oracle_kernel<reference::boost_convert>, false},
      {"table", kernels::Device::cpu, "reference: table oracle (<= 8-bit targets from fp32/fp16/bf16; GPU-usable)",
       &table_oracle_kernel, false},
  };
  return list;
}

const kernels::ConvertKernel* find_kernel(const std::string& name) {
  if (const auto* k = kernels::find_convert_kernel(name)) return k;
  for (const auto& k : oracle_kernels())
    if (name == k.name) return &k;
  return nullptr;
}

uint32_t case_rbits(uint64_t seed, size_t i) {
  return static_cast<uint32_t>(random_word(seed ^ 0x5eed5eed5eedull, i) >> 32);
}

void parallel_for(size_t n, unsigned threads, const std::function<void(size_t, size_t)>& body) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1 || n < 4096) return body(0, n);
  std::vector<std::thread> pool;
  const size_t chunk = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    const size_t b = t * chunk, e = std::min(n, b + chunk);
    if (b < e) pool.emplace_back(body, b, e);
  }
  for (auto& th : pool) th.join();
}

Expected oracle_results(Oracle oracle, const CaseSet& cases, const FormatDesc& to,
                        const RoundingSpec& spec, const CheckSettings& settings) {
  const size_t n = cases.codes.size();
  Expected e;
  e.codes.resize(n);
  e.flags.resize(n);
  if (spec.rounding == Rounding::stochastic) {
    e.rbits.resize(n);
    for (size_t i = 0; i < n; ++i) e.rbits[i] = case_rbits(settings.seed, i);
  }
  auto fn = oracle == Oracle::mpfr ? reference::mpfr_convert : reference::boost_convert;
  parallel_for(n, settings.threads, [&](size_t b, size_t end) {
    for (size_t i = b; i < end; ++i) {
      const auto r = fn(cases.from, to, cases.codes[i], spec, e.rbits.empty() ? 0 : e.rbits[i]);
      e.codes[i] = r.code;
      e.flags[i] = r.flags;
    }
  });
  return e;
}

Verdict check_convert(const kernels::ConvertKernel& kernel, const CaseSet& cases,
                      const FormatDesc& to, const RoundingSpec& spec, const Expected& expected,
                      const CheckSettings& settings) {
  Verdict v;
  v.suite = cases.name;
  v.kernel = kernel.name;
  v.device = kernels::device_name(kernel.device);
  v.from = cases.from;
  v.to = to;
  v.spec = spec;
  v.expected_failure = kernel.planted_bug;
  if (kernel.device == kernels::Device::cuda && kernels::cuda_device_count() == 0) {
    v.disposition = Disposition::skipped;
    v.message = "no CUDA device on this machine";
    return v;
  }
  const auto start = std::chrono::steady_clock::now();
  const size_t n = cases.codes.size();
  std::vector<uint8_t> in(n * cases.from.storage_bytes());
  for (size_t i = 0; i < n; ++i) kernels::store_code(in.data(), cases.from.storage_bytes(), i, cases.codes[i]);
  std::vector<uint8_t> out(n * to.storage_bytes()), flags(n, 0xff);
  std::string message;
  const kernels::ConvertArgs args{cases.from, to, spec};
  const auto status = kernel.fn(args, in.data(), out.data(), flags.data(), n,
                                expected.rbits.empty() ? nullptr : expected.rbits.data(), &message);
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (status == kernels::KernelStatus::not_supported) {
    v.disposition = Disposition::not_supported;
    v.message = message;
    return v;
  }
  if (status == kernels::KernelStatus::error) {
    v.disposition = Disposition::kernel_error;
    v.message = message.empty() ? "kernel reported an error" : message;
    return v;
  }
  v.cases = n;
  if (kernel.judged == kernels::Judged::cuda_vendor) {  // codes only, differences by class
    std::vector<uint64_t> got(n);
    for (size_t i = 0; i < n; ++i) got[i] = kernels::load_code(out.data(), to.storage_bytes(), i);
    judge_cuda_vendor_codes(v, cases, got, expected, settings.max_counterexamples);
    return v;
  }
  for (size_t i = 0; i < n; ++i) {
    const uint64_t got = kernels::load_code(out.data(), to.storage_bytes(), i);
    const bool code_ok = got == expected.codes[i];
    const bool flags_ok = flags[i] == expected.flags[i];
    if (code_ok && flags_ok) continue;
    ++v.mismatches;
    if (code_ok) ++v.flag_mismatches;
    const int64_t d = ulp_distance(to, got, expected.codes[i]);
    if (d < 0) v.max_ulp = -1;
    else if (v.max_ulp >= 0 && d > v.max_ulp) v.max_ulp = d;
    if (v.counterexamples.size() < settings.max_counterexamples)
      v.counterexamples.push_back({cases.codes[i], expected.rbits.empty() ? 0 : expected.rbits[i],
                                   got, flags[i], expected.codes[i], expected.flags[i]});
  }
  v.disposition = v.mismatches == 0 ? Disposition::passed : Disposition::incorrect;
  return v;
}

std::vector<RoundingSpec> all_rounding_specs(int sr_bits) {
  std::vector<RoundingSpec> specs;
  for (int r = 0; r < kRoundingCount; ++r)
    for (int o = 0; o < kOverflowCount; ++o)
      specs.push_back({static_cast<Rounding>(r), static_cast<Overflow>(o),
                       static_cast<uint8_t>(r == static_cast<int>(Rounding::stochastic) ? sr_bits : 0)});
  return specs;
}

}  // namespace plumb::checks
