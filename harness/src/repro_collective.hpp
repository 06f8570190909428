// plumb repro: the order in which a simulated all-reduce adds the shards'
// partial results, modelled on NCCL's ring and double-binary-tree algorithms
// (docs/REPRO_SEMANTICS.md "Simulated GPU count"). Pure functions of the rank
// count and the element's place in the buffer; no communication.
#pragma once

#include <cstddef>
#include <vector>

#include "repro_types.hpp"

namespace plumb::harness::repro {

// Ring: the buffer of `elements` values is cut into `ranks` chunks of
// align_up(ceil(elements / ranks), 4) values (one loop, one channel). Chunk c
// is reduce-scattered starting at rank c + 1: the ranks in the order their
// partials enter the sum are c+1, c+2, ..., c (mod ranks).
size_t ring_chunk(size_t element, size_t elements, size_t ranks);
std::vector<size_t> ring_order(size_t chunk, size_t ranks);

// Tree: NCCL's binary tree over positions 0..ranks-1 (root 0 with one child,
// the largest power of two below ranks; position r's children r -+ lowbit/2).
// Tree 0 puts rank r at position r; tree 1 mirrors (even ranks: n-1-r) or
// shifts (odd ranks: position p holds rank (p+1) mod n). The first half of
// the buffer goes up tree 0, the rest up tree 1. A node's value is its own
// partial, plus its first child's subtree sum, plus its second child's.
struct TreeNode {
  int child0 = -1, child1 = -1;  // positions, -1: none
};
TreeNode btree_children(int position, int ranks);
int tree_rank_at(int tree, int position, int ranks);
int tree_for_element(size_t element, size_t elements);

// The all-reduced value of one element from the ranks' partials, summed in
// fp32 in the collective's order.
float allreduce_element(Collective c, const std::vector<float>& partials, size_t element, size_t elements);

}  // namespace plumb::harness::repro
