// plumb harness: reading and writing NumPy .npy files (format version 1.0 and
// 2.0, C order, little-endian), the interchange format of `plumb quantize`.
// Only the dtypes plumb exchanges: '<f4' (fp32 tensors) and '|u1' (codes);
// `plumb check` also reads '<f8' '<f2' '<u2' '<u4' '|i1' '<i4' (npy_values.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace plumb::harness {

struct NpyArray {
  std::string dtype;           // "<f4" or "|u1"
  std::vector<size_t> shape;   // 0-d, 1-d or 2-d
  std::vector<uint8_t> bytes;  // C order
  size_t count() const;
};

// Throws std::runtime_error naming the file and what is wrong (not a .npy
// file, Fortran order, an unsupported dtype, a truncated body...).
NpyArray read_npy(const std::string& path);
void write_npy(const std::string& path, const NpyArray& array);

NpyArray npy_from_floats(const std::vector<float>& values, std::vector<size_t> shape);
NpyArray npy_from_codes(const std::vector<uint8_t>& codes, std::vector<size_t> shape);
std::vector<float> npy_floats(const NpyArray& a, const std::string& what);
std::vector<uint8_t> npy_codes(const NpyArray& a, const std::string& what);

}  // namespace plumb::harness
