// plumb harness: a small command-line parser with clear errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace plumb::harness {

// Options are "--name value" or "--name=value"; switches are "--name".
class CliArgs {
 public:
  // Throws std::runtime_error naming the bad option.
  CliArgs(const std::vector<std::string>& args, const std::set<std::string>& options_with_value,
          const std::set<std::string>& switches);
  bool has(const std::string& name) const;
  std::optional<std::string> value(const std::string& name) const;  // last given
  std::vector<std::string> values(const std::string& name) const;    // all given
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::multimap<std::string, std::string> values_;
  std::set<std::string> switches_;
  std::vector<std::string> positional_;
};

uint64_t parse_u64(const std::string& text, const std::string& what);  // throws
// The value of option `name` as a size in 1..max (fallback when absent); throws
// naming the option when it is not.
size_t parse_size(const CliArgs& a, const char* name, size_t fallback, size_t max);

}  // namespace plumb::harness
