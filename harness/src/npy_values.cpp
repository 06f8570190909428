// plumb harness: .npy arrays as codes of a format (see npy_values.hpp).
#include "npy_values.hpp"

#include <cmath>
#include <stdexcept>

#include "plumb/checks/verdict.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/convert_kernel.hpp"
#include "value_text.hpp"

namespace plumb::harness {

namespace {

const char* code_dtype(const FormatDesc& f) {
  switch (f.storage_bytes()) {
    case 1:
      return "uint8 '|u1'";
    case 2:
      return "uint16 '<u2'";
    case 4:
      return "uint32 '<u4'";
    default:
      return "uint64";
  }
}

int code_width(const std::string& dtype) {
  if (dtype == "|u1" || dtype == "<u1" || dtype == "u1") return 1;
  if (dtype == "<u2") return 2;
  if (dtype == "<u4") return 4;
  return 0;
}

}  // namespace

bool float_dtype_format(const std::string& dtype, FormatDesc& f) {
  if (dtype == "<f4")
    f = formats::fp32;
  else if (dtype == "<f8")
    f = formats::fp64;
  else if (dtype == "<f2")
    f = formats::fp16;
  else
    return false;
  return true;
}

FormatArray format_array(const NpyArray& a, const std::string& path, const FormatDesc& f) {
  FormatArray out;
  out.format = f;
  out.shape = a.shape;
  const size_t n = a.count();
  out.codes.resize(n);
  const std::string name = format_name(f);
  if (const int width = code_width(a.dtype); width) {
    if (width != f.storage_bytes())
      throw std::runtime_error(path + ": dtype '" + a.dtype + "' does not hold " + name + " codes: expected " +
                               code_dtype(f) + " codes or float values ('<f4', '<f8', '<f2')");
    for (size_t i = 0; i < n; ++i) {
      out.codes[i] = kernels::load_code(a.bytes.data(), width, i);
      if (out.codes[i] & ~f.code_mask())
        throw std::runtime_error(path + ": element " + std::to_string(i) + " = " + checks::hex_code(out.codes[i]) +
                                 " is not a " + name + " code (" + std::to_string(f.bits()) + " bits)");
    }
    out.assumed = "uint" + std::to_string(8 * width) + " codes of " + name;
    return out;
  }
  FormatDesc src{};
  if (!float_dtype_format(a.dtype, src))
    throw std::runtime_error(path + ": dtype '" + a.dtype + "' holds neither " + name + " codes (" + code_dtype(f) +
                             ") nor values (float32 '<f4', float64 '<f8', float16 '<f2')");
  const RoundingSpec exact{Rounding::nearest_even, Overflow::infinity, 0};
  for (size_t i = 0; i < n; ++i) {
    const uint64_t code = kernels::load_code(a.bytes.data(), src.storage_bytes(), i);
    const Converted c = convert_code(src, f, code, exact);
    const double v = decode(src, code);
    const bool nan_kept = std::isnan(v) && std::isnan(decode(f, c.code));
    if ((c.flags & (kInexact | kOverflow | kNoEncoding)) || (std::isnan(v) && !nan_kept))
      throw std::runtime_error(path + ": element " + std::to_string(i) + " = " + value_text(v) + " is not a value of " +
                               name + " (a value array must hold " + name + " values exactly; or save " +
                               code_dtype(f) + " codes)");
    out.codes[i] = c.code;
  }
  out.from_values = true;
  out.assumed = std::string(a.dtype == "<f4"   ? "float32"
                            : a.dtype == "<f8" ? "float64"
                                               : "float16") +
                (src == f ? " values" : " values of " + name);
  return out;
}

FormatArray read_format_array(const std::string& path, const FormatDesc& f) {
  return format_array(read_npy(path), path, f);
}

std::string index_text(size_t flat, const std::vector<size_t>& shape) {
  std::vector<size_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  std::string s = "[";
  for (size_t d = 0; d < idx.size(); ++d) s += (d ? ", " : "") + std::to_string(idx[d]);
  return s + "]";
}

std::string shape_text(const std::vector<size_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::pair<size_t, size_t> rows_cols(const std::vector<size_t>& shape, const std::string& path) {
  if (shape.empty() || shape.size() > 2)
    throw std::runtime_error(path + ": expected a 1-D or 2-D array, got shape " + shape_text(shape));
  const size_t rows = shape.size() == 2 ? shape[0] : 1, cols = shape.back();
  if (rows == 0 || cols == 0) throw std::runtime_error(path + ": the array is empty, shape " + shape_text(shape));
  return {rows, cols};
}

void require_same_shape(const std::vector<size_t>& shape, const std::string& path, const std::vector<size_t>& other,
                        const std::string& other_path) {
  if (shape != other)
    throw std::runtime_error(path + ": shape " + shape_text(shape) + " differs from " + other_path + "'s " +
                             shape_text(other) + " (expected the same shape)");
}

}  // namespace plumb::harness
