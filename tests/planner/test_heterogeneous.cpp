// Mixed clusters: stages placed on GPU types with layers in proportion to speed, or replicas on
// each type with the batch split by speed; the predictor runs each stage on its own GPU.
#include <doctest/doctest.h>

#include <numeric>

#include "perfplan/model/catalog.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/planner/plan.hpp"



using namespace perfplan;

namespace {

const model::Catalog& catalog() {
  static const auto c = model::Catalog::load(model::default_catalog_directory());
  return c;
}
const hardware::HardwareCatalog& hardware_catalog() {
  static const auto h = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  return h;
}

}  // namespace

TEST_CASE("mixed cluster: parts, GPU count and the slower scale-out network") {
  const auto mixed = hardware_catalog().heterogeneous_cluster("dgx-a100:64,dgx-h100:64");
  REQUIRE(mixed.parts.size() == 2);
  CHECK(mixed.num_gpus == 128);
  CHECK(mixed.parts[0].gpu.name == "A100-SXM4-80GB");
  CHECK(mixed.parts[1].gpu.name == "H100-SXM5-80GB");
  CHECK(mixed.inter_node.name == "ib-hdr");  // HDR (A100 nodes) is slower than NDR
  CHECK_THROWS_AS(hardware_catalog().heterogeneous_cluster("dgx-a100:64"), InputError);
  CHECK_THROWS_AS(hardware_catalog().heterogeneous_cluster("dgx-a100:six,dgx-h100:64"), InputError);
}

TEST_CASE("predictor: each pipeline stage runs on its own GPU type") {
  const auto& arch = catalog().find("llama-3.1-8b").architecture;
  const auto mixed = hardware_catalog().heterogeneous_cluster("dgx-a100:8,dgx-h100:8");
  predictor::ParallelConfig c;
  c.tp = 8;
  c.sequence_parallel = true;
  c.pp = 2;
  c.dp = 1;
  c.global_batch_size = 16;
  c.seq_len = 4096;
  c.stage_part = {1, 0};  // stage 0 on H100, stage 1 on A100
  c.stage_layers = {16, 16};
  const auto even = predictor::predict(arch, mixed, hardware_catalog().framework(), c).value();
  c.stage_layers = {24, 8};  // more layers on the faster GPU
  const auto by_speed = predictor::predict(arch, mixed, hardware_catalog().framework(), c).value();
  CHECK(by_speed.iteration_time_s < even.iteration_time_s);
  c.stage_part = {1, 1};  // both stages on the H100 part: but that part has only 8 GPUs
  const auto wrong = predictor::predict(arch, mixed, hardware_catalog().framework(), c);
  REQUIRE_FALSE(wrong.feasible());
  CHECK(wrong.infeasible().kind == predictor::InfeasibleKind::kPlacement);
}

TEST_CASE("plan on a mixed cluster: layers follow speed, split data parallelism is searched too") {
  planner::PlanRequest r;
  r.architecture = catalog().find("llama-3.1-8b").architecture;
  r.framework = hardware_catalog().framework();
  r.cluster = hardware_catalog().heterogeneous_cluster("dgx-a100:64,dgx-h100:64");
  r.global_batch_size = 512;
  r.seq_len = 4096;
  r.top_k = 100000;
  const auto result = planner::plan(r);
  REQUIRE_FALSE(result.top.empty());
  bool pipeline_seen = false, split_seen = false;
  for (const auto& c : result.top) {
    if (!c.config.stage_part.empty()) {
      pipeline_seen = true;
      const auto& layers = c.config.stage_layers;
      CHECK(std::accumulate(layers.begin(), layers.end(), int64_t{0}) == r.architecture.num_layers);
    }
    if (!c.per_part.empty()) {
      split_seen = true;
      // The faster part takes the larger share of the batch.
      CHECK(c.per_part[1].global_batch_size > c.per_part[0].global_batch_size);
      CHECK(c.per_part[0].global_batch_size + c.per_part[1].global_batch_size == r.global_batch_size);
    }
  }
  CHECK(pipeline_seen);
  CHECK(split_seen);
  const auto& best = result.top.front();
  if (!best.config.stage_part.empty() && best.config.pp == 2) {
    // Stage on the H100 part (part 1) holds more layers than the one on the A100 part.
    const size_t h100_stage = best.config.stage_part[0] == 1 ? 0 : 1;
    CHECK(best.config.stage_layers[h100_stage] > best.config.stage_layers[1 - h100_stage]);
  }
}
