// perfplan plan as a user runs it: the mixed cluster's Megatron command names its stage split and
// which nodes hold which ranks; a deadline picks the GPU count; constraints fix degrees.
#include <doctest/doctest.h>

#include <string>

#include "cli/run_cli.hpp"

using perfplan::cli_test::run_perfplan;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("cli plan --emit megatron on a mixed cluster: the 60/20 layer split and the ranks of each part") {
  const auto r = run_perfplan({"plan", "--model", "llama-3.1-70b", "--cluster", "dgx-a100:64,dgx-h100:64", "--gbs", "512",
                               "--seq", "4096", "--emit", "megatron"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "# mixed cluster, ranks in this order: 0-63 (stage 0) on dgx-h100 (H100-SXM5-80GB) 64-127 (stage 1) on dgx-a100"));
  CHECK(contains(r.out, "--pipeline-model-parallel-layout \"E" + std::string(60, 't') + "|" + std::string(20, 't') + "L\""));
}

TEST_CASE("cli plan --deadline: a looser deadline chooses fewer GPUs, and the constraints hold") {
  const auto tight = run_perfplan({"plan", "--model", "llama-3.1-70b", "--cluster", "dgx-h100", "--gpus", "2048", "--gbs",
                                   "512", "--seq", "8192", "--tokens", "15e12", "--rank", "cost", "--deadline", "200",
                                   "--top", "1"});
  const auto loose = run_perfplan({"plan", "--model", "llama-3.1-70b", "--cluster", "dgx-h100", "--gpus", "2048", "--gbs",
                                   "512", "--seq", "8192", "--tokens", "15e12", "--rank", "cost", "--deadline", "1000",
                                   "--top", "1"});
  REQUIRE(tight.exit_code == 0);
  REQUIRE(loose.exit_code == 0);
  CHECK(tight.out.rfind("gpu count  1024 GPUs: the cheapest count that meets the 200-day deadline", 0) == 0);
  CHECK(loose.out.rfind("gpu count  256 GPUs: the cheapest count that meets the 1e+03-day deadline", 0) == 0);
  const auto fixed = run_perfplan({"plan", "--model", "llama-3.1-70b", "--cluster", "dgx-h100", "--gpus", "512", "--gbs",
                                   "512", "--seq", "8192", "--tp", "4", "--max-pp", "4", "--no-fsdp", "--top", "3"});
  REQUIRE(fixed.exit_code == 0);
  CHECK(contains(fixed.out, "   1  tp4+sp pp4"));
  CHECK_FALSE(contains(fixed.out, " fsdp "));
  const auto both = run_perfplan({"plan", "--model", "llama-3.1-70b", "--cluster", "dgx-h100", "--gpus", "512",
                                  "--deadline", "10", "--budget", "1e6"});
  CHECK(both.exit_code == 1);
  CHECK(contains(both.err, "give --deadline or --budget, not both"));
}

TEST_CASE("cli plan --cluster a,b,c: the job planned on each alternative, the best by the ranking gets the table") {
  const auto r = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100,dgx-a100", "--gpus", "64",
                               "--gbs", "256", "--seq", "4096", "--rank", "throughput", "--top", "1"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("alternatives (best layout on each, ranked by throughput):\n  dgx-h100 ", 0) == 0);
  CHECK(contains(r.out, "\n  dgx-a100 "));
  CHECK(contains(r.out, "chosen: dgx-h100 bf16\n"));
  CHECK(contains(r.out, "cluster    dgx-h100: 64 x H100-SXM5-80GB"));
  const auto typo = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100,,dgx-a100", "--gpus", "64"});
  CHECK(typo.exit_code == 1);
  CHECK(contains(typo.err, "an empty cluster name in the list"));
}

TEST_CASE("cli plan --dtype bf16,fp8: each precision planned, FP8 chosen on H100 for throughput") {
  const auto r = run_perfplan({"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "64", "--gbs", "256",
                               "--seq", "4096", "--dtype", "bf16,fp8", "--top", "1"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "\n  dgx-h100     bf16 "));
  CHECK(contains(r.out, "\n  dgx-h100     fp8  "));
  CHECK(contains(r.out, "chosen: dgx-h100 fp8\n"));
}
