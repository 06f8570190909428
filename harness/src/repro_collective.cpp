// plumb repro: modelled NCCL ring and tree all-reduce orders.
#include "repro_collective.hpp"

#include <stdexcept>

namespace plumb::harness::repro {

size_t ring_chunk(size_t element, size_t elements, size_t ranks) {
  const size_t per_rank = (elements + ranks - 1) / ranks;
  const size_t chunk = (per_rank + 3) / 4 * 4;  // NCCL aligns chunks to 16 bytes
  return element / chunk;
}

std::vector<size_t> ring_order(size_t chunk, size_t ranks) {
  std::vector<size_t> order;
  for (size_t j = 1; j <= ranks; ++j) order.push_back((chunk + j) % ranks);
  return order;
}

TreeNode btree_children(int position, int ranks) {
  TreeNode n;
  if (position == 0) {
    int bit = 1;
    while (bit < ranks) bit <<= 1;
    if (ranks > 1) n.child0 = bit >> 1;
    return n;
  }
  const int lowest = position & -position;
  int half = lowest >> 1;
  if (half == 0) return n;  // odd positions are leaves
  n.child0 = position - half;
  while (half > 0 && position + half >= ranks) half >>= 1;
  if (half > 0) n.child1 = position + half;
  return n;
}

int tree_rank_at(int tree, int position, int ranks) {
  if (tree == 0) return position;
  return ranks % 2 == 0 ? ranks - 1 - position : (position + 1) % ranks;
}

int tree_for_element(size_t element, size_t elements) { return element < (elements + 1) / 2 ? 0 : 1; }

namespace {

float subtree_sum(int tree, int position, int ranks, const std::vector<float>& partials) {
  float value = partials[static_cast<size_t>(tree_rank_at(tree, position, ranks))];
  const TreeNode n = btree_children(position, ranks);
  if (n.child0 >= 0) value += subtree_sum(tree, n.child0, ranks, partials);
  if (n.child1 >= 0) value += subtree_sum(tree, n.child1, ranks, partials);
  return value;
}

}  // namespace

float allreduce_element(Collective c, const std::vector<float>& partials, size_t element, size_t elements) {
  const size_t ranks = partials.size();
  if (ranks == 0 || element >= elements) throw std::invalid_argument("allreduce_element: no ranks or element out of range");
  if (c == Collective::ring) {
    const auto order = ring_order(ring_chunk(element, elements, ranks), ranks);
    float sum = partials[order[0]];
    for (size_t j = 1; j < ranks; ++j) sum += partials[order[j]];
    return sum;
  }
  return subtree_sum(tree_for_element(element, elements), 0, static_cast<int>(ranks), partials);
}

}  // namespace plumb::harness::repro
