// plumb check --op gemm: a user's C = A B against the exact product
// (check_gemm through the replay kernel): int8 bit for bit, fp32 / bf16 /
// fp16 operands within gamma_K sum|ab| for the given accumulator precision.
// bf16 and fp16 operands are exact in fp32, and so are their products, so
// they are judged as fp32 operands.
#include <cstring>
#include <stdexcept>

#include "check_ops.hpp"
#include "check_replay.hpp"
#include "npy_values.hpp"
#include "plumb/checks/gemm_check.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::harness {

namespace {

struct Matrix {
  size_t rows = 0, cols = 0;
  std::vector<float> f32;
  std::vector<int8_t> i8;
  std::string assumed;
};

Matrix read_operand(const std::string& path, const std::string& format) {
  const NpyArray npy = read_npy(path);
  if (npy.shape.size() != 2)
    throw std::runtime_error(path + ": expected a 2-D matrix, got shape " + shape_text(npy.shape));
  Matrix m{npy.shape[0], npy.shape[1], {}, {}, {}};
  if (m.rows == 0 || m.cols == 0)
    throw std::runtime_error(path + ": the matrix is empty, shape " + shape_text(npy.shape));
  if (format == "int8") {
    if (npy.dtype != "|i1" && npy.dtype != "<i1")
      throw std::runtime_error(path + ": dtype '" + npy.dtype + "' is not int8: expected int8 ('|i1') operands");
    m.i8.resize(npy.count());
    std::memcpy(m.i8.data(), npy.bytes.data(), m.i8.size());
    m.assumed = "int8";
    return m;
  }
  const FormatArray a = format_array(npy, path, *find_format(format));
  m.f32.resize(a.codes.size());
  for (size_t i = 0; i < a.codes.size(); ++i) m.f32[i] = static_cast<float>(decode(a.format, a.codes[i]));
  m.assumed = a.assumed;
  return m;
}

void transpose(Matrix& m) {
  Matrix t{m.cols, m.rows, std::vector<float>(m.f32.size()), std::vector<int8_t>(m.i8.size()), m.assumed};
  for (size_t r = 0; r < m.rows; ++r)
    for (size_t c = 0; c < m.cols; ++c) {
      if (!m.f32.empty()) t.f32[c * m.rows + r] = m.f32[r * m.cols + c];
      if (!m.i8.empty()) t.i8[c * m.rows + r] = m.i8[r * m.cols + c];
    }
  m = std::move(t);
}

void strip(std::string& s, const std::string& what) {
  for (size_t at; (at = s.find(what)) != std::string::npos;) s.erase(at, what.size());
}

}  // namespace

int check_gemm_op(const CliArgs& a, CheckContext& context) {
  require_files(a, 3, "A.npy B.npy C.npy");
  const std::string a_path = a.positional()[0], b_path = a.positional()[1], c_path = a.positional()[2];
  const std::string format = *a.value("format");
  if (format != "fp32" && format != "bf16" && format != "fp16" && format != "int8")
    throw std::runtime_error("--format: unknown GEMM operand format '" + format + "'; valid: fp32 bf16 fp16 int8");
  const std::string layout = a.value("b-layout").value_or("nk");
  if (layout != "nk" && layout != "kn") throw std::runtime_error("--b-layout: '" + layout + "'; valid: nk kn");
  const bool int8 = format == "int8";
  if (int8 && a.has("accumulator-bits")) throw std::runtime_error("--accumulator-bits: int8 GEMM is exact");
  const int bits = static_cast<int>(parse_size(a, "accumulator-bits", 24, 64));

  Matrix A = read_operand(a_path, format), B = read_operand(b_path, format);
  if (layout == "kn") transpose(B);
  if (B.cols != A.cols)
    throw std::runtime_error(b_path + ": inner dimension " + std::to_string(B.cols) + " differs from " + a_path +
                             "'s " + std::to_string(A.cols) + " (A is m x k, B is " +
                             (layout == "nk" ? "n x k" : "k x n, --b-layout kn") + ")");
  const NpyArray C = read_npy(c_path);
  const std::vector<size_t> want_shape{A.rows, B.rows};
  if (C.shape != want_shape)
    throw std::runtime_error(c_path + ": shape " + shape_text(C.shape) +
                             ", expected m x n = " + shape_text(want_shape));
  const char* want_dtype = int8 ? "<i4" : "<f4";
  if (C.dtype != want_dtype)
    throw std::runtime_error(c_path + ": dtype '" + C.dtype + "', expected " +
                             (int8 ? "int32 ('<i4')" : "float32 ('<f4')"));
  context.notes.push_back(a_path + ": " + A.assumed + ", " + std::to_string(A.rows) + " x " + std::to_string(A.cols));
  context.notes.push_back(b_path + ": " + B.assumed + ", layout " + layout);

  checks::GemmCase c;
  c.kind = int8 ? kernels::GemmKind::int8 : kernels::GemmKind::fp32;
  c.m = A.rows, c.n = B.rows, c.k = A.cols;
  c.label = format + " " + std::to_string(c.m) + "x" + std::to_string(c.n) + "x" + std::to_string(c.k) + " (" + a_path +
            ", " + b_path + ")";
  c.a_f32 = std::move(A.f32), c.b_f32 = std::move(B.f32), c.a_i8 = std::move(A.i8), c.b_i8 = std::move(B.i8);
  ReplayOutputs& replay = replay_outputs();
  replay.c_f32.assign(int8 ? 0 : C.count(), 0.0f);
  replay.c_i32.assign(int8 ? C.count() : 0, 0);
  std::memcpy(int8 ? static_cast<void*>(replay.c_i32.data()) : static_cast<void*>(replay.c_f32.data()), C.bytes.data(),
              C.bytes.size());

  checks::Verdict v = checks::check_gemm(replay_gemm_kernel(bits), c);
  v.suite = "check";
  v.from = *find_format(format);  // the operands; C is int32 or fp32
  v.to = int8 ? integer_format(32, true) : formats::fp32;
  strip(v.message, "seed 0; ");
  strip(v.message, "seed 0");
  if (!int8) v.message += (v.message.empty() ? "" : "; ") + std::string("accumulator bits ") + std::to_string(bits);
  for (auto& ce : v.counterexamples) {
    strip(ce.detail, " seed 0");
    ce.detail = c_path + ": " + ce.detail;
    ce.command = context.command_line;
  }
  return finish_check(v, context);
}

}  // namespace plumb::harness
