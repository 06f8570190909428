// plumb peers: the CUDA headers' conversion intrinsics (host paths), each as a
// function from a source code to a target code, with the plumb format and
// rounding it performs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/rounding.hpp"

namespace plumb::peers {

struct Intrinsic {
  std::string call;  // the C++ call, as a reader would write it
  FormatDesc from, to;
  Rounding rounding;
  std::function<uint64_t(uint64_t)> fn;  // source code -> target code
};

// Every intrinsic x mode x saturation the CUDA 13.0 headers offer on the host.
std::vector<Intrinsic> cuda_header_intrinsics();

}  // namespace plumb::peers
