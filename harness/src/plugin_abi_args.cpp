// plumb harness: C++ kernel arguments as plugin ABI structs (plugin_abi_args.hpp).
#include "plugin_abi_args.hpp"

#include <mutex>
#include <set>

#include "plumb/formats/block_names.hpp"
#include "plumb/formats/format_names.hpp"

namespace plumb::harness {

namespace {

const char* intern(const std::string& s) {
  static std::mutex mutex;
  static std::set<std::string> strings;
  std::lock_guard<std::mutex> lock(mutex);
  return strings.insert(s).first->c_str();
}

bool same_family(const BlockFormat& a, const BlockFormat& b) {  // the rule may differ
  return a.element == b.element && a.scale == b.scale && a.block_size == b.block_size &&
         a.tensor_scale == b.tensor_scale && a.element_shift == b.element_shift;
}

}  // namespace

plumb_plugin_format c_format(const FormatDesc& f) {
  plumb_plugin_format c{};
  c.name = intern(format_name(f));
  c.ebits = f.ebits;
  c.mbits = f.mbits;
  c.bias = f.bias;
  c.is_signed = f.is_signed ? 1 : 0;
  c.encoding = static_cast<uint8_t>(f.encoding);
  c.storage_bytes = static_cast<uint8_t>(f.storage_bytes());
  return c;
}

plumb_plugin_convert_args c_convert_args(const kernels::ConvertArgs& args) {
  plumb_plugin_convert_args c{};
  c.from = c_format(args.from);
  c.to = c_format(args.to);
  c.rounding = static_cast<uint8_t>(args.spec.rounding);
  c.overflow = static_cast<uint8_t>(args.spec.overflow);
  c.sr_bits = args.spec.sr_bits;
  return c;
}

const char* block_family_name(const BlockFormat& f) {
  for (const auto& n : named_block_formats())
    if (same_family(n.format, f)) return n.name;
  return "custom";
}

plumb_plugin_block_args c_block_args(const BlockFormat& f, const BlockOptions& o, size_t rows, size_t cols) {
  plumb_plugin_block_args c{};
  c.name = block_family_name(f);
  c.element = c_format(f.element);
  c.scale = c_format(f.scale);
  c.block_size = f.block_size;
  c.rule = static_cast<uint8_t>(f.rule);
  c.tensor_scale = f.tensor_scale ? 1 : 0;
  c.element_shift = f.element_shift;
  c.symmetric_int = f.symmetric_int ? 1 : 0;
  c.layout = static_cast<uint8_t>(o.layout);
  c.hadamard = o.hadamard ? 1 : 0;
  c.hadamard_seed = o.hadamard_seed;
  c.stochastic = o.stochastic ? 1 : 0;
  c.sr_bits = o.sr_bits;
  c.sr_seed = o.sr_seed;
  const auto grid = kernels::scale_grid(f, o.layout, rows, cols);
  c.scale_rows = grid.rows;
  c.scale_cols = grid.cols;
  return c;
}

plumb_plugin_lmul_args c_lmul_args(const kernels::LmulArgs& args) {
  plumb_plugin_lmul_args c{};
  c.format = c_format(args.format);
  c.carry = static_cast<uint8_t>(args.spec.carry);
  c.subnormals = static_cast<uint8_t>(args.spec.subnormals);
  c.overflow = static_cast<uint8_t>(args.spec.overflow);
  return c;
}

plumb_plugin_gemm_args c_gemm_args(const kernels::GemmArgs& a) {
  plumb_plugin_gemm_args c{};
  c.kind = static_cast<uint8_t>(a.kind);
  c.m = a.m, c.n = a.n, c.k = a.k;
  c.a_f32 = a.a_f32, c.b_f32 = a.b_f32;
  c.a_i8 = a.a_i8, c.b_i8 = a.b_i8;
  if (a.kind == kernels::GemmKind::block) c.block = c_block_args(a.format, BlockOptions{}, a.m, a.k);
  c.a_elements = a.a_elements, c.a_scales = a.a_scales;
  c.b_elements = a.b_elements, c.b_scales = a.b_scales;
  c.a_tensor_scale = a.a_tensor_scale, c.b_tensor_scale = a.b_tensor_scale;
  c.a_u16 = a.a_u16, c.b_u16 = a.b_u16;
  if (a.kind == kernels::GemmKind::fp8 || a.kind == kernels::GemmKind::fp8_blockwise)
    c.a_fp8 = c_format(a.a_fp8), c.b_fp8 = c_format(a.b_fp8);
  else
    c.a_fp8.name = c.b_fp8.name = "none";
  c.a_scale = a.a_scale, c.b_scale = a.b_scale;
  c.a_block_scales = a.a_block_scales, c.b_block_scales = a.b_block_scales;
  return c;
}

}  // namespace plumb::harness
