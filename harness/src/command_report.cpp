// plumb report: RESULT.json... -o report.html, by the Python report package
// (reports/plumb_report), which reads result files only.
#include <iostream>

#include "commands.hpp"
#include "python_tools.hpp"

namespace plumb::harness {

int command_report(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: plumb report RESULT.json [RESULT.json...] -o report.html\n"
                 "Writes one self-contained HTML file (figures embedded) from result files,\n"
                 "merging files from several machines; prints the path of the report.\n";
    return args.empty() ? 2 : 0;
  }
  std::vector<std::string> py = {"-m", "plumb_report"};
  py.insert(py.end(), args.begin(), args.end());
  return run_python(py);
}

}  // namespace plumb::harness
