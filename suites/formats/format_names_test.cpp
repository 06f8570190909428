// Format names: canonical names, aliases, the eXmY grammar and the error for
// an unknown name.
#include <catch2/catch.hpp>

#include "plumb/formats/format_names.hpp"

using namespace plumb;

TEST_CASE("every named format is found by its name and each alias", "[formats][names][quick]") {
  for (const auto& n : named_formats()) {
    INFO(n.name);
    auto f = find_format(n.name);
    REQUIRE(f);
    CHECK(*f == n.desc);
    CHECK(format_name(*f) == n.name);
    for (const char* a : n.aliases) {
      if (!a) continue;
      INFO(a);
      auto g = find_format(a);
      REQUIRE(g);
      CHECK(*g == n.desc);
    }
  }
  CHECK(*find_format("FP8_E4M3") == formats::e4m3fn);
  CHECK(*find_format("float8_e4m3fn") == formats::e4m3fn);
}

TEST_CASE("run-time eXmY names build the described format", "[formats][names][quick]") {
  auto f = find_format("e5m4");
  REQUIRE(f);
  CHECK(f->ebits == 5);
  CHECK(f->mbits == 4);
  CHECK(f->bias == 15);
  CHECK(f->encoding == Encoding::ieee);
  auto g = find_format("e4m3b11fnuz");
  REQUIRE(g);
  CHECK(g->bias == 11);
  CHECK(g->encoding == Encoding::fnuz);
  CHECK(format_name(*g) == "e4m3b11fnuz");
  auto u = find_format("ue5m3fn");
  REQUIRE(u);
  CHECK_FALSE(u->is_signed);
  CHECK(find_format("e3m2fn")->encoding == Encoding::finite);  // OCP fp6 wins over the grammar
  CHECK(find_format("e6m9fin")->encoding == Encoding::finite);
  for (int e = 1; e <= 8; ++e)
    for (int m = 0; m <= 23; ++m) {
      const std::string name = "e" + std::to_string(e) + "m" + std::to_string(m) + "fn";
      INFO(name);
      auto h = find_format(name);
      REQUIRE(h);
      CHECK(format_name(*h) == name);
      CHECK(*find_format(format_name(*h)) == *h);
    }
}

TEST_CASE("invalid format names are rejected with the list of valid ones", "[formats][names][quick]") {
  for (const char* bad : {"e9m2", "e4m24", "e0m3", "fp7", "e4m3x", "", "e4", "ue4m3fnuz", "e1m3"}) {
    INFO(bad);
    CHECK_FALSE(find_format(bad));
  }
  const std::string msg = unknown_format_message("fp7");
  CHECK(msg.find("'fp7'") != std::string::npos);
  for (const auto& n : named_formats()) CHECK(msg.find(n.name) != std::string::npos);
}
