// `perfplan model` output against golden files in tests/cli/golden/.
// PERFPLAN_UPDATE_GOLDEN=1 rewrites the golden files from the current binary instead of comparing;
// read the diff before committing it.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "cli/run_cli.hpp"

using namespace perfplan::cli_test;

namespace {

// The JSON context records where the catalog entry was read from (an absolute path); the golden
// file stores it relative to the source tree so that it does not depend on the checkout.
std::string normalise_paths(std::string text) {
  const std::string root = source_dir().string();
  const std::string placeholder = "<source_dir>";
  for (size_t at = text.find(root); at != std::string::npos; at = text.find(root, at + placeholder.size())) {
    text.replace(at, root.size(), placeholder);
  }
  return text;
}

bool update_golden() {
  const char* env = std::getenv("PERFPLAN_UPDATE_GOLDEN");
  return env != nullptr && std::string(env) == "1";
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Names the first differing line rather than printing thousands of lines of JSON.
void check_against_golden(const std::string& actual, const std::string& golden_name) {
  const auto path = golden_dir() / golden_name;
  if (update_golden()) {
    std::ofstream(path, std::ios::binary) << actual;
    MESSAGE("rewrote golden file " << path.string());
    return;
  }
  REQUIRE_MESSAGE(std::filesystem::exists(path),
                  "golden file " << path.string() << " is missing; create it with PERFPLAN_UPDATE_GOLDEN=1");
  const std::string expected = read_whole_file(path);
  if (actual == expected) return;
  const auto want = split_lines(expected);
  const auto got = split_lines(actual);
  size_t line = 0;
  while (line < want.size() && line < got.size() && want[line] == got[line]) ++line;
  const std::string want_line = line < want.size() ? want[line] : "<end of file>";
  const std::string got_line = line < got.size() ? got[line] : "<end of output>";
  FAIL_CHECK("output differs from " << path.string() << " at line " << line + 1 << "\n  golden: " << want_line
                                    << "\n  actual: " << got_line
                                    << "\n(rerun with PERFPLAN_UPDATE_GOLDEN=1 if the change is intended)");
}

}  // namespace

TEST_CASE("cli: golden: perfplan model llama-3.1-8b --seq 4096 --mbs 1 (text)") {
  const auto r = run_perfplan({"model", "llama-3.1-8b", "--seq", "4096", "--mbs", "1"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.empty());
  check_against_golden(r.out, "model_llama-3.1-8b_seq4096_mbs1.txt");
}

TEST_CASE("cli: golden: perfplan model mixtral-8x7b --seq 4096 --tp 2 --sp --ep 4 --json") {
  const auto r = run_perfplan({"model", "mixtral-8x7b", "--seq", "4096", "--tp", "2", "--sp", "--ep", "4", "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.empty());
  check_against_golden(normalise_paths(r.out), "model_mixtral-8x7b_seq4096_tp2_sp_ep4.json");
}
