// Emitted Megatron-Bridge overrides, NeMo 2.0 recipe lines and torchtitan TOML configs against the
// frameworks' own keys and checks (launch/schemas, read from their sources at a named commit): the
// top planned layout of every catalog model, planned under that framework's profile, on DGX-H100,
// DGX-A100 and a mixed A100 + H100 cluster, passes; and the checker itself catches what it should.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "perfplan/hardware/hardware.hpp"
#include "perfplan/launch/config_schema.hpp"
#include "perfplan/launch/flag_schema.hpp"
#include "perfplan/launch/launch_config.hpp"
#include "perfplan/model/catalog.hpp"
#include "perfplan/planner/plan.hpp"

using namespace perfplan;
using launch::ConfigForm;
using launch::LaunchFramework;

namespace {

const launch::ConfigSchema& schema_of(LaunchFramework f) {
  static const auto bridge = launch::load_config_schema(launch::default_schema_directory() /
                                                        launch::launch_target(LaunchFramework::kMegatronBridge).schema);
  static const auto nemo =
      launch::load_config_schema(launch::default_schema_directory() / launch::launch_target(LaunchFramework::kNemo).schema);
  static const auto titan = launch::load_config_schema(launch::default_schema_directory() /
                                                       launch::launch_target(LaunchFramework::kTorchtitan).schema);
  return f == LaunchFramework::kMegatronBridge ? bridge : f == LaunchFramework::kNemo ? nemo : titan;
}

ConfigForm form_of(LaunchFramework f) {
  return f == LaunchFramework::kMegatronBridge ? ConfigForm::kOverrides
         : f == LaunchFramework::kNemo         ? ConfigForm::kPythonRecipe
                                               : ConfigForm::kToml;
}

// What the config leaves to the recipe (the model's architecture) or the launcher.
std::map<std::string, std::string> facts_for(LaunchFramework f, const model::Architecture& a, int64_t gpus) {
  std::map<std::string, std::string> facts = {{"WORLD_SIZE", std::to_string(gpus)}};
  const std::string model = f == LaunchFramework::kNemo ? "model.config." : "model.";
  if (f == LaunchFramework::kTorchtitan) return facts;
  facts[model + "num_layers"] = std::to_string(a.num_layers);
  facts[model + "hidden_size"] = std::to_string(a.hidden_size);
  facts[model + "num_attention_heads"] = std::to_string(a.num_attention_heads);
  facts[model + "ffn_hidden_size"] = std::to_string(a.intermediate_size);
  if (a.num_kv_heads > 0 && !a.mla) facts[model + "num_query_groups"] = std::to_string(a.num_kv_heads);
  if (a.moe) facts[model + "num_moe_experts"] = std::to_string(a.moe->num_experts);
  facts[model + "add_bias_linear"] = a.mlp_bias || a.attention_output_bias ? "true" : "false";
  if (f == LaunchFramework::kNemo) facts["trainer.strategy.ddp"] = "run.Config(DistributedDataParallelConfig)";
  return facts;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("config schema: unknown keys, wrong kinds, repeated keys, requirements, divisibility and products") {
  launch::ConfigSchema s;
  s.framework = "test";
  s.version = "1";
  s.keys["parallelism.tensor_parallel_degree"] = {"int", {}, false, ""};
  s.keys["parallelism.data_parallel_shard_degree"] = {"int", {}, false, ""};
  s.keys["parallelism.pipeline_parallel_schedule"] = {"choice", {"1F1B", "Interleaved1F1B"}, false, ""};
  s.keys["training.seq_len"] = {"int", {}, false, ""};
  s.keys["training.compile"] = {"bool", {}, false, ""};
  s.keys["parallelism.enable_async_tensor_parallel"] = {"bool", {}, false, ""};
  launch::ConfigSchema::Requires async;
  async.if_keys = {"parallelism.enable_async_tensor_parallel"};
  async.if_value = "true";
  async.then = "training.compile";
  async.value = "true";
  s.requires_keys.push_back(async);
  s.divides.push_back({{"parallelism.tensor_parallel_degree", "2"}, {"training.seq_len"}, "", "parallelize.py line 69"});
  s.products.push_back({{"parallelism.tensor_parallel_degree", "parallelism.data_parallel_shard_degree"}, "WORLD_SIZE", "parallel_dims.py line 53"});
  const std::map<std::string, std::string> world = {{"WORLD_SIZE", "16"}};
  const std::string good = "[parallelism]\ntensor_parallel_degree = 8\ndata_parallel_shard_degree = 2\n"
                           "pipeline_parallel_schedule = \"1F1B\"\n[training]\nseq_len = 4096\n";
  const auto ok = launch::check_config(s, ConfigForm::kToml, good, world);
  CHECK_MESSAGE(ok.problems.empty(), joined(ok.problems));
  CHECK(ok.checked == 2);
  const std::string bad = "[parallelism]\ntensor_parallel_degree = 8\ndata_parallel_shard_degree = 4\n"
                          "pipeline_parallel_schedule = \"ZB\"\nenable_async_tensor_parallel = true\n"
                          "tensor_parallel_degree = 8\n[training]\nseq_len = 4100\nsteps = 10\n";
  const std::string all = joined(launch::check_config(s, ConfigForm::kToml, bad, world).problems);
  INFO(all);
  CHECK(all.find("parallelism.tensor_parallel_degree set twice") != std::string::npos);
  CHECK(all.find("parallelism.pipeline_parallel_schedule: \"ZB\" is not a choice of its choices") != std::string::npos);
  CHECK(all.find("training.steps: not a test 1 key") != std::string::npos);
  CHECK(all.find("requires training.compile") != std::string::npos);
  CHECK(all.find("training.seq_len (4100) must divide by parallelism.tensor_parallel_degree x 2 (16)") != std::string::npos);
  CHECK(all.find("(32) must equal WORLD_SIZE (16)") != std::string::npos);
}

TEST_CASE("config schema: the three forms parse as the frameworks read them") {
  const auto python = launch::parse_config(ConfigForm::kPythonRecipe,
                                           "import torch\nrecipe.trainer.devices = 8\n"
                                           "recipe.trainer.callbacks.append(run.Config(X, a=True))\n");
  REQUIRE(python.size() == 2);
  CHECK(python[0] == std::pair<std::string, std::string>{"trainer.devices", "8"});
  CHECK(python[1].first == "trainer.callbacks");
  const auto overrides = launch::parse_config(
      ConfigForm::kOverrides, "export A=1\ntorchrun --nnodes 2 run_recipe.py --recipe r --mode pretrain \\\n    model.tp=8 \\\n    train.gbs=64\n");
  REQUIRE(overrides.size() == 2);
  CHECK(overrides[1] == std::pair<std::string, std::string>{"train.gbs", "64"});
  const auto toml = launch::parse_config(ConfigForm::kToml, "[quantize.linear.float8]\nemulate = false\n");
  REQUIRE(toml.size() == 1);
  CHECK(toml[0].first == "quantize.linear.float8.emulate");
}

TEST_CASE("config schema: every catalog model's top layout, as Megatron-Bridge, NeMo and torchtitan config, passes its framework's checks") {
  static const auto catalog = model::Catalog::load(model::default_catalog_directory());
  static const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  for (LaunchFramework f : {LaunchFramework::kMegatronBridge, LaunchFramework::kNemo, LaunchFramework::kTorchtitan}) {
    const auto& schema = schema_of(f);
    REQUIRE(schema.keys.size() > 100);
    CHECK(schema.version == launch::launch_target(f).version);
    const std::string profile = f == LaunchFramework::kMegatronBridge ? "megatron-bridge"
                                : f == LaunchFramework::kNemo         ? "nemo"
                                                                      : "torchtitan";
    int64_t checked = 0;
    for (const auto& entry : catalog.entries()) {
      const model::Architecture& arch = entry.architecture;
      for (const std::string cluster : {"dgx-h100:512", "dgx-a100:256", "dgx-a100:128,dgx-h100:128"}) {
        planner::PlanRequest r;
        r.architecture = arch;
        r.framework = hardware.framework(profile);
        const size_t colon = cluster.find(':');
        r.cluster = cluster.find(',') != std::string::npos
                        ? hardware.heterogeneous_cluster(cluster)
                        : hardware.cluster(cluster.substr(0, colon), std::stoll(cluster.substr(colon + 1)));
        r.global_batch_size = 1024;
        r.seq_len = 4096;
        r.top_k = 1;
        r.threads = 2;
        const auto result = planner::plan(r);
        if (result.top.empty()) continue;
        const auto& c = result.top.front().config;
        INFO(profile << ": " << arch.name << " on " << cluster << ": " << predictor::to_string(c));
        const std::string text = launch::render_launch_config(f, arch, c, r.cluster.num_gpus, 8);
        if (f == LaunchFramework::kTorchtitan && text.find("\nname = ") == std::string::npos) {
          // A model torchtitan does not define: the config says so instead of naming one.
          CHECK(text.find("torchtitan v0.2.2 has no model for " + arch.name) != std::string::npos);
          continue;
        }
        CHECK(text.find(std::string(launch::launch_target(f).name) + " " + launch::launch_target(f).version) !=
              std::string::npos);
        const auto check = launch::check_config(schema, form_of(f), text, facts_for(f, arch, r.cluster.num_gpus));
        if (text.find("cannot run this model") != std::string::npos) {
          // The release cannot run the model and the config says so; its checks agree.
          CHECK_FALSE(check.problems.empty());
          continue;
        }
        const std::string report = joined(check.problems) + text;
        CHECK_MESSAGE(check.problems.empty(), report);
        if (f == LaunchFramework::kTorchtitan && c.pp > 1) {
          // torchtitan's stage count, ceil((layers + first_less + last_less) / layers_per_stage)
          // with first/last_stage_less_layers 1 by default, divides by the pipeline degree
          // (torchtitan/distributed/pipeline_parallel.py line 85); a single-stage schedule needs
          // exactly one stage per rank.
          std::map<std::string, std::string> set;
          for (const auto& [k, v] : launch::parse_config(ConfigForm::kToml, text)) set[k] = v;
          const auto get = [&](const std::string& k, int64_t fallback) {
            return set.count(k) ? std::stoll(set.at(k)) : fallback;
          };
          const int64_t per_stage = get("parallelism.pipeline_parallel_layers_per_stage", 0);
          if (per_stage > 0) {
            const int64_t counted = arch.num_layers + get("parallelism.pipeline_parallel_first_stage_less_layers", 1) +
                                    get("parallelism.pipeline_parallel_last_stage_less_layers", 1);
            const int64_t stages = (counted + per_stage - 1) / per_stage;
            CHECK_MESSAGE(stages % c.pp == 0, report);
            const bool single = set.at("parallelism.pipeline_parallel_schedule") == "\"1F1B\"" ||
                                set.at("parallelism.pipeline_parallel_schedule") == "\"GPipe\"";
            if (single) CHECK(stages == c.pp);
          }
        }
        checked += check.checked;
      }
    }
    MESSAGE(profile << ": " << checked << " constraint evaluations over the catalog");
    CHECK(checked > 100);
  }
}
