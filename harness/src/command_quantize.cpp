// plumb quantize: block-quantises a user's fp32 tensor (.npy) with any block
// kernel or the MPFR reference, and writes the element codes, the scales, the
// tensor scale and the dequantised tensor; --check compares the kernel with
// the reference, code for code.
#include <bit>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "cli_args.hpp"
#include "commands.hpp"
#include "npy_io.hpp"
#include "plumb/formats/block_names.hpp"
#include "plumb/kernels/block_kernel.hpp"
#include "plumb/reference/block_reference.hpp"

namespace plumb::harness {

namespace {

const char* kUsage =
    "usage: plumb quantize --format NAME --in X.npy --out PREFIX [--rule RULE] [--block N]\n"
    "                      [--layout rows|cols|tile_2d] [--hadamard SEED] [--sr SEED [--sr-bits K]]\n"
    "                      [--kernel cpu_block|cuda_block|mpfr] [--check]\n"
    "X.npy: a float32 array, 1-D (one row) or 2-D (rows x cols, C order). Writes PREFIX.elements.npy\n"
    "(uint8 codes, rows x cols), PREFIX.scales.npy (uint8 scale codes over the block grid),\n"
    "PREFIX.dequantized.npy (float32) and PREFIX.json (format, options, tensor scale).\n"
    "NAME: mxfp8_e4m3 (mxfp8) mxfp8_e5m2 mxfp6_e3m2 (mxfp6) mxfp6_e2m3 mxfp4 mxint8 nvfp4 nvint4.\n"
    "RULE: floor ceil even rceil (MX, ue8m0 scales) nv_te nv_exact (NV, ue4m3 scales).\n"
    "--check: also run the MPFR reference; exit 1 and list the first differences if any.\n"
    "Semantics: docs/BLOCK_SEMANTICS.md.\n";

struct Quantized {
  std::vector<uint8_t> elements, scales;
  float tensor_scale = 1.0f;
  std::vector<float> dequantized;
};

Quantized run_reference(const BlockFormat& f, const BlockOptions& o, const std::vector<float>& x,
                        size_t rows, size_t cols) {
  auto q = reference::mpfr_block_quantize(f, o, x.data(), rows, cols);
  Quantized r{q.elements, q.scales, q.tensor_scale, {}};
  r.dequantized = reference::mpfr_block_dequantize(f, o, r.elements.data(), r.scales.data(),
                                                   r.tensor_scale, rows, cols);
  return r;
}

Quantized run_kernel(const kernels::BlockKernel& k, const BlockFormat& f, const BlockOptions& o,
                     const std::vector<float>& x, size_t rows, size_t cols) {
  const auto grid = kernels::scale_grid(f, o.layout, rows, cols);
  Quantized r;
  r.elements.resize(rows * cols);
  r.scales.resize(grid.rows * grid.cols);
  r.dequantized.resize(rows * cols);
  std::string message;
  auto status = k.quantize(f, o, x.data(), rows, cols, r.elements.data(), r.scales.data(),
                           &r.tensor_scale, &message);
  if (status == kernels::KernelStatus::ok)
    status = k.dequantize(f, o, r.elements.data(), r.scales.data(), r.tensor_scale, rows, cols,
                          r.dequantized.data(), &message);
  if (status == kernels::KernelStatus::not_supported)
    throw std::runtime_error(std::string("kernel ") + k.name + " does not support this: " + message);
  if (status != kernels::KernelStatus::ok)
    throw std::runtime_error(std::string("kernel ") + k.name + " failed: " + message);
  return r;
}

// Number of differences; prints the first few.
size_t compare(const Quantized& got, const Quantized& want, size_t cols, size_t grid_cols) {
  size_t diffs = 0;
  const auto note = [&](const std::string& line) {
    if (++diffs <= 10) std::fprintf(stderr, "  %s\n", line.c_str());
  };
  if (std::bit_cast<uint32_t>(got.tensor_scale) != std::bit_cast<uint32_t>(want.tensor_scale))
    note("tensor scale: kernel " + std::to_string(got.tensor_scale) + ", reference " +
         std::to_string(want.tensor_scale));
  char line[160];
  for (size_t i = 0; i < got.scales.size(); ++i)
    if (got.scales[i] != want.scales[i]) {
      std::snprintf(line, sizeof line, "scale [%zu, %zu]: kernel 0x%02x, reference 0x%02x",
                    i / grid_cols, i % grid_cols, got.scales[i], want.scales[i]);
      note(line);
    }
  for (size_t i = 0; i < got.elements.size(); ++i) {
    const float g = got.dequantized[i], w = want.dequantized[i];
    const bool same_value = (std::isnan(g) && std::isnan(w)) ||
                            std::bit_cast<uint32_t>(g) == std::bit_cast<uint32_t>(w);
    if (got.elements[i] != want.elements[i] || !same_value) {
      std::snprintf(line, sizeof line,
                    "element [%zu, %zu]: kernel 0x%02x -> %a, reference 0x%02x -> %a", i / cols,
                    i % cols, got.elements[i], g, want.elements[i], w);
      note(line);
    }
  }
  return diffs;
}

void write_json(const std::string& path, const std::string& format, const std::string& kernel,
                const BlockFormat& f, const BlockOptions& o, size_t rows, size_t cols,
                const Quantized& q) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot write");
  char ts[64];
  std::snprintf(ts, sizeof ts, "%.9g", q.tensor_scale);
  out << "{\n  \"format\": \"" << format << "\",\n  \"kernel\": \"" << kernel
      << "\",\n  \"block_size\": " << f.block_size << ",\n  \"rule\": \"" << scale_rule_name(f.rule)
      << "\",\n  \"layout\": \"" << block_layout_name(o.layout) << "\",\n  \"rows\": " << rows
      << ",\n  \"cols\": " << cols << ",\n  \"hadamard\": " << (o.hadamard ? "true" : "false")
      << ",\n  \"hadamard_seed\": " << o.hadamard_seed
      << ",\n  \"stochastic\": " << (o.stochastic ? "true" : "false")
      << ",\n  \"sr_bits\": " << int{o.sr_bits} << ",\n  \"sr_seed\": " << o.sr_seed
      << ",\n  \"tensor_scale\": " << ts << ",\n  \"tensor_scale_bits\": \"0x" << std::hex
      << std::bit_cast<uint32_t>(q.tensor_scale) << std::dec << "\"\n}\n";
}

}  // namespace

int command_quantize(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  CliArgs a(args, {"format", "in", "out", "rule", "block", "layout", "hadamard", "sr", "sr-bits", "kernel"},
            {"check"});
  for (const char* required : {"format", "in", "out"})
    if (!a.value(required))
      throw std::runtime_error(std::string("--") + required + " is required\n" + kUsage);
  const std::string format_text = *a.value("format");
  BlockFormat f = parse_block_format(format_text);
  if (auto r = a.value("rule")) f.rule = parse_scale_rule(*r);
  if (auto b = a.value("block")) f.block_size = static_cast<int>(parse_u64(*b, "--block"));
  validate(f);
  BlockOptions o;
  if (auto l = a.value("layout")) o.layout = parse_block_layout(*l);
  if (auto h = a.value("hadamard")) o.hadamard = true, o.hadamard_seed = parse_u64(*h, "--hadamard");
  if (auto s = a.value("sr")) o.stochastic = true, o.sr_seed = parse_u64(*s, "--sr");
  if (auto k = a.value("sr-bits")) {
    if (!o.stochastic) throw std::runtime_error("--sr-bits needs --sr SEED");
    o.sr_bits = static_cast<uint8_t>(std::min<uint64_t>(parse_u64(*k, "--sr-bits"), 255));
  }
  if (const std::string p = block_options_problem(o); !p.empty()) throw std::runtime_error(p);

  const NpyArray in = read_npy(*a.value("in"));
  if (in.shape.empty() || in.shape.size() > 2)
    throw std::runtime_error(*a.value("in") + ": expected a 1-D or 2-D array, got " +
                             std::to_string(in.shape.size()) + " dimensions");
  const size_t rows = in.shape.size() == 2 ? in.shape[0] : 1;
  const size_t cols = in.shape.back();
  if (rows == 0 || cols == 0) throw std::runtime_error(*a.value("in") + ": the array is empty");
  const std::vector<float> x = npy_floats(in, *a.value("in"));

  const std::string kernel_name = a.value("kernel").value_or("cpu_block");
  Quantized q;
  if (kernel_name == "mpfr") {
    q = run_reference(f, o, x, rows, cols);
  } else {
    const kernels::BlockKernel* k = kernels::find_block_kernel(kernel_name);
    if (!k) {
      std::string valid = "mpfr";
      for (const auto& b : kernels::block_kernels()) valid += std::string(" ") + b.name;
      throw std::runtime_error("--kernel: unknown block kernel '" + kernel_name + "'; valid: " + valid);
    }
    if (k->device == kernels::Device::cuda && kernels::cuda_device_count() == 0)
      throw std::runtime_error("kernel " + kernel_name + " needs a GPU and none is usable here");
    q = run_kernel(*k, f, o, x, rows, cols);
  }
  const auto grid = kernels::scale_grid(f, o.layout, rows, cols);
  const std::string prefix = *a.value("out");
  write_npy(prefix + ".elements.npy", npy_from_codes(q.elements, {rows, cols}));
  write_npy(prefix + ".scales.npy", npy_from_codes(q.scales, {grid.rows, grid.cols}));
  write_npy(prefix + ".dequantized.npy", npy_from_floats(q.dequantized, {rows, cols}));
  write_json(prefix + ".json", block_format_name(f), kernel_name, f, o, rows, cols, q);
  std::printf("plumb quantize: %s, %zu x %zu, %s blocks, kernel %s: %zu scales, tensor scale %.9g\n",
              block_format_name(f).c_str(), rows, cols, block_layout_name(o.layout),
              kernel_name.c_str(), q.scales.size(), q.tensor_scale);
  std::printf("wrote %s.{elements,scales,dequantized}.npy and %s.json\n", prefix.c_str(), prefix.c_str());
  if (!a.has("check")) return 0;
  const Quantized want = run_reference(f, o, x, rows, cols);
  const size_t diffs = compare(q, want, cols, grid.cols);
  if (diffs == 0) {
    std::printf("check: %s agrees with the MPFR reference on every scale, element and dequantised value\n",
                kernel_name.c_str());
    return 0;
  }
  std::printf("check: %zu differences between %s and the MPFR reference (first ones on stderr)\n", diffs,
              kernel_name.c_str());
  return 1;
}

}  // namespace plumb::harness
