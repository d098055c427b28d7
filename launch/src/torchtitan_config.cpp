// torchtitan: a TOML job config with the sections and keys of the target release
// (launch_target; torchtitan/config/job_config.py at v0.2.2, the last release that reads TOML),
// pipeline schedule names from torch.distributed.pipelining.schedules.get_schedule_class.
#include <map>
#include <sstream>
#include <utility>

#include "launch_common.hpp"
#include "perfplan/launch/launch_config.hpp"

namespace perfplan::launch::detail {

std::string render_torchtitan(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                              const Nodes& nodes) {
  std::vector<std::string> notes;
  const bool moe_layout = moe(arch) && c.ep > 1;

  // torchtitan applies DDP only when data parallelism is the one mesh dimension ("DDP has not
  // supported > 1D parallelism"); otherwise data parallelism is FSDP / HSDP.
  const bool other_dims = c.tp > 1 || c.pp > 1 || c.cp > 1 || moe_layout;
  int64_t replicate = c.dp;
  int64_t shard = 1;
  bool reshard_never = false;
  if (c.zero_stage == 3 || c.zero_stage == 2) {
    // FSDP (ZeRO-2: parameters kept gathered from forward to backward), HSDP as replicas of the
    // shard group (data_parallel_replicate_degree x data_parallel_shard_degree).
    replicate = c.shard_replicas();
    shard = c.dp / replicate;
    reshard_never = c.zero_stage == 2;
  } else if (other_dims && c.dp > 1) {
    replicate = 1;
    shard = c.dp;
    reshard_never = true;
    const std::string predicted = c.zero_stage > 0          ? "ZeRO-" + std::to_string(c.zero_stage)
                                  : c.distributed_optimizer ? std::string("the distributed optimizer")
                                                            : std::string("DDP");
    notes.push_back("torchtitan runs DDP only when data parallelism is the only dimension: " + predicted +
                    " becomes FSDP over dp " + std::to_string(c.dp) +
                    " with parameters kept gathered after forward (ZeRO-2-like); memory and traffic differ from the "
                    "prediction");
  } else if (c.shards_optimizer() && c.dp > 1) {
    notes.push_back("ZeRO-" + std::to_string(c.zero_stage) +
                    " has no DDP form in torchtitan: this is plain DDP (use data_parallel_shard_degree for FSDP)");
  }

  std::ostringstream training;
  // Without PP a rank's batch is one micro-batch and torchtitan accumulates gradients up to the
  // global batch; with PP the rank's batch is split into micro-batches by the schedule.
  const int64_t local_batch = c.pp > 1 ? c.global_batch_size / c.dp : c.micro_batch_size;
  training << "[training]\n";
  training << "local_batch_size = " << local_batch << "\n";
  training << "global_batch_size = " << c.global_batch_size << "\n";
  training << "seq_len = " << c.seq_len << "\n";
  switch (c.dtype) {
    case model::DType::kFp32:
      training << "mixed_precision_param = \"float32\"\n";
      break;
    case model::DType::kFp16:
      notes.push_back("fp16 has no torchtitan mixed-precision setting: bfloat16 is used");
      training << "mixed_precision_param = \"bfloat16\"\n";
      break;
    case model::DType::kBf16:
    case model::DType::kFp8:
      training << "mixed_precision_param = \"bfloat16\"\n";
      break;
  }

  std::ostringstream parallelism;
  parallelism << "[parallelism]\n";
  parallelism << "data_parallel_replicate_degree = " << replicate << "\n";
  parallelism << "data_parallel_shard_degree = " << shard << "\n";
  if (reshard_never) parallelism << "fsdp_reshard_after_forward = \"never\"\n";
  parallelism << "tensor_parallel_degree = " << c.tp << "\n";
  if (c.tp > 1 && !c.sequence_parallel) {
    notes.push_back("torchtitan's tensor parallelism always shards norms and dropout along the sequence (sp)");
  }
  // Async TP needs the model compiled (torchtitan/distributed/tensor_parallel.py line 21).
  const bool async_tp = c.overlap_tp_comm && c.tp > 1;
  if (async_tp) parallelism << "enable_async_tensor_parallel = true\n";
  parallelism << "pipeline_parallel_degree = " << c.pp << "\n";
  if (c.pp > 1) {
    std::string schedule = "1F1B";
    int64_t stages_per_rank = 1;
    switch (c.schedule) {
      case PipelineSchedule::kGpipe:
        schedule = "GPipe";
        break;
      case PipelineSchedule::kOneFOneB:
        schedule = "1F1B";
        break;
      case PipelineSchedule::kInterleaved:
        if (c.vp > 1) {
          schedule = "Interleaved1F1B";
          stages_per_rank = c.vp;
        }
        break;
      case PipelineSchedule::kZeroBubbleH1:
      case PipelineSchedule::kZeroBubbleH2:
        schedule = "ZBVZeroBubble";
        stages_per_rank = 2;
        notes.push_back(
            "ZB-H1 has no one-stage-per-rank schedule in torch.distributed.pipelining: ZBVZeroBubble "
            "(zero bubble, two stages per rank in a V) is the nearest");
        break;
    }
    parallelism << "pipeline_parallel_schedule = \"" << schedule << "\"\n";
    // torchtitan counts the embedding and the output as first_stage_less_layers /
    // last_stage_less_layers (1 each by default) and needs the stages,
    // ceil((layers + those) / layers_per_stage), to divide by the pipeline degree
    // (torchtitan/distributed/pipeline_parallel.py line 85 at v0.2.2).
    const int64_t stages = c.pp * stages_per_rank;
    const int64_t counted = c.embedding_in_split ? arch.num_layers + 2 : arch.num_layers;
    if (!c.stage_layers.empty() && stages_per_rank == 1) {
      notes.push_back("uneven stages (" + megatron_stage_layout(c) +
                      "): set parallelism.module_fqns_per_model_part to those layers per stage");
    } else if (counted % stages == 0) {
      parallelism << "pipeline_parallel_layers_per_stage = " << counted / stages << "\n";
      if (!c.embedding_in_split) {
        parallelism << "pipeline_parallel_first_stage_less_layers = 0\n"
                    << "pipeline_parallel_last_stage_less_layers = 0\n";
      }
    } else {
      notes.push_back(std::to_string(arch.num_layers) + " layers do not split evenly into " + std::to_string(stages) +
                      " stages: set parallelism.module_fqns_per_model_part");
    }
    parallelism << "pipeline_parallel_microbatch_size = " << c.micro_batch_size << "\n";
  }
  parallelism << "context_parallel_degree = " << c.cp << "\n";
  if (moe(arch)) {
    parallelism << "expert_parallel_degree = " << c.ep << "\n";
    if (c.ep > 1) {
      parallelism << "expert_tensor_parallel_degree = " << c.etp << "\n";
      if (c.etp != 1 && c.etp != c.tp) {
        notes.push_back("torchtitan supports expert tensor parallelism of 1 or of tp only, not etp " +
                        std::to_string(c.etp));
      }
    }
    if (c.moe_dispatcher == predictor::MoeDispatcher::kFlex) {
      notes.push_back(
          "the flex (DeepEP / HybridEP) dispatcher is a Megatron-Core option; torchtitan uses its own "
          "all-to-all");
    }
  }
  if (!default_rank_order(c)) {
    notes.push_back("rank order " + predictor::to_string(c.rank_order) + " is not expressible: torchtitan builds its own device mesh");
  }

  std::ostringstream checkpointing;
  checkpointing << "[activation_checkpoint]\n";
  switch (c.recompute) {
    case model::Recompute::kNone:
      checkpointing << "mode = \"none\"\n";
      break;
    case model::Recompute::kSelective:
      checkpointing << "mode = \"selective\"\n"
                    << "selective_ac_option = \"op\"\n";
      notes.push_back(
          "op-level selective activation checkpointing is the nearest to perfplan's selective "
          "recompute (attention core only); their memory differs");
      break;
    case model::Recompute::kFull:
      checkpointing << "mode = \"full\"\n";
      break;
  }

  add_architecture_notes(arch, notes);
  if (nodes.count > 1) {
    notes.push_back("launch the trainer with torchrun on each of the " + std::to_string(nodes.count) + " nodes, " +
                    std::to_string(nodes.gpus_per_node) + " processes each");
  }

  // torchtitan's model registry at v0.2.2 (torchtitan/models/*/__init__.py): name and flavor.
  static const std::map<std::string, std::pair<std::string, std::string>> models = {
      {"Llama-3.1-8B", {"llama3", "8B"}},          {"Llama-3.1-70B", {"llama3", "70B"}},
      {"Llama-3.1-405B", {"llama3", "405B"}},      {"DeepSeek-V3", {"deepseek_v3", "671B"}},
      {"Qwen3-30B-A3B", {"qwen3", "30B-A3B"}},     {"Qwen3-235B-A22B", {"qwen3", "235B-A22B"}},
      {"GPT-OSS-120B", {"gpt_oss", "120b"}},
  };
  const auto known = models.find(arch.name);
  if (known == models.end()) {
    notes.push_back("torchtitan v0.2.2 has no model for " + arch.name + ": register one and set [model] name / flavor");
  } else if (c.pp > 1 && (known->second.first == "qwen3" || known->second.first == "gpt_oss")) {
    notes.push_back("torchtitan v0.2.2 has no pipeline split for " + known->second.first + " models (pipelining_fn is None)");
  }
  std::ostringstream out;
  out << "# perfplan launch config (torchtitan " << launch_target(LaunchFramework::kTorchtitan).version
      << " TOML job config; releases after v0.2.2 take Python configs, torchtitan/config/README.md): "
      << describe_layout(arch, c, num_gpus, nodes) << "\n";
  out << "# Run with CONFIG_FILE=<this file> ./run_train.sh; set [model] hf_assets_path to the tokenizer's directory.\n";
  out << comment_lines(notes) << "\n";
  out << "[job]\n"
      << "description = " << quoted("perfplan: " + arch.name) << "\n\n";
  if (known != models.end() || c.dtype == model::DType::kFp8) {
    out << "[model]\n";
    if (known != models.end()) out << "name = " << quoted(known->second.first) << "\nflavor = " << quoted(known->second.second) << "\n";
    // The converter's registered name (v0.2.0+); plain "float8" fails with a KeyError.
    if (c.dtype == model::DType::kFp8) out << "converters = [\"quantize.linear.float8\"]\n";
    out << "\n";
  }
  out << training.str() << "\n" << parallelism.str() << "\n" << checkpointing.str();
  if (async_tp) {
    out << "\n[compile]\n"
        << "enable = true\n"
        << "components = [\"model\", \"loss\"]\n";
  }
  if (c.dtype == model::DType::kFp8 && shard > 1) {
    out << "\n[quantize.linear.float8]\n"
        << "enable_fsdp_float8_all_gather = true\n"
        << "precompute_float8_dynamic_scale_for_fsdp = true\n";
  }
  return out.str();
}

}  // namespace perfplan::launch::detail
