// plumb peers: the CUDA headers' conversion intrinsics, host paths, against
// the MPFR oracle (see cuda_headers_peer.hpp). Compiled by the host compiler
// with the CUDA include directory; nothing from the CUDA runtime is called.
#include "cuda_headers_peer.hpp"
#include "cuda_headers_intrinsics.hpp"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp4.h>
#include <cuda_fp6.h>
#include <cuda_fp8.h>
#include <cuda_runtime_api.h>  // CUDART_VERSION only

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "plumb/checks/check_convert.hpp"
#include "plumb/checks/vendor_differences.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/reference/convert_reference.hpp"

namespace plumb::peers {
namespace {

namespace F = formats;
using reference::ReferenceResult;

// -------------------------------------------------------------------- inputs

// An fp16 or bf16 code widened exactly into fp32 or fp64 (NaN payloads and
// signs kept, bit for bit).
uint64_t widen(const FormatDesc& from, uint64_t c, const FormatDesc& to) {
  const bool neg = c & from.sign_bit();
  const uint64_t man = c & ((uint64_t{1} << from.mbits) - 1);
  if ((c & from.exponent_all_ones()) == from.exponent_all_ones() && man)
    return (neg ? to.sign_bit() : 0) | to.exponent_all_ones() | man << (to.mbits - from.mbits);
  const double x = decode(from, c);
  return to == F::fp32 ? std::bit_cast<uint32_t>(static_cast<float>(x)) : std::bit_cast<uint64_t>(x);
}

std::vector<uint64_t> all_codes(const FormatDesc& f, bool quick) {
  std::vector<uint64_t> v;
  for (uint64_t c = 0; c <= f.code_mask(); ++c) {
    const uint64_t e = c & f.exponent_all_ones();
    if (!quick || f.bits() <= 8 || c % 17 == 0 || e == 0 || e == f.exponent_all_ones()) v.push_back(c);
  }
  return v;
}

// Ties, neighbours and range ends of the target, as exact positive doubles:
// every pair of adjacent values (quick: the ends of the range and a stride
// through it for 16-bit targets).
std::vector<double> edge_values(const FormatDesc& to, bool quick) {
  std::vector<double> vals;
  for (uint64_t c = 0; c <= to.magnitude_mask(); ++c)
    if (const double x = decode(to, c); std::isfinite(x) && x >= 0) vals.push_back(x);
  std::sort(vals.begin(), vals.end());
  vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
  std::vector<double> out;
  const size_t pairs = vals.size() - 1;
  for (size_t i = 0; i < pairs; ++i) {
    if (quick && pairs > 256 && i >= 64 && i + 64 < pairs && i % 997 != 0) continue;
    out.insert(out.end(), {vals[i], vals[i + 1], (vals[i] + vals[i + 1]) / 2});
  }
  const double top = vals.back();
  const double q = std::ldexp(1.0, std::ilogb(top) - to.mbits);  // quantum of the top binade
  out.insert(out.end(), {top + q / 4, top + q / 2, top + q, top + 1.5 * q, 2 * top, 4 * top});
  const double tiny = *std::upper_bound(vals.begin(), vals.end(), 0.0);
  const double min_normal = std::ldexp(1.0, to.min_exponent());
  out.insert(out.end(), {tiny / 2, tiny / 4, 0.75 * tiny, 1.5 * tiny, min_normal, 0.5 * min_normal});
  return out;
}

// log2 of a range of magnitudes a little wider than the target's (1/8 of its
// smallest positive value to 8 times its largest), for random in-range values.
std::pair<double, double> log2_range(const FormatDesc& to) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (uint64_t c = 0; c <= to.magnitude_mask(); ++c)
    if (const double x = decode(to, c); std::isfinite(x) && x > 0) lo = std::min(lo, x), hi = std::max(hi, x);
  return {std::log2(lo) - 3, std::log2(hi) + 3};
}

std::vector<uint64_t> fp32_inputs(const FormatDesc& to, bool quick, std::mt19937_64& rng) {
  std::vector<uint64_t> v;
  for (const auto& src : {F::fp16, F::bf16})
    for (uint64_t c : all_codes(src, quick)) v.push_back(widen(src, c, F::fp32));
  const float fmax = std::numeric_limits<float>::max(), inf = std::numeric_limits<float>::infinity();
  for (double t : edge_values(to, quick)) {
    const float f = static_cast<float>(std::min(t, double{fmax}));
    for (float g : {f, std::nextafter(f, 0.0f), std::nextafter(f, inf)})
      for (float s : {g, -g}) v.push_back(std::bit_cast<uint32_t>(s));
  }
  for (uint64_t c : {0x00000000, 0x7F800000, 0x7FC00000, 0x7F800001, 0x7FC00001, 0x7FFFFFFF, 0x7FA00000,
                     0x7FE00000, 0x7F900000, 0x00000001, 0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0x00400000,
                     0x00400001, 0x003FFFFF, 0x00200000, 0x00600000, 0x3F800000})
    v.insert(v.end(), {c, c | 0x80000000});
  const int n = quick ? 2000 : 100000;
  for (int i = 0; i < n; ++i) v.push_back(rng() & 0xFFFFFFFF);
  // Random values around the target's range, so that rounding is exercised.
  const auto [lo, hi] = log2_range(to);
  std::uniform_real_distribution<double> e(lo, std::min(hi, 127.9));
  for (int i = 0; i < n / 5; ++i) {
    const float f = static_cast<float>(std::exp2(e(rng)));
    v.push_back(std::bit_cast<uint32_t>(rng() & 1 ? -f : f));
  }
  return v;
}

std::vector<uint64_t> fp64_inputs(const FormatDesc& to, bool quick, std::mt19937_64& rng) {
  std::vector<uint64_t> v;
  for (const auto& src : {F::fp16, F::bf16})
    for (uint64_t c : all_codes(src, quick)) v.push_back(widen(src, c, F::fp64));
  const double inf = std::numeric_limits<double>::infinity();
  const double fmax = std::numeric_limits<float>::max();
  std::vector<double> edges = edge_values(to, quick);
  edges.insert(edges.end(), {fmax, fmax * (1 + 0x1p-30), 0x1p128 * (1 - 0x1p-30), 0x1p128, 1e39, 1e300,
                             std::numeric_limits<double>::max(), 0x1p-149, 0x1p-150, 0x1p-150 * 1.5, 1e-46,
                             1e-300, std::numeric_limits<double>::denorm_min()});
  for (double t : edges) {
    const float f = static_cast<float>(std::min(t, fmax));
    for (double g : {t, std::nextafter(t, 0.0), std::nextafter(t, inf), double{std::nextafter(f, 0.0f)},
                     double{std::nextafter(f, std::numeric_limits<float>::infinity())}})
      for (double s : {g, -g}) v.push_back(std::bit_cast<uint64_t>(s));
  }
  for (uint64_t c : {0x0000000000000000ull, 0x7FF0000000000000ull, 0x7FF8000000000000ull, 0x7FF0000000000001ull,
                     0x7FF4000000000000ull, 0x7FFC000000000000ull, 0x7FFFFFFFFFFFFFFFull, 0x7FF8000000000001ull,
                     0x7FF2000000000000ull, 0x7FF0000020000000ull, 0x0000000000000001ull, 0x000FFFFFFFFFFFFFull,
                     0x0010000000000000ull, 0x7FEFFFFFFFFFFFFFull, 0x3FF0000000000000ull})
    v.insert(v.end(), {c, c | 0x8000000000000000ull});
  const int n = quick ? 2000 : 50000;
  for (int i = 0; i < n; ++i) v.push_back(rng());
  // Random values around the target's range whose low 32 significand bits
  // are random: sticky bits below fp32's precision.
  const auto [lo, hi] = log2_range(to);
  std::uniform_real_distribution<double> e(lo, hi);
  for (int i = 0; i < n; ++i) {
    const uint64_t bits = (std::bit_cast<uint64_t>(std::exp2(e(rng))) & ~uint64_t{0xFFFFFFFF}) | (rng() & 0xFFFFFFFF);
    v.push_back(bits | (rng() & 1 ? 0x8000000000000000ull : 0));
  }
  return v;
}

std::vector<uint64_t> inputs(const FormatDesc& from, const FormatDesc& to, bool quick, uint64_t seed) {
  std::mt19937_64 rng(seed ^ (uint64_t{to.ebits} << 8 | to.mbits));
  std::vector<uint64_t> v = from == F::fp32   ? fp32_inputs(to, quick, rng)
                            : from == F::fp64 ? fp64_inputs(to, quick, rng)
                                              : all_codes(from, quick && from.bits() > 8);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// -------------------------------------------------------------- comparison

constexpr Overflow kPolicies[] = {Overflow::saturate, Overflow::nan, Overflow::infinity};  // tie order


using Oracles = std::array<std::vector<ReferenceResult>, 3>;  // by kPolicies index

std::string value_text(double x) {
  if (std::isnan(x)) return std::signbit(x) ? "-nan" : "nan";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}
std::string hex(uint64_t code, int bits) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%0*llx", (bits + 3) / 4, static_cast<unsigned long long>(code));
  return buf;
}
// Differences and their classes: one definition with the GPU kernel's checks
// (suites/support vendor_differences.hpp).
bool differs(uint64_t got, const ReferenceResult& want) { return checks::vendor_differs(got, want); }

nlohmann::json compare(const Intrinsic& in, const std::vector<uint64_t>& codes, const Oracles& oracles,
                       const std::string& peer) {
  std::vector<uint64_t> got(codes.size());
  checks::parallel_for(codes.size(), 0, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) got[i] = in.fn(codes[i]) & in.to.code_mask();
  });
  // The policy is chosen by its differences on the inputs it is about: a
  // negative input into an unsigned format is left out (there plumb's policy
  // decides "negative, out of range", which the peer never reports: it
  // converts the magnitude, see classify_vendor_difference), so that it does not outvote
  // overflow and infinity.
  nlohmann::json by_policy = nlohmann::json::object();
  size_t best = 0, best_score = 0;
  for (size_t p = 0; p < 3; ++p) {
    size_t n = 0, score = 0;
    for (size_t i = 0; i < codes.size(); ++i)
      if (differs(got[i], oracles[p][i])) {
        ++n;
        score += in.to.is_signed || !(decode(in.from, codes[i]) < 0);
      }
    by_policy[checks::overflow_name(kPolicies[p])] = n;
    if (p == 0 || score < best_score) best = p, best_score = score;
  }
  size_t best_count = 0;
  for (size_t i = 0; i < codes.size(); ++i) best_count += differs(got[i], oracles[best][i]);
  const RoundingSpec spec{in.rounding, kPolicies[best], 0};
  std::map<std::string, nlohmann::json> classes;
  for (size_t i = 0; i < codes.size(); ++i) {
    const ReferenceResult& want = oracles[best][i];
    if (!differs(got[i], want)) continue;
    const std::string cls = checks::classify_vendor_difference(in.from, in.to, codes[i], got[i], want, spec);
    auto [it, first] = classes.try_emplace(cls);
    if (first) {
      const std::string input = hex(codes[i], in.from.bits());
      it->second = {{"class", cls},
                    {"count", 0},
                    {"documented", checks::cuda_documented_anchor(cls)},
                    {"example",
                     {{"input", input},
                      {"input_value", value_text(decode(in.from, codes[i]))},
                      {"peer", hex(got[i], in.to.bits())},
                      {"peer_value", value_text(decode(in.to, got[i]))},
                      {"oracle", hex(want.code, in.to.bits())},
                      {"oracle_value", want.flags & kNoEncoding ? "no_encoding" : value_text(decode(in.to, want.code))},
                      {"command", "echo " + input + " | plumb convert --bits --from " + format_name(in.from) +
                                      " --to " + format_name(in.to) + " --rounding " + checks::rounding_name(in.rounding) +
                                      " --overflow " + checks::overflow_name(spec.overflow) + " --kernel mpfr"}}}};
    }
    it->second["count"] = it->second["count"].get<size_t>() + 1;
  }
  nlohmann::json differences = nlohmann::json::array();
  for (auto& [name, d] : classes) differences.push_back(std::move(d));
  return {{"peer", peer + " " + in.call},
          {"intrinsic", in.call},
          {"from", format_name(in.from)},
          {"to", format_name(in.to)},
          {"rounding", checks::rounding_name(in.rounding)},
          {"overflow", checks::overflow_name(spec.overflow)},
          {"cases", codes.size()},
          {"agree", codes.size() - best_count},
          {"differ", best_count},
          {"differences", std::move(differences)},
          {"differ_by_overflow", std::move(by_policy)}};
}

}  // namespace

std::string cuda_headers_peer_name() {
  return "CUDA " + std::to_string(CUDART_VERSION / 1000) + "." + std::to_string(CUDART_VERSION % 1000 / 10) +
         " headers (host)";
}

nlohmann::json cuda_headers_peer_records(bool quick, uint64_t seed) {
  const std::string peer = cuda_headers_peer_name();
  nlohmann::json records = nlohmann::json::array();
  std::map<std::string, std::vector<uint64_t>> input_sets;  // by from>to
  std::map<std::string, Oracles> oracle_sets;               // by from>to>rounding
  for (const Intrinsic& in : cuda_header_intrinsics()) {
    const auto start = std::chrono::steady_clock::now();
    const std::string key = format_name(in.from) + ">" + format_name(in.to);
    auto& codes = input_sets[key];
    if (codes.empty()) codes = inputs(in.from, in.to, quick, seed);
    auto& oracles = oracle_sets[key + ">" + checks::rounding_name(in.rounding)];
    if (oracles[0].empty())
      for (size_t p = 0; p < 3; ++p) {
        oracles[p].resize(codes.size());
        const RoundingSpec spec{in.rounding, kPolicies[p], 0};
        checks::parallel_for(codes.size(), 0, [&](size_t b, size_t e) {
          for (size_t i = b; i < e; ++i) oracles[p][i] = reference::mpfr_convert(in.from, in.to, codes[i], spec);
        });
      }
    records.push_back(compare(in, codes, oracles, peer));
    records.back()["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return records;
}

}  // namespace plumb::peers
