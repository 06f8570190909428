// plumb repro: reduction plans (repro_reduce.hpp).
#include "repro_reduce.hpp"

#include <algorithm>
#include <stdexcept>

namespace plumb::harness::repro {

ReducePlan plan_reduction(Variant v, const ExecConfig& cfg, size_t elements, size_t k) {
  ReducePlan p;
  if (v == Variant::invariant) {
    p.fixed_chunk = kInvariantChunk;
    p.lanes = kInvariantLanes;
    return p;
  }
  if (cfg.tile == 0 || cfg.tile > kMaxLanes || cfg.threads == 0 || cfg.shards == 0)
    throw std::invalid_argument("tile must be in 1..64, threads and shards >= 1");
  p.lanes = cfg.tile;
  p.shards = std::min(cfg.shards, std::max<size_t>(k, 1));
  p.collective = cfg.collective;
  const size_t shard_len = std::max<size_t>(k / p.shards, 1);
  const size_t cap = std::max<size_t>(shard_len / kMinSplitLength, 1);
  if (cfg.split) {
    p.splits = std::min(cfg.split, shard_len);
  } else {
    const size_t want = kWorkItemsPerThread * cfg.threads;
    p.splits = std::min((want + std::max<size_t>(elements, 1) - 1) / std::max<size_t>(elements, 1), cap);
  }
  p.splits = std::max<size_t>(p.splits, 1);
  return p;
}

std::vector<ReduceChunk> reduce_chunks(const ReducePlan& plan, size_t k) {
  std::vector<ReduceChunk> chunks;
  if (plan.fixed_chunk) {
    for (size_t b = 0; b < k || (k == 0 && chunks.empty()); b += plan.fixed_chunk)
      chunks.push_back({b, std::min(k, b + plan.fixed_chunk), 0});
    return chunks;
  }
  for (size_t s = 0; s < plan.shards; ++s) {
    const size_t sb = k * s / plan.shards, se = k * (s + 1) / plan.shards;
    for (size_t j = 0; j < plan.splits; ++j)
      chunks.push_back({sb + (se - sb) * j / plan.splits, sb + (se - sb) * (j + 1) / plan.splits, s});
  }
  return chunks;
}

float fold_lanes(float* acc, size_t lanes) {
  size_t w = lanes;
  while (w > 1) {
    const size_t h = (w + 1) / 2;
    for (size_t i = 0; i + h < w; ++i) acc[i] += acc[i + h];
    w = h;
  }
  return lanes ? acc[0] : 0.0f;
}

}  // namespace plumb::harness::repro
