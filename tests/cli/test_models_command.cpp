// `perfplan models`: the built-in catalog, one model per line under a header.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "cli/run_cli.hpp"

using namespace perfplan::cli_test;

TEST_CASE("cli: perfplan models lists the whole catalog") {
  const auto r = run_perfplan({"models"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.empty());
  std::istringstream lines(r.out);
  std::string header;
  std::getline(lines, header);
  CHECK(header.rfind("name", 0) == 0);
  int models = 0;
  for (std::string line; std::getline(lines, line);) models += line.empty() ? 0 : 1;
  CHECK(models >= 17);
  CHECK(contains(r.out, "Llama-3.1-405B"));
  CHECK(contains(r.out, "DeepSeek-V3"));
}

TEST_CASE("cli: perfplan models rejects arguments") {
  const auto r = run_perfplan({"models", "extra"});
  CHECK(r.exit_code != 0);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "'extra'"));
}
