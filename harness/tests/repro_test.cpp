// plumb repro (docs/REPRO_SEMANTICS.md): the invariant variants are bitwise
// invariant along every axis, the default variants observably are not on the
// wide-exponent witness inputs, a 2-element sum makes every axis "not
// observable", and the modelled NCCL orders reduce to the unsharded sum on one
// shard and are permutations of the ranks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <numeric>
#include <set>

#include "repro_axes.hpp"
#include "repro_collective.hpp"
#include "repro_inputs.hpp"
#include "repro_metrics.hpp"
#include "repro_ops.hpp"
#include "repro_reduce.hpp"
#include "repro_run.hpp"

using namespace plumb::harness::repro;

namespace {

constexpr uint64_t kSeed = 3;  // every test here is seeded; the seed is printed on failure

Shape small_shape(Op op) {
  Shape s;
  s.rows = op == Op::attention ? 32 : 12;
  s.cols = op == Op::attention ? 16 : 512;
  s.n = 3;
  s.kv = 512;
  return s;
}

AxisOptions small_axes() {
  AxisOptions o;
  o.batches = {1, 2, 3, 5, 12, 13, 64};
  return o;
}

bool bitwise_equal(const Outputs& a, const Outputs& b) { return first_difference(a, b) == static_cast<size_t>(-1); }

constexpr AxisKind kConfigAxes[] = {AxisKind::batch, AxisKind::split, AxisKind::tile, AxisKind::threads,
                                    AxisKind::gpus};
constexpr Op kOps[] = {Op::sum, Op::dot, Op::gemm, Op::softmax, Op::rmsnorm, Op::attention};

}  // namespace

TEST_CASE("repro: invariant variants are bitwise invariant along every axis", "[repro]") {
  INFO("seed " << kSeed);
  for (Op op : kOps)
    for (Dtype dt : {Dtype::fp32, Dtype::bf16})
      for (InputKind kind : {InputKind::normal, InputKind::wide}) {
        const Inputs in = make_inputs(op, dt, small_shape(op), kind, kSeed);
        for (AxisKind ax : kConfigAxes) {
          const AxisSpec a = make_axis(ax, small_axes());
          const Outputs base = run_config(in, Variant::invariant, a.configs[0]);
          for (size_t i = 1; i < a.configs.size(); ++i) {
            INFO(op_name(op) << " " << dtype_name(dt) << " " << input_kind_name(kind) << " " << a.labels[i]);
            CHECK(bitwise_equal(base, run_config(in, Variant::invariant, a.configs[i])));
          }
        }
      }
}

TEST_CASE("repro: default variants change along every axis on the witness input", "[repro]") {
  INFO("seed " << kSeed);
  for (Op op : kOps)
    for (Dtype dt : {Dtype::fp32, Dtype::bf16}) {
      // bf16 outputs (softmax, RMSNorm, attention): the order moves an fp32
      // result by a few fp32 ulps, which reaches the bf16 output only near a
      // rounding boundary, so the change is asserted on the fp32 value before
      // the rounding: the same bf16-valued inputs with fp32 outputs
      // (docs/REPRO_SEMANTICS.md "Vacuity check").
      Inputs in = make_inputs(op, dt, small_shape(op), InputKind::wide, kSeed);
      if (bf16_outputs(op, dt)) in.dtype = Dtype::fp32;
      for (AxisKind ax : kConfigAxes) {
        if (op == Op::attention && ax == AxisKind::gpus) continue;  // heads are split, not reduced (below)
        const AxisSpec a = make_axis(ax, small_axes());
        const Outputs base = run_config(in, Variant::standard, a.configs[0]);
        bool changed = false;
        for (size_t i = 1; i < a.configs.size() && !changed; ++i)
          changed = !bitwise_equal(base, run_config(in, Variant::standard, a.configs[i]));
        INFO(op_name(op) << " " << dtype_name(dt) << " axis " << a.name);
        CHECK(changed);
      }
    }
}

TEST_CASE("repro: the runner's verdicts on a real axis and a vacuous one", "[repro]") {
  INFO("seed " << kSeed);
  ReproOptions o;
  o.op = Op::dot;
  o.shape = small_shape(Op::dot);
  o.seed = kSeed;
  o.axes = {AxisKind::split, AxisKind::repeats};
  o.axis = small_axes();
  o.timing_repeats = 1;
  const ReproResult r = run_repro(o, nullptr);
  REQUIRE(r.axes.size() == 2);
  CHECK(r.axes[0].vacuity.observable);
  CHECK(r.axes[0].variant[0].verdict == "varies");
  CHECK(r.axes[0].variant[1].verdict == "invariant");
  CHECK(r.axes[0].variant[0].worst_spread > 0);
  // Repeating a run on these deterministic CPU kernels cannot change it: the
  // axis is unobservable, never reported "invariant".
  CHECK_FALSE(r.axes[1].vacuity.observable);
  CHECK(r.axes[1].variant[1].verdict == "not observable");
  CHECK(r.summary.distinct_outputs[0] == 1);
}

TEST_CASE("repro: bf16-output ops are observable before the rounding and invariant kernels stay invariant", "[repro]") {
  INFO("seed " << kSeed);
  for (Op op : {Op::softmax, Op::rmsnorm, Op::attention}) {
    ReproOptions o;
    o.op = op;
    o.dtype = Dtype::bf16;
    o.shape = small_shape(op);
    o.seed = kSeed;
    o.axes = {AxisKind::batch, AxisKind::split, AxisKind::tile, AxisKind::threads};
    o.axis = small_axes();
    o.reference = false;
    o.timing_repeats = 1;
    const ReproResult r = run_repro(o, nullptr);
    for (const AxisResult& a : r.axes) {
      INFO(op_name(op) << " axis " << a.spec.name << ": " << a.vacuity.witness);
      CHECK(a.vacuity.observable);
      CHECK(a.variant[1].verdict == "invariant");
      // Observed only before the rounding: no bf16 output of the default kernel changed.
      CHECK(a.variant[0].verdict == "varies");
      if (a.vacuity.pre_rounding) {
        CHECK(a.variant[0].worst_spread == 0);
        CHECK(a.vacuity.witness.find("before the bf16 output rounding") != std::string::npos);
      }
    }
  }
}

TEST_CASE("repro: every axis of a 2-element sum is not observable", "[repro]") {
  INFO("seed " << kSeed);
  ReproOptions o;
  o.op = Op::sum;
  o.shape.rows = 9;
  o.shape.cols = 2;  // a + b: the same in any order
  o.seed = kSeed;
  o.axes = {AxisKind::batch, AxisKind::split, AxisKind::tile, AxisKind::threads, AxisKind::gpus};
  o.axis = small_axes();
  o.timing_repeats = 1;
  const ReproResult r = run_repro(o, nullptr);
  for (const AxisResult& a : r.axes) {
    INFO(a.spec.name);
    CHECK_FALSE(a.vacuity.observable);
    CHECK(a.variant[0].verdict == "not observable");
    CHECK(a.variant[1].verdict == "not observable");
  }
  // The same op with 64 terms is observable along split: the check is not vacuous itself.
  o.shape.cols = 64;
  o.axes = {AxisKind::split};
  CHECK(run_repro(o, nullptr).axes[0].vacuity.observable);
}

TEST_CASE("repro: ring and tree orders on one shard equal the unsharded sum", "[repro][collective]") {
  INFO("seed " << kSeed);
  const Inputs in = make_inputs(Op::gemm, Dtype::fp32, small_shape(Op::gemm), InputKind::wide, kSeed);
  ExecConfig plain = base_config(), ring = plain, tree = plain;
  ring.collective = Collective::ring;
  tree.collective = Collective::tree;
  const Outputs a = run_config(in, Variant::standard, plain);
  CHECK(bitwise_equal(a, run_config(in, Variant::standard, ring)));
  CHECK(bitwise_equal(a, run_config(in, Variant::standard, tree)));
  for (Collective c : {Collective::ring, Collective::tree})
    CHECK(allreduce_element(c, {-3.25f}, 0, 5) == -3.25f);
}

TEST_CASE("repro: the modelled NCCL orders", "[repro][collective]") {
  for (size_t n = 1; n <= 16; ++n) {
    INFO(n << " ranks");
    for (size_t c = 0; c < n; ++c) {
      const auto order = ring_order(c, n);
      CHECK(std::set<size_t>(order.begin(), order.end()).size() == n);
      CHECK(order.back() == c);             // the chunk's owner adds its partial last
      CHECK(order.front() == (c + 1) % n);  // and the reduction starts at the next rank
    }
    for (int tree = 0; tree < 2; ++tree) {
      std::vector<int> parents(n, 0);
      std::set<int> ranks;
      for (int p = 0; p < static_cast<int>(n); ++p) {
        ranks.insert(tree_rank_at(tree, p, static_cast<int>(n)));
        const TreeNode node = btree_children(p, static_cast<int>(n));
        for (int ch : {node.child0, node.child1})
          if (ch >= 0) {
            REQUIRE(ch < static_cast<int>(n));
            ++parents[ch];
          }
      }
      CHECK(parents[0] == 0);
      for (size_t p = 1; p < n; ++p) CHECK(parents[p] == 1);  // a tree: one parent each, root 0
      CHECK(ranks.size() == n);
    }
    // Integer partials are added exactly in any order: both collectives give the total.
    std::vector<float> parts(n);
    std::iota(parts.begin(), parts.end(), 1.0f);
    const float total = static_cast<float>(n * (n + 1) / 2);
    for (size_t e = 0; e < 9; ++e) {
      CHECK(allreduce_element(Collective::ring, parts, e, 9) == total);
      CHECK(allreduce_element(Collective::tree, parts, e, 9) == total);
    }
  }
  // NCCL's 8-rank tree: 0 -> 4 -> {2, 6}, 2 -> {1, 3}, 6 -> {5, 7}.
  CHECK(btree_children(0, 8).child0 == 4);
  CHECK(btree_children(4, 8).child0 == 2);
  CHECK(btree_children(4, 8).child1 == 6);
  CHECK(btree_children(6, 8).child1 == 7);
  CHECK(btree_children(7, 8).child0 == -1);
}

TEST_CASE("repro: batch layout puts every row in a batch of exactly B at every position", "[repro]") {
  for (size_t rows : {1, 5, 12})
    for (size_t b : {1, 2, 3, 5, 7, 12, 13, 40}) {
      INFO(rows << " rows, batch " << b);
      std::vector<int> seen(rows, 0);
      std::set<size_t> positions;
      for (const BatchCall& c : batch_layout(rows, b)) {
        CHECK(c.rows.size() == b);
        for (auto [p, r] : c.kept) {
          CHECK(c.rows[p] == r);
          ++seen[r];
          positions.insert(p);
        }
      }
      for (int s : seen) CHECK(s == 1);
      CHECK(positions.size() == std::min(rows, b));
      if (b <= rows) CHECK(*positions.rbegin() == b - 1);  // never only position 0
    }
}

TEST_CASE("repro: metrics count ULPs in the output format", "[repro]") {
  CHECK(ulp_distance(1.0f, std::nextafter(1.0f, 2.0f), false) == 1);
  CHECK(ulp_distance(-0.0f, 0.0f, false) == 0);
  CHECK(ulp_distance(-std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::denorm_min(), false) == 2);
  CHECK(ulp_distance(1.0f, 1.0078125f, true) == 1);  // one bf16 step at 1
  CHECK(ulp_distance(NAN, 1.0f, false) == kNanUlp);
  const PairStats s = compare_runs({1, 2, 3, 4}, {1, 2, 3, 4.5f}, nullptr, 2, false);
  CHECK(s.rows == 2);
  CHECK(s.rows_identical == 1);
  CHECK(s.row_max_ulp[0] == 0);
  CHECK(s.max_rel == Approx(0.5 / 4.5));
  CHECK_THROWS(compare_runs({1, 2}, {1}, nullptr, 1, false));
}

// A replaced default kernel (the `plumb repro --plugin` path, repro_plugin.cpp):
// a GEMM summed in k order comes out batch-invariant and repeatable, one whose
// split-K factor depends on M varies on the batch axis; the vacuity witness
// is the built-in default kernel's; the invariant column is untouched.
TEST_CASE("repro: a replacement default kernel is judged against the built-in kernel's witness", "[repro]") {
  INFO("seed " << kSeed);
  auto gemm_with_splits = [](bool batch_variant) {
    return [batch_variant](const Inputs& in, const std::vector<size_t>& rows, const ExecConfig&, float* out) {
      const size_t k = in.shape.cols, n = in.shape.n;
      const size_t splits = batch_variant ? std::max<size_t>(1, 16 / rows.size()) : 1;
      const size_t chunk = (k + splits - 1) / splits;
      for (size_t e = 0; e < rows.size(); ++e)
        for (size_t j = 0; j < n; ++j) {
          float total = 0;
          for (size_t s = 0; s * chunk < k; ++s) {
            float part = 0;
            for (size_t i = s * chunk; i < std::min(k, (s + 1) * chunk); ++i)
              part += in.x[rows[e] * k + i] * in.w[j * k + i];
            total += part;
          }
          out[e * n + j] = total;
        }
    };
  };
  for (bool variant : {false, true}) {
    INFO((variant ? "batch-variant" : "k-order") << " replacement");
    set_default_kernel(gemm_with_splits(variant));
    ReproOptions o;
    o.op = Op::gemm;
    o.shape = small_shape(Op::gemm);
    o.seed = kSeed;
    o.axes = {AxisKind::batch, AxisKind::repeats};
    o.axis = small_axes();
    o.timing_repeats = 1;
    o.default_kernel = "test kernel";
    const ReproResult r = run_repro(o, nullptr);
    set_default_kernel({});
    REQUIRE(r.axes.size() == 2);
    CHECK(r.axes[0].vacuity.observable);
    CHECK(r.axes[0].vacuity.witness.rfind("built-in default kernel's witness", 0) == 0);
    CHECK(r.axes[0].variant[0].verdict == (variant ? "varies" : "invariant"));
    CHECK((r.axes[0].variant[0].worst_spread > 0) == variant);
    CHECK(r.axes[0].variant[1].verdict == "invariant");
    CHECK(r.axes[1].variant[0].verdict == "repeatable");
    CHECK(r.axes[1].variant[1].verdict == "not observable");
  }
  CHECK_FALSE(default_kernel_replaced());
}
