// plumb harness: JUnit XML writer.
#include "junit.hpp"

#include <fstream>
#include <map>
#include <stdexcept>

namespace plumb::harness {

namespace {
std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}
}  // namespace

void write_junit(const std::string& path, const std::vector<checks::Verdict>& verdicts) {
  using namespace checks;
  std::map<std::string, std::vector<const Verdict*>> by_suite;
  for (const auto& v : verdicts) by_suite[v.suite].push_back(&v);
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write JUnit file '" + path + "'");
  size_t failures = 0, skipped = 0;
  for (const auto& v : verdicts) {
    failures += !v.acceptable();
    skipped += v.disposition == Disposition::skipped || v.disposition == Disposition::not_supported;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"plumb verify\" tests=\""
      << verdicts.size() << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\">\n";
  for (const auto& [suite, list] : by_suite) {
    size_t f = 0, s = 0;
    double seconds = 0;
    for (const auto* v : list) {
      f += !v->acceptable();
      s += v->disposition == Disposition::skipped || v->disposition == Disposition::not_supported;
      seconds += v->seconds;
    }
    out << " <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << list.size() << "\" failures=\"" << f
        << "\" skipped=\"" << s << "\" time=\"" << seconds << "\">\n";
    for (const auto* v : list) {
      out << "  <testcase classname=\"" << xml_escape(suite + "." + v->kernel) << "\" name=\""
          << xml_escape(describe(*v)) << "\" time=\"" << v->seconds << "\">";
      if (!v->acceptable()) {
        std::string text = std::string(disposition_name(v->disposition)) + ": " + std::to_string(v->mismatches) +
                           " of " + std::to_string(v->cases) + " cases differ from the oracle. " + v->message;
        if (v->expected_failure) text = "planted bug NOT caught. " + text;
        for (const auto& c : v->counterexamples)
          text += (c.detail.empty() ? "" : "\n" + c.detail) +  // block quantisation: the block in words
                  "\n" + repro_command(*v, c) + "   # got " + hex_code(c.got) + " " + flags_to_string(c.got_flags) +
                  ", expected " + hex_code(c.expected) + " " + flags_to_string(c.expected_flags);
        out << "\n   <failure message=\"" << xml_escape(disposition_name(v->disposition)) << "\">"
            << xml_escape(text) << "</failure>\n  ";
      } else if (v->disposition == Disposition::skipped || v->disposition == Disposition::not_supported) {
        out << "<skipped message=\"" << xml_escape(std::string(disposition_name(v->disposition)) + ": " + v->message)
            << "\"/>";
      }
      out << "</testcase>\n";
    }
    out << " </testsuite>\n";
  }
  out << "</testsuites>\n";
  if (!out) throw std::runtime_error("error while writing JUnit file '" + path + "'");
}

}  // namespace plumb::harness
