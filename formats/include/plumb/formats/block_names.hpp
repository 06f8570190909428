// plumb formats: names of the block-scaled formats, scale rules and layouts on
// the command line (host only), and what makes a BlockFormat or BlockOptions
// invalid (docs/BLOCK_SEMANTICS.md). Parsers throw std::invalid_argument with
// a message that lists the valid names.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "plumb/formats/block_format.hpp"
#include "plumb/formats/format_names.hpp"

namespace plumb {

struct NamedBlockFormat {
  const char* name;
  BlockFormat format;
  const char* alias;  // nullptr when none
};

inline const std::vector<NamedBlockFormat>& named_block_formats() {
  namespace B = block_formats;
  static const std::vector<NamedBlockFormat> list = {
      {"mxfp8_e4m3", B::mxfp8_e4m3, "mxfp8"}, {"mxfp8_e5m2", B::mxfp8_e5m2, nullptr},
      {"mxfp6_e3m2", B::mxfp6_e3m2, "mxfp6"}, {"mxfp6_e2m3", B::mxfp6_e2m3, nullptr},
      {"mxfp4", B::mxfp4, nullptr},           {"mxint8", B::mxint8, nullptr},
      {"nvfp4", B::nvfp4, nullptr},           {"nvint4", B::nvint4, nullptr},
  };
  return list;
}

inline constexpr const char* kScaleRuleNames[kScaleRuleCount] = {"floor", "ceil",  "even",
                                                                 "rceil", "nv_te", "nv_exact"};
inline constexpr int kBlockLayoutCount = 3;
inline constexpr const char* kBlockLayoutNames[kBlockLayoutCount] = {"rows", "cols", "tile_2d"};

inline const char* scale_rule_name(ScaleRule r) {
  const int i = static_cast<int>(r);
  return i >= 0 && i < kScaleRuleCount ? kScaleRuleNames[i] : "unknown_rule";
}
inline const char* block_layout_name(BlockLayout l) {
  const int i = static_cast<int>(l);
  return i >= 0 && i < kBlockLayoutCount ? kBlockLayoutNames[i] : "unknown_layout";
}

namespace detail {
template <typename T, int N>
std::optional<T> find_enum_name(std::string_view text, const char* const (&names)[N]) {
  const std::string s = lowercase(text);
  for (int i = 0; i < N; ++i)
    if (s == names[i]) return static_cast<T>(i);
  return std::nullopt;
}
template <int N>
std::string name_list(const char* const (&names)[N]) {
  std::string s;
  for (int i = 0; i < N; ++i) s += (i ? ", " : "") + std::string(names[i]);
  return s;
}
}  // namespace detail

inline std::optional<ScaleRule> find_scale_rule(std::string_view text) {
  return detail::find_enum_name<ScaleRule>(text, kScaleRuleNames);
}
inline ScaleRule parse_scale_rule(std::string_view text) {
  if (auto r = find_scale_rule(text)) return *r;
  throw std::invalid_argument("unknown scale rule '" + std::string(text) +
                              "'. Valid rules: " + detail::name_list(kScaleRuleNames));
}
inline std::optional<BlockLayout> find_block_layout(std::string_view text) {
  return detail::find_enum_name<BlockLayout>(text, kBlockLayoutNames);
}
inline BlockLayout parse_block_layout(std::string_view text) {
  if (auto l = find_block_layout(text)) return *l;
  throw std::invalid_argument("unknown block layout '" + std::string(text) +
                              "'. Valid layouts: " + detail::name_list(kBlockLayoutNames));
}

inline std::optional<BlockFormat> find_block_format(std::string_view text) {
  const std::string s = lowercase(text);
  for (const auto& n : named_block_formats())
    if (s == n.name || (n.alias && s == n.alias)) return n.format;
  return std::nullopt;
}
inline BlockFormat parse_block_format(std::string_view text) {
  if (auto f = find_block_format(text)) return *f;
  std::string msg = "unknown block format '" + std::string(text) + "'. Valid names:";
  for (const auto& n : named_block_formats()) {
    msg += " " + std::string(n.name);
    if (n.alias) msg += " (alias " + std::string(n.alias) + ")";
  }
  throw std::invalid_argument(msg);
}

// The named format's name, with " block=N" / " rule=R" where those differ;
// other descriptors: "<element>/<scale> block=N rule=R".
inline std::string block_format_name(const BlockFormat& f) {
  for (const auto& n : named_block_formats()) {
    const BlockFormat& g = n.format;
    if (!(g.element == f.element) || !(g.scale == f.scale) || g.tensor_scale != f.tensor_scale ||
        g.element_shift != f.element_shift || g.symmetric_int != f.symmetric_int)
      continue;
    std::string s = n.name;
    if (g.block_size != f.block_size) s += " block=" + std::to_string(f.block_size);
    if (g.rule != f.rule) s += " rule=" + std::string(scale_rule_name(f.rule));
    return s;
  }
  std::string s = format_name(f.element) + "/" + format_name(f.scale) +
                  " block=" + std::to_string(f.block_size) + " rule=" + scale_rule_name(f.rule);
  if (f.element_shift != 0) s += " shift=" + std::to_string(f.element_shift);
  if (f.tensor_scale) s += " tensor_scale";
  return s;
}

inline constexpr int kMaxBlockSize = 1024;

// What is wrong with a block format; empty when nothing.
inline std::string block_format_problem(const BlockFormat& f) {
  const int rule = static_cast<int>(f.rule);
  if (rule < 0 || rule >= kScaleRuleCount)
    return "scale rule " + std::to_string(rule) + " does not exist (valid: " +
           detail::name_list(kScaleRuleNames) + ")";
  if (f.block_size < 1 || f.block_size > kMaxBlockSize)
    return "block size " + std::to_string(f.block_size) + " is outside 1.." +
           std::to_string(kMaxBlockSize);
  const FormatDesc& e = f.element;
  if (e.bits() > 8 || !e.is_signed || e.encoding == Encoding::e8m0)
    return "element format " + format_name(e) +
           " cannot hold block elements: it must be a signed float or integer of at most 8 bits";
  const FormatDesc& want = is_nv_rule(f.rule) ? formats::ue4m3 : formats::ue8m0;
  if (!(f.scale == want))
    return std::string("scale rule ") + scale_rule_name(f.rule) + " needs a " + format_name(want) +
           " scale, not " + format_name(f.scale) + " (MX rules floor, ceil, even, rceil: ue8m0;" +
           " NV rules nv_te, nv_exact: ue4m3)";
  if (f.element_shift < -64 || f.element_shift > 64)
    return "element shift " + std::to_string(f.element_shift) + " is outside -64..64";
  return {};
}

// Throws std::invalid_argument when block_format_problem finds something.
inline void validate(const BlockFormat& f) {
  const std::string p = block_format_problem(f);
  if (!p.empty()) throw std::invalid_argument(p);
}

// What is wrong with block options; empty when nothing.
inline std::string block_options_problem(const BlockOptions& o) {
  const int layout = static_cast<int>(o.layout);
  if (layout < 0 || layout >= kBlockLayoutCount)
    return "block layout " + std::to_string(layout) + " does not exist (valid: " +
           detail::name_list(kBlockLayoutNames) + ")";
  if (o.stochastic && (o.sr_bits < 1 || o.sr_bits > 32))
    return "stochastic rounding needs 1..32 random bits, not " + std::to_string(o.sr_bits);
  return {};
}

}  // namespace plumb
