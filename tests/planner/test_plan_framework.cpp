// The planner searches what the framework can run: its schedules, sharding modes and layer
// splits; variants the model cannot tell apart share a row; layouts keep a memory headroom.
#include <doctest/doctest.h>

#include <cstdlib>
#include <algorithm>
#include <numeric>
#include <set>
#include <tuple>

#include "perfplan/model/catalog.hpp"
#include "perfplan/planner/plan.hpp"

using namespace perfplan;

namespace {

const hardware::HardwareCatalog& hardware_catalog() {
  static const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  return hardware;
}

planner::PlanRequest request_for(const std::string& model, const std::string& framework, int64_t gpus, int64_t gbs) {
  static const auto catalog = model::Catalog::load(model::default_catalog_directory());
  planner::PlanRequest r;
  r.architecture = catalog.find(model).architecture;
  r.framework = hardware_catalog().framework(framework);
  r.cluster = hardware_catalog().cluster("dgx-h100", gpus);
  r.global_batch_size = gbs;
  r.seq_len = 8192;
  r.top_k = 50;
  r.threads = 2;
  return r;
}

}  // namespace

TEST_CASE("plan under Megatron-Core: interleaving only where the layers divide, no schedule Megatron lacks") {
  const auto result = planner::plan(request_for("llama-3.1-70b", "megatron-core", 512, 512));
  REQUIRE_FALSE(result.top.empty());
  for (const auto& c : result.top) {
    const auto& l = c.config;
    // 80 layers: pp x vp chunks of whole layers (Megatron-LM validate_args), 1F1B or interleaved.
    CHECK(80 % (l.pp * l.vp) == 0);
    CHECK((l.pp == 1 || l.schedule == predictor::PipelineSchedule::kOneFOneB ||
           l.schedule == predictor::PipelineSchedule::kInterleaved));
    // DDP, the distributed optimizer, or Megatron-FSDP (optim_grads / optim_grads_params) without PP.
    CHECK((l.zero_stage == 0 || l.zero_stage == 1 || (l.zero_stage >= 2 && l.pp == 1)));
    // HSDP only as distributed-optimizer instances.
    CHECK((l.shard_replicas() == 1 || l.zero_stage == 1));
  }
  CHECK(result.stats.pruned.count("the layers do not split into pp x vp chunks the framework accepts") == 1);
}

TEST_CASE("plan under Megatron-Core: 61 layers split unevenly as an explicit per-stage layout") {
  const auto result = planner::plan(request_for("deepseek-v3", "megatron-core", 1024, 8192));
  REQUIRE_FALSE(result.top.empty());
  bool saw_uneven = false;
  for (const auto& c : result.top) {
    const auto& l = c.config;
    if (l.pp == 1) continue;
    if (61 % (l.pp * l.vp) == 0 || (l.embedding_in_split && 63 % (l.pp * l.vp) == 0)) continue;
    // Otherwise an explicit layout (Megatron --pipeline-model-parallel-layout), vp 1, summing to 61.
    REQUIRE(l.stage_layers.size() == static_cast<size_t>(l.pp));
    CHECK(l.vp == 1);
    CHECK(std::accumulate(l.stage_layers.begin(), l.stage_layers.end(), int64_t{0}) == 61);
    CHECK(*std::max_element(l.stage_layers.begin(), l.stage_layers.end()) -
              *std::min_element(l.stage_layers.begin(), l.stage_layers.end()) <= 1);
    saw_uneven = true;
  }
  CHECK(saw_uneven);
}

TEST_CASE("plan under PyTorch FSDP: no pipeline parallelism, DDP, SHARD_GRAD_OP or FSDP, and HSDP") {
  const auto result = planner::plan(request_for("llama-3.1-8b", "pytorch-fsdp", 64, 64));
  REQUIRE_FALSE(result.top.empty());
  bool hybrid = false;
  for (const auto& c : result.top) {
    CHECK(c.config.pp == 1);
    CHECK((c.config.zero_stage == 0 || c.config.zero_stage == 2 || c.config.zero_stage == 3));
    hybrid = hybrid || c.config.shard_replicas() > 1 || c.equivalents.find("shard size") != std::string::npos;
  }
  CHECK(hybrid);
  CHECK(result.stats.pruned.count("pytorch-fsdp has no pipeline parallelism") == 1);
}

TEST_CASE("plan: rows are different layouts, variants within the model's error are folded into them") {
  auto request = request_for("llama-3.1-70b", "megatron-core", 512, 512);
  request.top_k = 10;
  // The out-of-sample band of H100 Megatron runs, as `perfplan plan` uses it.
  request.band = hardware_catalog().prediction_band("H100-SXM5-80GB", "megatron");
  REQUIRE(request.band);
  const auto result = planner::plan(request);
  REQUIRE(result.top.size() == 10);
  std::set<std::tuple<int64_t, int64_t, int64_t, int64_t, int, int>> families;
  for (const auto& c : result.top) {
    families.insert({c.config.tp, c.config.pp, c.config.dp, c.config.cp, static_cast<int>(c.config.recompute),
                     c.config.zero_stage});
  }
  CHECK(families.size() == 10);
  // Within the band rows fold their vp / micro-batch / shard-size variants.
  CHECK(std::any_of(result.top.begin(), result.top.end(),
                    [](const auto& c) { return c.equivalents.find("vp ") != std::string::npos; }));
  CHECK(result.top.front().beats_next.rfind("beats #2: ", 0) == 0);
}

TEST_CASE("plan: a layout must leave the memory headroom free") {
  auto request = request_for("llama-3.1-70b", "megatron-core", 512, 512);
  request.memory_headroom_bytes = 0;
  const double gpu = request.cluster.gpu.hbm_bytes;
  const auto loose = planner::plan(request);
  request.memory_headroom_bytes = 20.0 * 1073741824.0;
  const auto tight = planner::plan(request);
  REQUIRE_FALSE(tight.top.empty());
  for (const auto& c : tight.top) CHECK(c.prediction.memory.peak.total_bytes() <= gpu - request.memory_headroom_bytes);
  CHECK(tight.stats.feasible < loose.stats.feasible);
  CHECK(tight.stats.pruned.count("leaves less than the 20 GiB memory headroom") == 1);
}

TEST_CASE("plan: a global batch no dp x mbs divides is rounded to the nearest feasible one and says so") {
  // MT-NLG 530B on 5,128 A100 (641 nodes: dp x pp x cp is 641 or a divisor of it) at 2,520 sequences.
  static const auto catalog = model::Catalog::load(model::default_catalog_directory());
  planner::PlanRequest r;
  r.architecture = catalog.find("mt-nlg-530b").architecture;
  r.framework = hardware_catalog().framework("megatron-core");
  r.cluster = hardware_catalog().cluster("dgx-a100", 5128);
  r.global_batch_size = 2520;
  r.seq_len = 2048;
  r.threads = 2;
  const auto result = planner::plan(r);
  REQUIRE_FALSE(result.top.empty());
  const auto& best = result.top.front();
  const int64_t step = best.config.dp * best.config.micro_batch_size;
  CHECK(best.config.global_batch_size % step == 0);
  // The nearest multiple of dp x mbs, at most 10% away.
  CHECK(std::abs(best.config.global_batch_size - 2520) <= step / 2);
  CHECK(best.why.find("global batch 2520 rounded to " + std::to_string(best.config.global_batch_size)) != std::string::npos);
}

TEST_CASE("plan for a deadline: the cheapest GPU count that meets it, fewer GPUs for a looser one") {
  auto request = request_for("llama-3.1-8b", "megatron-core", 256, 256);
  request.training_tokens = 1e12;
  const double day = 86400.0;
  const auto tight = planner::choose_gpu_count(request, 256, 20 * day, std::nullopt);
  const auto loose = planner::choose_gpu_count(request, 256, 200 * day, std::nullopt);
  REQUIRE(tight.gpus > 0);
  REQUIRE(loose.gpus > 0);
  CHECK(tight.met);
  CHECK(loose.met);
  CHECK(loose.gpus < tight.gpus);
  for (const auto* choice : {&tight, &loose}) {
    const double deadline = choice == &tight ? 20 * day : 200 * day;
    const auto chosen = std::find_if(choice->tried.begin(), choice->tried.end(),
                                     [&](const auto& o) { return o.gpus == choice->gpus; });
    REQUIRE(chosen != choice->tried.end());
    CHECK(chosen->time_to_train_s <= deadline);
    // No other count meets the deadline for less.
    for (const auto& o : choice->tried) {
      if (o.time_to_train_s <= deadline) CHECK(o.cost_usd >= chosen->cost_usd);
    }
  }
  // An impossible deadline: not met, the fastest count, said so.
  const auto missed = planner::choose_gpu_count(request, 256, 0.01 * day, std::nullopt);
  CHECK_FALSE(missed.met);
  CHECK(missed.summary.find("misses") != std::string::npos);
  // A budget: the fastest count within it.
  const auto within = planner::choose_gpu_count(request, 256, std::nullopt, loose.tried.back().cost_usd * 1.5);
  CHECK(within.met);
}

TEST_CASE("plan --search quick finds the exhaustive search's best, or one within 1%, for every catalog model") {
  static const auto catalog = model::Catalog::load(model::default_catalog_directory());
  int64_t same = 0, total = 0;
  double worst = 0;
  for (const auto& entry : catalog.entries()) {
    for (int64_t gpus : {64, 256}) {
      planner::PlanRequest r;
      r.architecture = entry.architecture;
      r.framework = hardware_catalog().framework("megatron-core");
      r.cluster = hardware_catalog().cluster("dgx-h100", gpus);
      r.global_batch_size = 1024;
      r.seq_len = 4096;
      r.top_k = 1;
      r.threads = 2;
      const auto full = planner::plan(r);
      r.search = planner::PlanRequest::Search::kQuick;
      const auto quick = planner::plan(r);
      REQUIRE(full.top.empty() == quick.top.empty());
      if (full.top.empty()) continue;
      ++total;
      const double a = full.top.front().prediction.tokens_per_s, b = quick.top.front().prediction.tokens_per_s;
      CHECK(b <= a * (1 + 1e-12));
      worst = std::max(worst, 1 - b / a);
      same += predictor::to_string(full.top.front().config) == predictor::to_string(quick.top.front().config) ? 1 : 0;
      CHECK_MESSAGE(b >= 0.99 * a, entry.architecture.name << " on " << gpus << ": quick " << b << " vs " << a);
      CHECK(quick.stats.evaluated < full.stats.evaluated);
    }
  }
  MESSAGE("quick search: the same best layout in " << same << " of " << total << " plans, worst " << 100 * worst << "% slower");
}
