// `perfplan predict` and `perfplan validate` end to end: they run, their JSON parses and carries
// its context, the trace is written, and bad input is one line on stderr with a non-zero exit.
// The numbers depend on the catalog's calibration, which moves; only relations are asserted.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/run_cli.hpp"

using namespace perfplan::cli_test;
using nlohmann::json;

namespace {

const std::vector<std::string> kLlama8bOnDgxH100 = {
    "predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8", "--seq", "4096", "--gbs", "64"};

std::vector<std::string> with(std::vector<std::string> args, std::initializer_list<const char*> more) {
  for (const char* a : more) args.emplace_back(a);
  return args;
}

std::string validation_file() { return (test_data_dir() / "validation_small.json").string(); }

// A file in the temporary directory, unique to this process, removed when the test ends.
struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("perfplan_test_" + std::to_string(getpid()) + "_" + name)) {
    std::filesystem::remove(path);
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

// A rejection: non-zero exit (not a crash), nothing on stdout, one "perfplan..." line on stderr
// holding every one of `mentions`.
void expect_one_line_error(const std::vector<std::string>& args, std::initializer_list<const char*> mentions) {
  const CliResult r = run_perfplan(args);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code != 0);
  CHECK(r.exit_code != -1);
  CHECK(r.out.empty());
  REQUIRE(!r.err.empty());
  CHECK(r.err.rfind("perfplan", 0) == 0);
  CHECK(line_count(r.err) == 1);
  for (const char* part : mentions)
    CHECK_MESSAGE(contains(r.err, part), "stderr lacks \"" << std::string(part) << "\"");
}

json parse_json(const std::string& text) {
  json doc;
  CHECK_NOTHROW(doc = json::parse(text));
  return doc;
}

}  // namespace

TEST_CASE("cli predict: Llama 3.1 8B on a DGX H100 prints the iteration time") {
  const CliResult r = run_perfplan(kLlama8bOnDgxH100);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(contains(r.out, "iteration time"));
  CHECK(contains(r.out, "Llama-3.1-8B"));
  CHECK(contains(r.out, "dgx-h100"));
  CHECK(contains(r.out, "MFU"));
  CHECK(contains(r.out, "memory per GPU"));
}

TEST_CASE("cli predict --json: parses, starts from a context, and its ratios hold") {
  const CliResult r = run_perfplan(with(kLlama8bOnDgxH100, {"--json"}));
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "\"iteration_time_s\""));
  CHECK(contains(r.out, "\"context\""));
  const json doc = parse_json(r.out);
  REQUIRE(doc.is_object());
  REQUIRE(doc.contains("context"));
  CHECK(doc["context"].contains("schema_version"));
  CHECK(doc["context"].contains("perfplan_version"));
  REQUIRE(doc["context"].contains("inputs"));
  CHECK(doc["context"]["inputs"]["gpus"] == 8);
  REQUIRE(doc.contains("iteration_time_s"));
  const double iteration_s = doc["iteration_time_s"].get<double>();
  CHECK(iteration_s > 0);
  // gbs 64 sequences of 4096 tokens per iteration; dp = 8 with mbs 1: 8 micro-batches.
  CHECK(doc["tokens_per_s"].get<double>() == doctest::Approx(64.0 * 4096.0 / iteration_s));
  CHECK(doc["tokens_per_s_per_gpu"].get<double>() == doctest::Approx(64.0 * 4096.0 / iteration_s / 8.0));
  CHECK(doc["micro_batches"] == 8);
  CHECK(doc["mfu"].get<double>() > 0);
  CHECK(doc["mfu"].get<double>() <= 1.0);
  CHECK(doc["bubble_fraction"].get<double>() == 0.0);  // pp = 1
}

TEST_CASE("cli predict --trace FILE writes a Chrome / Perfetto trace") {
  const TempFile trace("trace.json");
  const CliResult r = run_perfplan(with(kLlama8bOnDgxH100, {"--pp", "2", "--dp", "4", "--trace"}));
  // --trace needs its value: program_options rejects it without one.
  CHECK(r.exit_code != 0);

  auto args = with(kLlama8bOnDgxH100, {"--pp", "2", "--dp", "4"});
  args.emplace_back("--trace");
  args.emplace_back(trace.path.string());
  const CliResult ok = run_perfplan(args);
  INFO("stderr: " << ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK(contains(ok.out, "iteration time"));
  REQUIRE(std::filesystem::exists(trace.path));
  const std::string text = read_whole_file(trace.path);
  CHECK(contains(text, "traceEvents"));
  const json doc = parse_json(text);
  REQUIRE(doc.contains("traceEvents"));
  REQUIRE(doc["traceEvents"].is_array());
  CHECK(!doc["traceEvents"].empty());
}

TEST_CASE("cli predict: bad input is a non-zero exit and one line on stderr") {
  SUBCASE("unknown cluster: the closest name and the accepted ones") {
    expect_one_line_error({"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-z100", "--gpus", "8"},
                          {"unknown cluster", "'dgx-z100'", "did you mean", "Accepted", "dgx-h100"});
  }
  SUBCASE("--gpus 12 on 8-GPU nodes") {
    expect_one_line_error({"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "12"}, {"12", "8"});
  }
  SUBCASE("--tp 3 does not divide the heads") {
    expect_one_line_error({"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "6", "--tp", "3"},
                          {"tp=3", "num_attention_heads", "accepted"});
  }
  SUBCASE("--schedule bogus lists the schedules") {
    expect_one_line_error(with(kLlama8bOnDgxH100, {"--schedule", "bogus"}),
                          {"'bogus'", "gpipe", "1f1b", "interleaved", "zb-h1"});
  }
  SUBCASE("missing --model") {
    expect_one_line_error({"predict", "--cluster", "dgx-h100", "--gpus", "8"}, {"--model"});
  }
  SUBCASE("tp x pp x dp != --gpus") {
    expect_one_line_error(with(kLlama8bOnDgxH100, {"--tp", "2", "--pp", "2", "--dp", "4"}),
                          {"2 x 2 x 4", "16", "must equal the number of GPUs (8)"});
  }
  SUBCASE("global batch not a multiple of dp x mbs") {
    expect_one_line_error({"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8", "--gbs", "12"},
                          {"global batch 12", "dp x mbs = 8"});
  }
}

TEST_CASE("cli validate: every case listed, the unknown GPU skipped with its reason, a median") {
  const CliResult r = run_perfplan({"validate", validation_file()});
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "small-gpt-dense-a100"));
  CHECK(contains(r.out, "small-llama-nulls-h100"));
  CHECK(contains(r.out, "unknown-gpu-z100"));
  CHECK(contains(r.out, "skipped: unknown GPU 'Z100'"));
  CHECK(contains(r.out, "median"));
  CHECK(contains(r.out, "cases 2"));
  CHECK(contains(r.out, "skipped 1"));
}

TEST_CASE("cli validate --json: summary, assumed defaults and skipped cases") {
  const CliResult r = run_perfplan({"validate", validation_file(), "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "\"summary\""));
  CHECK(contains(r.out, "\"assumed\""));
  CHECK(contains(r.out, "\"skipped\""));
  const json doc = parse_json(r.out);
  REQUIRE(doc.contains("context"));
  CHECK(doc["context"]["command"] == "validate");
  REQUIRE(doc.contains("cases"));
  REQUIRE(doc["cases"].size() == 3);

  const json& dense = doc["cases"][0];
  CHECK(dense["id"] == "small-gpt-dense-a100");
  CHECK(dense["assumed"].empty());  // every value printed
  CHECK(dense["skipped"].is_null());
  CHECK(dense["measured_iteration_time_s"] == 1.0);
  REQUIRE(dense["predicted_iteration_time_s"].is_number());
  const double predicted = dense["predicted_iteration_time_s"].get<double>();
  CHECK(predicted > 0);
  CHECK(dense["error_pct"].get<double>() == doctest::Approx((predicted - 1.0) / 1.0 * 100.0));

  const json& nulls = doc["cases"][1];
  CHECK(nulls["id"] == "small-llama-nulls-h100");
  CHECK(nulls["skipped"].is_null());
  const std::string assumed = nulls["assumed"].dump();
  INFO("assumed: " << assumed);
  CHECK(contains(assumed, "training.micro_batch_size = 1"));
  CHECK(contains(assumed, "parallel.recompute = none"));
  CHECK(nulls["predicted_iteration_time_s"].get<double>() > 0);

  const json& unknown = doc["cases"][2];
  CHECK(unknown["id"] == "unknown-gpu-z100");
  REQUIRE(unknown["skipped"].is_string());
  CHECK(contains(unknown["skipped"].get<std::string>(), "Z100"));
  CHECK(unknown["predicted_iteration_time_s"].is_null());

  const json& summary = doc["summary"];
  CHECK(summary["count"] == 2);
  CHECK(summary["skipped"] == 1);
  // Median of two |errors| is their mean.
  const double e1 = std::abs(dense["error_pct"].get<double>());
  const double e2 = std::abs(nulls["error_pct"].get<double>());
  CHECK(summary["median_abs_error_pct"].get<double>() == doctest::Approx((e1 + e2) / 2.0));
  CHECK(summary["max_abs_error_pct"].get<double>() == doctest::Approx(std::max(e1, e2)));
}

TEST_CASE("cli validate: a missing path or a malformed file is a clear error naming it") {
  expect_one_line_error({"validate", "/nonexistent"}, {"/nonexistent", "cannot open"});
  expect_one_line_error({"validate"}, {"validation file"});

  const TempFile malformed("malformed_validation.json");
  {
    std::ofstream out(malformed.path);
    out << "{\"cases\": [ {\"id\": ";
  }
  expect_one_line_error({"validate", malformed.path.string()}, {malformed.path.string().c_str(), "malformed JSON"});

  const TempFile no_cases("no_cases_validation.json");
  {
    std::ofstream out(no_cases.path);
    out << "{\"source\": \"no cases here\"}\n";
  }
  expect_one_line_error({"validate", no_cases.path.string()}, {no_cases.path.string().c_str(), "'cases'"});
}

TEST_CASE("cli hardware lists the GPUs, links and clusters") {
  const CliResult r = run_perfplan({"hardware"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "H100-SXM5-80GB"));
  CHECK(contains(r.out, "ib-ndr"));
  CHECK(contains(r.out, "gb200-nvl72"));
  const CliResult bad = run_perfplan({"hardware", "extra"});
  CHECK(bad.exit_code != 0);
  CHECK(contains(bad.err, "takes no arguments"));
}

TEST_CASE("predict: HFU counts executed FLOPs, so a 16M-token causal sequence with full recompute stays below 100 %") {
  // Before: HFU 102.5 % (recomputed attention counted as the full s x s the kernel never runs).
  const CliResult r = run_perfplan({"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8", "--cp",
                                    "8", "--seq", "16777216", "--recompute", "full", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  const double mfu = doc.at("mfu").get<double>(), hfu = doc.at("hfu").get<double>();
  CHECK(hfu > 0);
  CHECK(hfu < 1);
  // At this length attention is nearly all the work: its dense-convention count is twice what
  // the causal kernel executes, so HFU (executed, + recompute) falls below MFU (dense convention).
  CHECK(hfu < mfu);
}
