// `perfplan plan` end to end: ranked layouts, JSON with its context, launch configs, bad input.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/run_cli.hpp"

using namespace perfplan::cli_test;

namespace {
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("cli plan: ranked layouts with the search's accounting") {
  const CliResult r = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "16", "--gbs",
                                    "128", "--seq", "4096", "--top", "3"});
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "searched"));
  CHECK(has(r.out, "rank"));
  CHECK(has(r.out, "tokens/s"));
}

TEST_CASE("cli plan --json: context first, top layouts best first") {
  const CliResult r = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "16", "--gbs",
                                    "128", "--seq", "4096", "--top", "4", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::ordered_json::parse(r.out);
  CHECK(doc.begin().key() == "context");
  REQUIRE(doc["top"].size() == 4);
  for (size_t i = 1; i < doc["top"].size(); ++i) {
    CHECK(doc["top"][i - 1]["tokens_per_s"].get<double>() >= doc["top"][i]["tokens_per_s"].get<double>());
  }
  CHECK(doc["search"]["enumerated"].get<int64_t>() >= doc["search"]["evaluated"].get<int64_t>());
}

TEST_CASE("cli plan --emit: the best layout as a framework's own configuration") {
  const CliResult megatron = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "16",
                                           "--gbs", "128", "--emit", "megatron"});
  CHECK(megatron.exit_code == 0);
  CHECK(has(megatron.out, "--tensor-model-parallel-size"));
  const CliResult titan = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "16",
                                        "--gbs", "128", "--emit", "torchtitan"});
  CHECK(titan.exit_code == 0);
  CHECK(has(titan.out, "[parallelism]"));
  const CliResult bad = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "16",
                                      "--gbs", "128", "--emit", "deepspeed"});
  CHECK(bad.exit_code != 0);
  CHECK(has(bad.err, "megatron, nemo, torchtitan"));
}

TEST_CASE("cli plan: bad input is one clear line and a non-zero exit") {
  const CliResult too_small = run_perfplan({"plan", "--model", "llama-3.1-405b", "--cluster", "dgx-h100", "--gpus", "8"});
  CHECK(too_small.exit_code != 0);
  CHECK(has(too_small.err, "no layout of Llama-3.1-405B fits"));
  const CliResult rank = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8", "--rank", "speed"});
  CHECK(rank.exit_code != 0);
  CHECK(has(rank.err, "throughput, time, cost"));
  const CliResult mixed = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-a100:8,dgx-h100:eight"});
  CHECK(mixed.exit_code != 0);
  CHECK(has(mixed.err, "is not a GPU count"));
  const CliResult no_gpus = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100"});
  CHECK(no_gpus.exit_code != 0);
}
