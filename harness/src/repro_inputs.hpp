// plumb repro: seeded input tensors (the portable generator of
// quant_inputs.hpp, so a seed gives the same inputs on any machine, and in a
// fresh process). normal: N(0, 1) values. wide: the vacuity witness, values
// whose exponents span a wide range (docs/REPRO_SEMANTICS.md "Vacuity"), so
// that a change of reduction order is visible in the rounded sums.
#pragma once

#include <cstdint>
#include <string>

#include "repro_types.hpp"

namespace plumb::harness::repro {

enum class InputKind { normal, wide };
const char* input_kind_name(InputKind k);
InputKind parse_input_kind(const std::string& name);  // throws naming the choices
std::string input_description(Op op, InputKind k);    // one line for tables and JSON

// Every value exact in dtype. Throws std::invalid_argument for an empty shape.
Inputs make_inputs(Op op, Dtype dtype, const Shape& shape, InputKind kind, uint64_t seed);

}  // namespace plumb::harness::repro
