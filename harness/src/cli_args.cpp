// plumb harness: command-line parsing.
#include "cli_args.hpp"

#include <stdexcept>

namespace plumb::harness {

CliArgs::CliArgs(const std::vector<std::string>& args, const std::set<std::string>& with_value,
                 const std::set<std::string>& switches) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), val;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      val = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (switches.count(name)) {
      if (inline_value) throw std::runtime_error("option --" + name + " takes no value");
      switches_.insert(name);
    } else if (with_value.count(name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) throw std::runtime_error("option --" + name + " needs a value");
        val = args[++i];
      }
      values_.emplace(name, val);
    } else {
      std::string known;
      for (const auto& o : with_value) known += " --" + o;
      for (const auto& s : switches) known += " --" + s;
      throw std::runtime_error("unknown option '" + a + "'; valid options:" + known);
    }
  }
}

bool CliArgs::has(const std::string& name) const {
  return switches_.count(name) || values_.count(name);
}

std::optional<std::string> CliArgs::value(const std::string& name) const {
  std::optional<std::string> out;
  auto [b, e] = values_.equal_range(name);
  for (auto it = b; it != e; ++it) out = it->second;
  return out;
}

std::vector<std::string> CliArgs::values(const std::string& name) const {
  std::vector<std::string> out;
  auto [b, e] = values_.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

uint64_t parse_u64(const std::string& text, const std::string& what) {
  try {
    size_t pos = 0;
    const uint64_t v = std::stoull(text, &pos, 0);
    if (pos == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw std::runtime_error(what + ": '" + text + "' is not a non-negative integer");
}

size_t parse_size(const CliArgs& a, const char* name, size_t fallback, size_t max) {
  const auto v = a.value(name);
  if (!v) return fallback;
  const uint64_t n = parse_u64(*v, std::string("--") + name);
  if (n < 1 || n > max)
    throw std::runtime_error(std::string("--") + name + " must be between 1 and " + std::to_string(max));
  return static_cast<size_t>(n);
}

}  // namespace plumb::harness
