// `perfplan calibrate` and `perfplan validate --cross-validate` end to end, and the prediction
// band in `predict --json` and `plan --json`.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/run_cli.hpp"

using namespace perfplan::cli_test;
using json = nlohmann::json;

namespace {

std::string small_validation() { return (test_data_dir() / "validation_small.json").string(); }

}  // namespace

TEST_CASE("cli calibrate: the free constants with prior, bounds, fitted value and the objective") {
  const CliResult r = run_perfplan({"calibrate", small_validation(), "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const json doc = json::parse(r.out);
  CHECK(doc["objective"] == "mean |ln(predicted / measured)| of the iteration time over the fitted cases");
  CHECK(doc["fitted_on"] == json::array({"validation_small.json"}));
  CHECK(doc["cases"] == 2);  // the unknown GPU's case is skipped
  bool host = false;
  for (const auto& c : doc["constants"]) {
    CHECK(c["low"].get<double>() <= c["prior"].get<double>());
    CHECK(c["prior"].get<double>() <= c["high"].get<double>());
    CHECK_FALSE(c["bound_source"].get<std::string>().empty());
    if (c["key"] == "megatron-core.host.launch_us") {
      host = true;
      CHECK(c["low"] == 5.0);
      CHECK(c["high"] == 60.0);
    }
    // Two cases depend on no constant three times over: every constant keeps its prior.
    CHECK(c["fitted"].is_null());
  }
  CHECK(host);
  const CliResult bad = run_perfplan({"calibrate", small_validation(), "--wrte"});
  CHECK(bad.exit_code != 0);
  CHECK(contains(bad.err, "unknown option '--wrte'; accepted: --write, --json"));
}

TEST_CASE("cli validate --cross-validate: in-sample and held-out errors per fold, ranking, bands") {
  const CliResult r = run_perfplan({"validate", small_validation(), "--cross-validate", "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const json doc = json::parse(r.out);
  CHECK(doc["context"]["folds_by"] == "file");
  REQUIRE(doc["cases"].size() == 3);
  const json& dense = doc["cases"][0];
  CHECK(dense["fold"] == "validation_small.json");
  REQUIRE(dense["loso_error_pct"].is_number());
  REQUIRE(doc["summary"]["loso"]["count"] == 2);
  CHECK(doc["summary"]["loso"]["median_abs_error_pct"].is_number());
  CHECK(doc["summary"]["loso"]["p90_abs_error_pct"].is_number());
  CHECK(doc["summary"]["per_fold"].size() == 1);
  CHECK(doc["summary"].contains("loso_ranking"));
  CHECK(doc["summary"]["bands"].size() == 1);  // two cases: only the all-case band
  CHECK(doc["cases"][2]["skipped"].is_string());

  const CliResult by_framework = run_perfplan({"validate", small_validation(), "--cross-validate", "--by", "framework"});
  REQUIRE(by_framework.exit_code == 0);
  CHECK(contains(by_framework.out, "folds by framework"));
  CHECK(contains(by_framework.out, "out of sample"));
  const CliResult markdown = run_perfplan({"validate", small_validation(), "--cross-validate", "--markdown"});
  REQUIRE(markdown.exit_code == 0);
  CHECK(contains(markdown.out, "| **out of sample (leave one file out)** | 2 |"));

  const CliResult bad = run_perfplan({"validate", small_validation(), "--by", "framework"});
  CHECK(bad.exit_code != 0);
  CHECK(contains(bad.err, "--by and --markdown go with --cross-validate"));
  const CliResult bad_by = run_perfplan({"validate", small_validation(), "--cross-validate", "--by", "gpu"});
  CHECK(bad_by.exit_code != 0);
  CHECK(contains(bad_by.err, "--by 'gpu': accepted: file, framework"));
}

TEST_CASE("cli predict --json and plan --json carry the out-of-sample band of the iteration time") {
  const CliResult p = run_perfplan({"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8",
                                    "--tp", "2", "--seq", "4096", "--gbs", "32", "--json"});
  INFO("stderr: " << p.err);
  REQUIRE(p.exit_code == 0);
  const json predicted = json::parse(p.out);
  const json& band = predicted["iteration_time_band"];
  REQUIRE(band.is_object());
  const double t = predicted["iteration_time_s"].get<double>();
  CHECK(band["low_s"].get<double>() == doctest::Approx(t * band["low_ratio"].get<double>()));
  CHECK(band["high_s"].get<double>() == doctest::Approx(t * band["high_ratio"].get<double>()));
  CHECK(band["low_ratio"].get<double>() < 1.0);
  CHECK(band["high_ratio"].get<double>() > 1.0);
  CHECK(band["cases"].get<int>() >= 10);

  const CliResult plan = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "16",
                                       "--gbs", "64", "--seq", "4096", "--json", "--top", "5"});
  REQUIRE(plan.exit_code == 0);
  const json doc = json::parse(plan.out);
  REQUIRE(doc["top"].size() >= 2);
  const json& best = doc["top"][0];
  CHECK_FALSE(best["ties_best"].get<bool>());
  for (const auto& row : doc["top"]) {
    REQUIRE(row["iteration_time_band"].is_object());
    // A tie: this row's band reaches below the top of the best one's.
    const bool overlaps = row["iteration_time_band"]["low_s"].get<double>() <=
                          best["iteration_time_band"]["high_s"].get<double>();
    if (&row != &best) CHECK(row["ties_best"].get<bool>() == overlaps);
  }
}

TEST_CASE("cli predict --framework: a profile by name, its attention kernel, a clear error for a typo") {
  const std::vector<std::string> layout = {"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8",
                                           "--tp", "2", "--seq", "4096", "--gbs", "32", "--json"};
  auto with = [&](const std::string& framework) {
    std::vector<std::string> args = layout;
    args.push_back("--framework");
    args.push_back(framework);
    return run_perfplan(args);
  };
  const CliResult core = with("megatron-core");
  const CliResult fsdp = with("pytorch-fsdp@2.2");
  REQUIRE(core.exit_code == 0);
  REQUIRE(fsdp.exit_code == 0);
  CHECK(fsdp.err.empty());  // 2.2 is a described release
  CHECK(json::parse(fsdp.out)["context"]["inputs"]["framework"] == "pytorch-fsdp 2.2");
  CHECK(contains(with("pytorch-fsdp@2.3").err, "pytorch-fsdp 2.3: not described; predicted as the nearest earlier release, 2.2"));
  // FlashAttention-2 on Hopper (FA3 paper: ~35% of peak) and eager PyTorch's host: slower.
  CHECK(json::parse(fsdp.out)["iteration_time_s"].get<double>() > json::parse(core.out)["iteration_time_s"].get<double>());
  const CliResult typo = with("torchtitn");
  CHECK(typo.exit_code != 0);
  CHECK(contains(typo.err, "unknown framework 'torchtitn'; did you mean 'torchtitan'?"));
}
