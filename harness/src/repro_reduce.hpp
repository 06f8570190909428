// plumb repro: the one reduction engine every op's sums go through. A plan
// fixes the order: the reduced range is cut into shards (simulated ranks),
// each shard into chunks (split-K parts, or fixed-length chunks), each chunk
// summed into `lanes` accumulators (the tile width) that are folded pairwise;
// chunk partials are added left to right, shard partials by the collective.
// Work items (element, chunk) run on real std::threads; the order of the
// additions never depends on which thread ran what.
#pragma once

#include <cstddef>
#include <vector>

#include "repro_collective.hpp"
#include "repro_threads.hpp"
#include "repro_types.hpp"

namespace plumb::harness::repro {

inline constexpr size_t kInvariantChunk = 256;  // the invariant variant's fixed chunk length
inline constexpr size_t kInvariantLanes = 8;
inline constexpr size_t kWorkItemsPerThread = 64;  // the split heuristic's target ("SMs" per thread)
inline constexpr size_t kMinSplitLength = 32;      // a split part holds at least this many terms

struct ReducePlan {
  size_t splits = 1;       // equal contiguous parts per shard (fixed_chunk == 0)
  size_t fixed_chunk = 0;  // > 0: chunks of this length at multiples of it
  size_t lanes = 8;
  size_t shards = 1;
  Collective collective = Collective::ring;
};

// standard: splits = cfg.split if given, else ceil(64 threads / elements)
// (split-K fills the machine when the call has few outputs), at most one
// part per 32 terms of a shard; lanes = cfg.tile; shards from cfg.
// invariant: fixed 256-term chunks, 8 lanes, one shard (a sharded invariant
// run all-gathers the chunk partials and adds them in global order, which is
// this same order).
ReducePlan plan_reduction(Variant v, const ExecConfig& cfg, size_t elements, size_t k);

struct ReduceChunk {
  size_t begin, end, shard;
};
std::vector<ReduceChunk> reduce_chunks(const ReducePlan& plan, size_t k);
inline constexpr size_t kMaxLanes = 64;
float fold_lanes(float* acc, size_t lanes);  // pairwise: acc[i] += acc[i + ceil(w/2)]

// out[e] = sum_{i < k} term(e, i) for e < elements, in the plan's order.
template <class Term>
void reduce_all(const ReducePlan& plan, size_t elements, size_t k, size_t threads, Term term, float* out) {
  const auto chunks = reduce_chunks(plan, k);
  const size_t nc = chunks.size();
  std::vector<float> partial(elements * nc);
  parallel_for(threads, elements * nc, [&](size_t item) {
    const size_t e = item / nc;
    const ReduceChunk& c = chunks[item % nc];
    float acc[kMaxLanes] = {};
    for (size_t i = c.begin; i < c.end; ++i) acc[(i - c.begin) % plan.lanes] += term(e, i);
    partial[item] = fold_lanes(acc, plan.lanes);
  });
  std::vector<float> shard_sum(plan.shards);
  for (size_t e = 0; e < elements; ++e) {
    const float* p = partial.data() + e * nc;
    for (size_t s = 0; s < plan.shards; ++s) shard_sum[s] = 0.0f;
    std::vector<bool> started(plan.shards, false);
    for (size_t j = 0; j < nc; ++j) {
      const size_t s = chunks[j].shard;
      shard_sum[s] = started[s] ? shard_sum[s] + p[j] : p[j];
      started[s] = true;
    }
    out[e] = plan.shards == 1 ? shard_sum[0] : allreduce_element(plan.collective, shard_sum, e, elements);
  }
}

}  // namespace plumb::harness::repro
