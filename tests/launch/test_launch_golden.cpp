// Whole launch configs against golden files: every line of what each framework is given, for a
// dense layout (Llama-3.1-70B, tp 8 + sp, pp 4 x vp 5, dp 16 on 512 GPUs) and an MoE layout
// (Mixtral 8x7B with ep 8 on 64 GPUs). Regenerate with PERFPLAN_UPDATE_GOLDEN=1 after a
// deliberate change, and read the diff.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "model/catalog_fixture.hpp"
#include "perfplan/launch/launch_config.hpp"

using namespace perfplan;
using predictor::ParallelConfig;

namespace {

ParallelConfig dense_layout() {
  ParallelConfig c;
  c.tp = 8;
  c.sequence_parallel = true;
  c.pp = 4;
  c.vp = 5;
  c.schedule = predictor::PipelineSchedule::kInterleaved;
  c.dp = 16;
  c.global_batch_size = 512;
  c.seq_len = 8192;
  c.recompute = model::Recompute::kSelective;
  c.distributed_optimizer = true;
  c.zero_stage = 1;
  c.overlap_tp_comm = true;
  return c;
}

ParallelConfig moe_layout() {
  ParallelConfig c;
  c.tp = 2;
  c.sequence_parallel = true;
  c.ep = 8;
  c.pp = 2;
  c.dp = 16;
  c.micro_batch_size = 2;
  c.global_batch_size = 256;
  c.seq_len = 4096;
  c.dtype = model::DType::kFp8;
  c.distributed_optimizer = true;
  c.zero_stage = 1;
  c.overlap_moe_comm = true;
  c.moe_dispatcher = predictor::MoeDispatcher::kFlex;
  return c;
}

void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(PERFPLAN_GOLDEN_DIR) + "/" + name;
  if (std::getenv("PERFPLAN_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path) << actual;
    return;
  }
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "missing golden file " << path);
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

}  // namespace

TEST_CASE("launch golden: Llama-3.1-70B on 512 GPUs, every framework") {
  for (const auto framework : {launch::LaunchFramework::kMegatron, launch::LaunchFramework::kNemo,
                               launch::LaunchFramework::kTorchtitan}) {
    CAPTURE(launch::to_string(framework));
    check_golden("llama-3.1-70b_512_" + launch::to_string(framework) + ".txt",
                 launch::render_launch_config(framework, test::arch("llama-3.1-70b"), dense_layout(), 512, 8));
  }
}

TEST_CASE("launch golden: Mixtral 8x7B with ep 8 on 64 GPUs, every framework") {
  for (const auto framework : {launch::LaunchFramework::kMegatron, launch::LaunchFramework::kNemo,
                               launch::LaunchFramework::kTorchtitan}) {
    CAPTURE(launch::to_string(framework));
    check_golden("mixtral-8x7b_64_" + launch::to_string(framework) + ".txt",
                 launch::render_launch_config(framework, test::arch("mixtral-8x7b"), moe_layout(), 64, 8));
  }
}
