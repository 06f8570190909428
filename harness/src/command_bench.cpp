// STUB (helper 3 replaces this file): plumb bench.
#include <stdexcept>
#include "commands.hpp"
namespace plumb::harness {
int command_bench(const std::vector<std::string>&) { throw std::runtime_error("plumb bench is not built yet"); }
}
