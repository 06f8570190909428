// plumb check --op quantize: a user's block quantisation (element codes, scale
// codes, tensor scale) against the MPFR block reference, code for code
// (check_block through the replay kernel; docs/BLOCK_SEMANTICS.md).
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "check_ops.hpp"
#include "check_replay.hpp"
#include "npy_values.hpp"
#include "plumb/checks/check_block.hpp"
#include "plumb/formats/block_names.hpp"

namespace plumb::harness {

namespace {

float parse_tensor_scale(const std::string& text) {
  char* end = nullptr;
  const float s = std::strtof(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(s) || s <= 0)
    throw std::runtime_error("--tensor-scale: '" + text + "' is not a finite positive fp32 value");
  return s;
}

// uint8 codes of the given shape; a 1-D array stands for one row.
std::vector<uint8_t> read_codes(const std::string& path, size_t rows, size_t cols, const std::string& what) {
  const NpyArray a = read_npy(path);
  const std::vector<size_t> want{rows, cols};
  if (a.shape != want && !(rows == 1 && a.shape == std::vector<size_t>{cols}))
    throw std::runtime_error(path + ": shape " + shape_text(a.shape) + ", expected " + what + " " + shape_text(want));
  return npy_codes(a, path);
}

}  // namespace

int check_quantize_op(const CliArgs& a, CheckContext& context) {
  require_files(a, 3, "INPUT.npy ELEMENTS.npy SCALES.npy");
  const std::string in_path = a.positional()[0], el_path = a.positional()[1], sc_path = a.positional()[2];
  checks::BlockCell cell;
  cell.format_name = *a.value("format");
  cell.format = parse_block_format(cell.format_name);
  if (const auto r = a.value("rule")) cell.format.rule = parse_scale_rule(*r);
  if (const auto b = a.value("block")) cell.format.block_size = static_cast<int>(parse_u64(*b, "--block"));
  validate(cell.format);
  if (const auto l = a.value("layout")) cell.options.layout = parse_block_layout(*l);
  if (cell.format.tensor_scale != a.has("tensor-scale"))
    throw std::runtime_error(cell.format.tensor_scale
                                 ? "--tensor-scale S is required for " + cell.format_name +
                                       " (its fp32 per-tensor scale S_enc)"
                                 : "--tensor-scale: " + cell.format_name + " has no per-tensor scale");

  const NpyArray in = read_npy(in_path);
  const auto [rows, cols] = rows_cols(in.shape, in_path);
  checks::BlockCase c{in_path, rows, cols, npy_floats(in, in_path)};
  const auto grid = kernels::scale_grid(cell.format, cell.options.layout, rows, cols);
  ReplayOutputs& replay = replay_outputs();
  replay.elements = read_codes(el_path, rows, cols, "the input's");
  replay.scales = read_codes(sc_path, grid.rows, grid.cols,
                             std::string("the ") + block_layout_name(cell.options.layout) + " block grid");
  replay.tensor_scale = a.has("tensor-scale") ? parse_tensor_scale(*a.value("tensor-scale")) : 1.0f;
  context.notes.push_back(in_path + ": float32, " + std::to_string(rows) + " x " + std::to_string(cols));
  context.notes.push_back(el_path + ", " + sc_path + ": uint8 element and scale codes of " +
                          block_format_name(cell.format) + ", " + block_layout_name(cell.options.layout) + " blocks");

  const std::vector<checks::BlockCase> cases{c};
  const auto expected = checks::block_reference_results(cell, cases, 0);
  if (expected[0].refused)
    throw std::runtime_error(in_path + ": the specification refuses this input: " + expected[0].refusal);
  checks::BlockCheckSettings settings;
  settings.max_counterexamples = kCheckCounterexamples;
  settings.suite = "check";
  checks::Verdict v = checks::check_block(replay_block_kernel(), cell, cases, expected, settings);
  for (auto& ce : v.counterexamples) ce.command = context.command_line;
  if (v.message.empty()) v.message = "cases: one per block plus the tensor scale; reference: MPFR";
  return finish_check(v, context);
}

}  // namespace plumb::harness
