// Emitted Megatron-LM commands against Megatron-LM's own flags (launch/schemas, read from
// megatron/training/arguments.py at a named commit): every planned top layout of the catalog's
// models on DGX-H100, DGX-A100 and a mixed A100 + H100 cluster parses and passes its checks.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "perfplan/hardware/hardware.hpp"
#include "perfplan/launch/flag_schema.hpp"
#include "perfplan/launch/launch_config.hpp"
#include "perfplan/model/catalog.hpp"
#include "perfplan/planner/plan.hpp"

using namespace perfplan;

namespace {

const launch::FlagSchema& megatron_schema() {
  static const launch::FlagSchema schema =
      launch::load_flag_schema(launch::default_schema_directory() / "megatron-lm-core_v0.14.0.json");
  return schema;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("flag schema: the checker catches unknown flags, wrong kinds, missing companions and divisibility") {
  launch::FlagSchema s;
  s.framework = "megatron-lm";
  s.version = "test";
  s.flags["--tensor-model-parallel-size"] = {"int", {}, ""};
  s.flags["--num-attention-heads"] = {"int", {}, ""};
  s.flags["--sequence-parallel"] = {"switch", {}, ""};
  s.flags["--tp-comm-overlap"] = {"switch", {}, ""};
  s.flags["--attention-backend"] = {"choice", {"flash", "fused", "auto"}, ""};
  launch::FlagSchema::Requires sp;
  sp.if_flags = {"--tp-comm-overlap"};
  sp.then_any = {"--sequence-parallel"};
  s.requires_flags.push_back(sp);
  launch::FlagSchema::Divides heads;
  heads.divisor = {"--tensor-model-parallel-size"};
  heads.of = "--num-attention-heads";
  s.divides.push_back(heads);
  const std::string good = "torchrun --nproc_per_node 8 pretrain_gpt.py \\\n    --tensor-model-parallel-size 8 \\\n"
                           "    --num-attention-heads 64 \\\n    --sequence-parallel \\\n    --tp-comm-overlap\n";
  CHECK(launch::check_command(s, good).empty());
  const auto bad = launch::check_command(
      s, "torchrun pretrain_gpt.py --tensor-model-parallel-size 3 --num-attention-heads 64 --tp-comm-overlap "
         "--attention-backend cudnn --use-flash-attn --tensor-model-parallel-size x");
  std::string all;
  for (const auto& p : bad) all += p + "\n";
  INFO(all);
  CHECK(contains(all, "--tp-comm-overlap requires --sequence-parallel"));
  CHECK(contains(all, "--attention-backend: 'cudnn' is not one of its choices"));
  CHECK(contains(all, "--use-flash-attn: not a megatron-lm test flag"));
  CHECK(contains(all, "--tensor-model-parallel-size given twice"));
  CHECK(contains(all, "--tensor-model-parallel-size: 'x' is not a int"));
  const auto heads_problem =
      launch::check_command(s, "torchrun pretrain_gpt.py --tensor-model-parallel-size 3 --num-attention-heads 64");
  REQUIRE(heads_problem.size() == 1);
  CHECK(heads_problem.front() == "--num-attention-heads (64) must divide by --tensor-model-parallel-size (3)");
}

TEST_CASE("flag schema: the top planned layout's Megatron-LM command passes Megatron-LM's flags, for every catalog model") {
  const auto& schema = megatron_schema();
  REQUIRE(schema.flags.size() > 200);
  static const auto catalog = model::Catalog::load(model::default_catalog_directory());
  static const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  struct Target {
    std::string cluster;
    int64_t gpus;
  };
  for (const auto& entry : catalog.entries()) {
    const model::Architecture& arch = entry.architecture;
    for (const Target& t : {Target{"dgx-h100", 512}, Target{"dgx-a100", 256}, Target{"dgx-a100:128,dgx-h100:128", 0}}) {
      planner::PlanRequest r;
      r.architecture = arch;
      r.framework = hardware.framework("megatron-core");
      r.cluster = t.gpus > 0 ? hardware.cluster(t.cluster, t.gpus) : hardware.heterogeneous_cluster(t.cluster);
      r.global_batch_size = 1024;
      r.seq_len = 4096;
      r.top_k = 1;
      r.threads = 2;
      const auto result = planner::plan(r);
      if (result.top.empty()) continue;  // nothing fits (e.g. the largest models on 256 A100)
      const auto& c = result.top.front().config;
      INFO(arch.name << " on " << t.cluster << ": " << predictor::to_string(c));
      const std::string command =
          launch::render_launch_config(launch::LaunchFramework::kMegatron, arch, c, r.cluster.num_gpus, 8);
      std::string problems;
      for (const auto& p : launch::check_command(schema, command)) problems += p + "\n";
      CHECK_MESSAGE(problems.empty(), problems);
      // The layer split is one Megatron accepts: whole chunks, chunks with the embedding and loss
      // counted, or an explicit layout.
      const int64_t chunks = c.pp * c.vp;
      const bool even = arch.num_layers % chunks == 0;
      const bool counted = contains(command, "--account-for-embedding-in-pipeline-split") && (arch.num_layers + 2) % chunks == 0;
      const bool explicit_layout = contains(command, "--pipeline-model-parallel-layout") && c.vp == 1;
      CHECK((c.pp == 1 || even || counted || explicit_layout));
    }
  }
}

TEST_CASE("flag schema: Llama-3.1-70B / 405B, Mixtral-8x7B, Qwen3-30B-A3B and DeepSeek-V3 on DGX-H100 and A100 + H100: commands pass, splits Megatron accepts") {
  const auto& schema = megatron_schema();
  static const auto catalog = model::Catalog::load(model::default_catalog_directory());
  static const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  for (const char* name : {"llama-3.1-70b", "llama-3.1-405b", "mixtral-8x7b", "qwen3-30b-a3b", "deepseek-v3"}) {
    const model::Architecture& arch = catalog.find(name).architecture;
    for (const std::string cluster : {"dgx-h100:1024", "dgx-a100:512,dgx-h100:512"}) {
      planner::PlanRequest r;
      r.architecture = arch;
      r.framework = hardware.framework("megatron-core");
      r.cluster = cluster.find(',') != std::string::npos ? hardware.heterogeneous_cluster(cluster)
                                                         : hardware.cluster("dgx-h100", 1024);
      r.global_batch_size = 2048;
      r.seq_len = 4096;
      r.top_k = 1;
      r.threads = 2;
      const auto result = planner::plan(r);
      REQUIRE_FALSE(result.top.empty());
      const auto& c = result.top.front().config;
      const std::string command = launch::render_launch_config(launch::LaunchFramework::kMegatron, arch, c, r.cluster.num_gpus, 8);
      std::string problems;
      for (const auto& p : launch::check_command(schema, command)) problems += p + "\n";
      CHECK_MESSAGE(problems.empty(), problems);
      // The split, as Megatron takes it.
      const int64_t chunks = c.pp * c.vp;
      std::string split;
      if (c.pp == 1) {
        split = "no pipeline";
      } else if (!c.stage_layers.empty()) {
        CHECK(contains(command, "--pipeline-model-parallel-layout"));
        for (int64_t l : c.stage_layers) split += (split.empty() ? "" : "|") + std::to_string(l);
        split = "explicit layout " + split + " layers per stage";
      } else if (c.embedding_in_split) {
        CHECK((arch.num_layers + 2) % chunks == 0);
        CHECK(contains(command, "--account-for-embedding-in-pipeline-split"));
        split = "(" + std::to_string(arch.num_layers) + " + embedding + loss) / " + std::to_string(chunks) + " chunks = " +
                std::to_string((arch.num_layers + 2) / chunks) + " per chunk";
      } else {
        CHECK(arch.num_layers % chunks == 0);
        split = std::to_string(arch.num_layers) + " / " + std::to_string(chunks) + " chunks = " +
                std::to_string(arch.num_layers / chunks) + " per chunk";
      }
      MESSAGE(arch.name << " on " << cluster << ": " << predictor::to_string(c) << "; split " << split);
    }
  }
}
