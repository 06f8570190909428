// plumb repro: the CPU ops under test (docs/REPRO_SEMANTICS.md "Ops"). Each
// has the default variant, whose reduction order follows the configuration
// the way real kernels' heuristics do, and the batch-invariant variant (one
// fixed order). fp32 accumulation throughout; bf16 inputs are exact bf16
// values, and softmax / RMSNorm / attention round their bf16 outputs once.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "repro_types.hpp"

namespace plumb::harness::repro {

inline constexpr float kRmsEps = 1e-6f;

// One kernel call on the rows `rows` of the inputs (a batch of rows.size());
// out: rows.size() x outputs_per_row values.
// A replacement for the default variant's kernel (`plumb repro --plugin`,
// repro_plugin.hpp): while set, every Variant::standard call goes to it.
// out: rows.size() x outputs_per_row values.
using DefaultKernel = std::function<void(const Inputs& in, const std::vector<size_t>& rows, const ExecConfig& cfg,
                                         float* out)>;
void set_default_kernel(DefaultKernel k);  // an empty function: the built-in default again
bool default_kernel_replaced();
// While one is alive, the built-in default kernel runs even when a
// replacement is set (the vacuity witness is the built-in kernel's).
class BuiltinDefaultScope {
 public:
  BuiltinDefaultScope();
  ~BuiltinDefaultScope();
  BuiltinDefaultScope(const BuiltinDefaultScope&) = delete;
  BuiltinDefaultScope& operator=(const BuiltinDefaultScope&) = delete;

 private:
  bool saved_;
};

void run_call(const Inputs& in, const std::vector<size_t>& rows, Variant v, const ExecConfig& cfg, float* out);
void run_attention_call(const Inputs& in, const std::vector<size_t>& rows, Variant v, const ExecConfig& cfg,
                        float* out);
// The attention kernel behind run_attention_call, for callers whose queries
// each have their own keys and values (the decode experiment's KV caches, one
// query per sequence and head): q: d values; k, v: kv x d, row-major. The
// batch seen by the split heuristic is queries.size(). out: queries x d,
// rounded to bf16 when out_dtype is bf16.
struct AttentionQuery {
  const float *q, *k, *v;
};
void attention_queries(const std::vector<AttentionQuery>& queries, size_t d, size_t kv, Variant v,
                       const ExecConfig& cfg, Dtype out_dtype, float* out);

// Every row of the inputs computed in batches of cfg.batch (0: all rows in
// one call). Batch B <= rows: calls over consecutive rows, row r at position
// r mod B, the last call filled up with rows from the start so every call
// has exactly B rows. B > rows: one call, row r at position floor(r B / rows),
// the other positions hold copies of the rows (cyclic filler).
Outputs run_config(const Inputs& in, Variant v, const ExecConfig& cfg);
// The batch layout above: for each call, the row of each position, and the
// positions whose outputs are kept (with the row they belong to).
struct BatchCall {
  std::vector<size_t> rows;
  std::vector<std::pair<size_t, size_t>> kept;  // (position, row)
};
std::vector<BatchCall> batch_layout(size_t rows, size_t batch);

float round_to_bf16(float x);  // nearest even, through formats/ (convert_code)

}  // namespace plumb::harness::repro
