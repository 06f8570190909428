// Unit tests of the plugin isolation (harness/src/plugin_isolation.hpp): a
// clean call returns its outputs, status and message; a crash, a hang, an
// exit() and writes past either end of an output are each reported as an
// error naming what happened, and plumb's own memory is left as it was.
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "plugin_isolation.hpp"

using namespace plumb::harness;

namespace {

IsolationOptions quick() {
  IsolationOptions o;
  o.timeout_seconds = 0.5;
  return o;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an isolated call returns its outputs, status and message", "[plugin]") {
  for (const bool in_process : {false, true}) {
    std::vector<uint8_t> out(100, 7);
    std::string message;
    IsolationOptions o = quick();
    o.in_process = in_process;
    const auto status = run_isolated(o, "k", "cell", {{out.data(), out.size(), "out"}},
                                     [](void* const* outputs, plumb_plugin_message m) {
                                       auto* y = static_cast<uint8_t*>(outputs[0]);
                                       CHECK(y[99] == 7);  // the shared copy starts from the caller's data
                                       for (int i = 0; i < 100; ++i) y[i] = static_cast<uint8_t>(i);
                                       std::snprintf(m.text, m.capacity, "half done");
                                       return PLUMB_STATUS_NOT_SUPPORTED;
                                     },
                                     &message);
    CHECK(status == PLUMB_STATUS_NOT_SUPPORTED);
    CHECK(message == "half done");
    CHECK(out[0] == 0);
    CHECK(out[99] == 99);
  }
}

TEST_CASE("a crashing, hanging or exiting kernel is an error naming why", "[plugin]") {
  std::vector<float> out(10, 1.0f);
  std::string message;
  auto status = run_isolated(quick(), "crash", "c1", {{out.data(), 40, "out"}},
                             [](void* const*, plumb_plugin_message) {
                               std::raise(SIGABRT);
                               return PLUMB_STATUS_OK;
                             },
                             &message);
  CHECK(status == PLUMB_STATUS_ERROR);
  CHECK(message == "SIGABRT in plugin kernel crash on cell c1");

  status = run_isolated(quick(), "spin", "c2", {{out.data(), 40, "out"}},
                        [](void* const*, plumb_plugin_message) {
                          for (volatile int spin = 1; spin;) {
                          }
                          return PLUMB_STATUS_OK;
                        },
                        &message);
  CHECK(status == PLUMB_STATUS_ERROR);
  CHECK(message == "timed out after 0.5 s (killed): plugin kernel spin on cell c2");

  status = run_isolated(quick(), "quits", "c3", {{out.data(), 40, "out"}},
                        [](void* const*, plumb_plugin_message) -> plumb_plugin_status { std::_Exit(0); },
                        &message);
  CHECK(status == PLUMB_STATUS_ERROR);
  CHECK(contains(message, "plugin kernel quits on cell c3 exited the process (status 0)"));
  CHECK(out[9] == 1.0f);  // nothing copied back from a failed call
}

TEST_CASE("writes past either end of an output are caught", "[plugin]") {
  std::vector<uint8_t> out(13), flags(13);
  std::string message;
  auto status = run_isolated(quick(), "over", "c", {{out.data(), 13, "out"}, {flags.data(), 13, "flags"}},
                             [](void* const* o, plumb_plugin_message) {
                               static_cast<volatile uint8_t*>(o[1])[13 + 5] = 1;  // the 6th byte past the end
                               return PLUMB_STATUS_OK;
                             },
                             &message);
  CHECK(status == PLUMB_STATUS_ERROR);
  CHECK(message == "SIGSEGV in plugin kernel over on cell c: out-of-bounds write 6 byte(s) past the end of "
                   "output 'flags' (13 bytes)");

  status = run_isolated(quick(), "under", "c", {{out.data(), 13, "out"}},
                        [](void* const* o, plumb_plugin_message) {
                          static_cast<volatile uint8_t*>(o[0])[-2] = 0;  // in the same page: the canary sees it
                          return PLUMB_STATUS_OK;
                        },
                        &message);
  CHECK(status == PLUMB_STATUS_ERROR);
  CHECK(message == "out-of-bounds write: 1 byte(s) before the start of output 'out' changed, in plugin kernel "
                   "under on cell c");
}
