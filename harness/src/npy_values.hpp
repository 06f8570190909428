// plumb harness: a user's .npy array read as codes of a plumb format, the
// input of `plumb check`. An array holds either codes (unsigned integers of
// the format's storage width: '|u1' for <= 8 bits, '<u2' for 16, '<u4' for
// 32) or values ('<f4', '<f8', '<f2') that the format holds exactly; a NaN
// value becomes the format's canonical NaN with its sign (docs/SEMANTICS.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "npy_io.hpp"
#include "plumb/formats/format_desc.hpp"

namespace plumb::harness {

struct FormatArray {
  FormatDesc format;  // whose codes these are
  std::vector<uint64_t> codes;
  std::vector<size_t> shape;
  bool from_values = false;  // the file held values, not codes
  std::string assumed;       // "uint8 codes of e4m3fn", "float32 values of bf16"
};

// Throws std::runtime_error naming the file and what was expected: a dtype
// that is neither, a code with bits beyond the format's, a value the format
// does not hold (its index and value).
FormatArray read_format_array(const std::string& path, const FormatDesc& f);
FormatArray format_array(const NpyArray& a, const std::string& path, const FormatDesc& f);

// The format of a float dtype ('<f4' fp32, '<f8' fp64, '<f2' fp16); false
// otherwise.
bool float_dtype_format(const std::string& dtype, FormatDesc& f);

// "[1, 2]": a flat C-order index as the array's indices.
std::string index_text(size_t flat, const std::vector<size_t>& shape);
// "(3, 4)"
std::string shape_text(const std::vector<size_t>& shape);
// Throws "<path>: expected a 1-D or 2-D array, got ..." / "... is empty";
// returns {rows, cols} (a 1-D array is one row).
std::pair<size_t, size_t> rows_cols(const std::vector<size_t>& shape, const std::string& path);
// Throws "<path>: shape (..) differs from <other>'s (..)" unless equal.
void require_same_shape(const std::vector<size_t>& shape, const std::string& path, const std::vector<size_t>& other,
                        const std::string& other_path);

}  // namespace plumb::harness
