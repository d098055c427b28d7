// The planner: complete accounting of what it searched, deterministic ranking, Pareto front,
// clear errors when nothing fits, and published layouts found feasible.
#include <doctest/doctest.h>

#include "perfplan/model/catalog.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/planner/plan.hpp"


using namespace perfplan;

namespace {

planner::PlanRequest llama70b_on(int64_t gpus) {
  static const auto catalog = model::Catalog::load(model::default_catalog_directory());
  static const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  planner::PlanRequest r;
  r.architecture = catalog.find("llama-3.1-70b").architecture;
  r.framework = hardware.framework();
  r.cluster = hardware.cluster("dgx-h100", gpus);
  r.global_batch_size = 128;
  r.seq_len = 8192;
  r.dtype = model::DType::kFp8;
  r.top_k = 5;
  return r;
}

}  // namespace

TEST_CASE("plan: every enumerated layout is accounted for, and the best comes first") {
  auto request = llama70b_on(64);
  request.threads = 2;
  const auto result = planner::plan(request);
  int64_t pruned = 0;
  for (const auto& [reason, count] : result.stats.pruned) pruned += count;
  const std::string too_big = "does not fit in GPU memory (with activations)";
  int64_t predicted_but_too_big = result.stats.pruned.count(too_big) ? result.stats.pruned.at(too_big) : 0;
  // And those leaving less than the memory headroom (predicted, then cut).
  for (const auto& [reason, count] : result.stats.pruned) {
    if (reason.find("memory headroom") != std::string::npos) predicted_but_too_big += count;
  }
  // Enumerated = cut while enumerating + cut before predicting + predicted; predicted = fits + too big.
  CHECK(result.stats.enumerated == pruned - predicted_but_too_big + result.stats.evaluated);
  CHECK(result.stats.evaluated == result.stats.feasible + predicted_but_too_big);
  CHECK(result.stats.feasible == static_cast<int64_t>(result.feasible.size()));
  REQUIRE(result.top.size() == 5);
  for (size_t i = 1; i < result.top.size(); ++i) {
    CHECK(result.top[i - 1].prediction.tokens_per_s >= result.top[i].prediction.tokens_per_s);
  }
  for (const auto& c : result.top) {
    CHECK(c.prediction.memory.fits);
    CHECK(c.config.num_gpus() == 64);
    CHECK(c.config.global_batch_size % (c.config.dp * c.config.micro_batch_size) == 0);
    CHECK_FALSE(c.why.empty());
  }
  CHECK_FALSE(result.top.front().prediction.timeline.empty());
}

TEST_CASE("plan: the ranking does not depend on the number of threads") {
  auto one = llama70b_on(64);
  one.threads = 1;
  auto two = llama70b_on(64);
  two.threads = 2;
  const auto a = planner::plan(one);
  const auto b = planner::plan(two);
  REQUIRE(a.top.size() == b.top.size());
  for (size_t i = 0; i < a.top.size(); ++i) {
    CHECK(a.top[i].prediction.tokens_per_s == b.top[i].prediction.tokens_per_s);
    CHECK(a.top[i].config.tp == b.top[i].config.tp);
    CHECK(a.top[i].config.pp == b.top[i].config.pp);
    CHECK(a.top[i].config.vp == b.top[i].config.vp);
    CHECK(a.top[i].config.micro_batch_size == b.top[i].config.micro_batch_size);
  }
}

TEST_CASE("plan: no feasible point dominates a point on the Pareto front") {
  const auto result = planner::plan(llama70b_on(64));
  for (const auto& p : result.feasible) {
    if (!p.pareto) continue;
    for (const auto& q : result.feasible) {
      const bool dominates = q.tokens_per_s > p.tokens_per_s && q.memory_bytes < p.memory_bytes;
      CHECK_FALSE(dominates);
    }
  }
}

TEST_CASE("plan: time-to-train and cost follow throughput on a fixed cluster") {
  auto request = llama70b_on(64);
  request.training_tokens = 1e12;
  const auto result = planner::plan(request);
  const auto& best = result.top.front();
  CHECK(best.time_to_train_s == doctest::Approx(1e12 / best.prediction.tokens_per_s));
  CHECK(best.cost_usd == doctest::Approx(64.0 * best.time_to_train_s / 3600.0 * request.cluster.gpu.price_per_gpu_hour_usd));
  request.rank_by = planner::RankBy::kCost;
  const auto by_cost = planner::plan(request);
  CHECK(by_cost.top.front().prediction.tokens_per_s == doctest::Approx(best.prediction.tokens_per_s));
}

TEST_CASE("plan: nothing fits is a value in the statistics that says what cut the layouts") {
  auto request = llama70b_on(8);
  request.architecture = model::Catalog::load(model::default_catalog_directory()).find("llama-3.1-405b").architecture;
  const planner::PlanResult result = planner::plan(request);
  CHECK(result.top.empty());
  CHECK(result.stats.feasible == 0);
  const std::string& what = result.stats.nothing_fits;
  CHECK(what.find("no layout of Llama-3.1-405B fits 8 x H100-SXM5-80GB") != std::string::npos);
  CHECK(what.find("exceed GPU memory") != std::string::npos);
  // 405B parameters x 16 bytes of mixed-precision Adam state do not fit 8 x 80 GB: every
  // rejection is a memory cut, counted by kind.
  int64_t rejected = 0;
  for (const auto& [kind, count] : result.stats.rejected) rejected += count;
  CHECK(rejected == result.stats.rejected.at(predictor::InfeasibleKind::kMemory));
  CHECK(rejected > 0);
}

TEST_CASE("plan: NeMo's published Llama-3 70B layout on 64 H100 is feasible and ranked") {
  auto request = llama70b_on(64);
  const auto result = planner::plan(request);
  predictor::ParallelConfig published;  // NeMo 24.07: TP 4, PP 4, CP 2, VP 5, DP 2, mbs 1, gbs 128
  published.tp = 4;
  published.sequence_parallel = true;
  published.pp = 4;
  published.cp = 2;
  published.vp = 5;
  published.dp = 2;
  published.schedule = predictor::PipelineSchedule::kInterleaved;
  published.global_batch_size = 128;
  published.seq_len = 8192;
  published.dtype = model::DType::kFp8;
  published.distributed_optimizer = true;
  published.zero_stage = 1;
  published.overlap_tp_comm = true;
  const auto rank = planner::rank_of(request, result, published);
  CHECK(rank.why_pruned.empty());
  CHECK(rank.rank >= 1);
  CHECK(rank.rank <= rank.feasible + 1);
}
