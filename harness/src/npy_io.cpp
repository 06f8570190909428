// plumb harness: .npy reading and writing (see npy_io.hpp).
#include "npy_io.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace plumb::harness {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

// The value text of 'key' in the header dict ("{'descr': '<f4', ...}").
std::string header_field(const std::string& header, const std::string& key, const std::string& path) {
  const size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) fail(path, "the .npy header has no '" + key + "'");
  size_t v = header.find(':', k);
  if (v == std::string::npos) fail(path, "malformed .npy header");
  ++v;
  while (v < header.size() && header[v] == ' ') ++v;
  if (v >= header.size()) fail(path, "malformed .npy header");
  const char open = header[v];
  const char close = open == '\'' ? '\'' : open == '(' ? ')' : ',';
  const size_t end = header.find(close, v + 1);
  if (end == std::string::npos) fail(path, "malformed .npy header");
  return header.substr(open == '\'' || open == '(' ? v + 1 : v, end - v - (open == '\'' || open == '(' ? 1 : 0));
}

size_t element_size(const std::string& dtype) {
  if (dtype == "<f4") return 4;
  if (dtype == "|u1" || dtype == "<u1" || dtype == "u1") return 1;
  // plumb check also reads codes and values of other widths (npy_values.hpp).
  if (dtype == "|i1" || dtype == "<i1") return 1;
  if (dtype == "<u2" || dtype == "<f2") return 2;
  if (dtype == "<u4" || dtype == "<i4") return 4;
  if (dtype == "<f8") return 8;
  return 0;
}

}  // namespace

size_t NpyArray::count() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() < 10 || std::memcmp(file.data(), "\x93NUMPY", 6) != 0)
    fail(path, "not a .npy file (no \\x93NUMPY magic)");
  const int major = file[6];
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = file[8] | (size_t{file[9]} << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (file.size() < 12) fail(path, "truncated .npy header");
    header_len = file[8] | (size_t{file[9]} << 8) | (size_t{file[10]} << 16) | (size_t{file[11]} << 24);
    offset = 12;
  } else {
    fail(path, ".npy format version " + std::to_string(major) + " is not supported");
  }
  if (offset + header_len > file.size()) fail(path, "truncated .npy header");
  const std::string header(file.begin() + offset, file.begin() + offset + header_len);
  NpyArray a;
  a.dtype = header_field(header, "descr", path);
  if (element_size(a.dtype) == 0)
    fail(path, "dtype '" + a.dtype + "' is not supported (plumb reads '<f4', '<f8', '<f2', '|u1', '<u2', '<u4', '|i1', '<i4')");
  if (header_field(header, "fortran_order", path).find("False") == std::string::npos)
    fail(path, "Fortran-order arrays are not supported: save a C-order array (np.ascontiguousarray)");
  const std::string shape = header_field(header, "shape", path);
  size_t pos = 0;
  while (pos < shape.size()) {
    while (pos < shape.size() && (shape[pos] == ' ' || shape[pos] == ',')) ++pos;
    if (pos >= shape.size()) break;
    size_t used = 0;
    try {
      a.shape.push_back(std::stoull(shape.substr(pos), &used));
    } catch (const std::exception&) {
      fail(path, "malformed shape '(" + shape + ")'");
    }
    pos += used;
  }
  const size_t body = a.count() * element_size(a.dtype);
  if (file.size() - offset - header_len < body)
    fail(path, "truncated: the shape needs " + std::to_string(body) + " bytes of data, the file has " +
                   std::to_string(file.size() - offset - header_len));
  a.bytes.assign(file.begin() + offset + header_len, file.begin() + offset + header_len + body);
  return a;
}

void write_npy(const std::string& path, const NpyArray& a) {
  std::string shape = "(";
  for (size_t d : a.shape) shape += std::to_string(d) + ", ";
  if (a.shape.size() >= 2) shape.resize(shape.size() - 2);
  else if (a.shape.size() == 1) shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = "{'descr': '" + a.dtype + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces to a multiple of 64 bytes including the 10-byte prefix and '\n'.
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) fail(path, "cannot write");
  const char prefix[8] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.write(prefix, 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(a.bytes.data()), static_cast<std::streamsize>(a.bytes.size()));
  if (!out) fail(path, "write failed");
}

NpyArray npy_from_floats(const std::vector<float>& values, std::vector<size_t> shape) {
  NpyArray a{"<f4", std::move(shape), {}};
  a.bytes.resize(values.size() * 4);
  std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
  return a;
}

NpyArray npy_from_codes(const std::vector<uint8_t>& codes, std::vector<size_t> shape) {
  return NpyArray{"|u1", std::move(shape), codes};
}

std::vector<float> npy_floats(const NpyArray& a, const std::string& what) {
  if (a.dtype != "<f4") throw std::runtime_error(what + ": expected float32 ('<f4'), got '" + a.dtype + "'");
  std::vector<float> v(a.count());
  std::memcpy(v.data(), a.bytes.data(), v.size() * 4);
  return v;
}

std::vector<uint8_t> npy_codes(const NpyArray& a, const std::string& what) {
  if (element_size(a.dtype) != 1 || a.dtype.find('i') != std::string::npos) throw std::runtime_error(what + ": expected uint8 codes ('|u1'), got '" + a.dtype + "'");
  return a.bytes;
}

}  // namespace plumb::harness
