// NeMo 2.0: overrides applied to the model's pretrain recipe (a nemo_run Partial), with the
// attribute paths of the target release (launch_target): MegatronStrategy arguments, its DDP
// config, the data module, the model's TransformerConfig, the optimizer config, the precision
// plugin factories of nemo/collections/llm/recipes/precision/mixed_precision.py.
#include "launch_common.hpp"
#include "perfplan/launch/launch_config.hpp"

namespace perfplan::launch::detail {

std::string render_nemo(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                        const Nodes& nodes) {
  std::vector<std::string> notes;
  std::vector<std::string> imports = {"import nemo_run as run"};
  std::vector<std::string> lines;
  auto set = [&](const std::string& key, const std::string& v) { lines.push_back("recipe." + key + " = " + v); };

  set("trainer.num_nodes", number(nodes.count));
  set("trainer.devices", number(nodes.gpus_per_node));

  set("trainer.strategy.tensor_model_parallel_size", number(c.tp));
  set("trainer.strategy.pipeline_model_parallel_size", number(c.pp));
  set("trainer.strategy.virtual_pipeline_model_parallel_size", interleaved(c) ? number(c.vp) : "None");
  // The layer split, on the strategy (it copies it over the model config when it connects,
  // nemo/lightning/_strategy_lib.py): embedding and loss counted as layers, or an explicit layout.
  if (c.embedding_in_split) set("trainer.strategy.account_for_embedding_in_pipeline_split", "True");
  if (c.loss_in_split) set("trainer.strategy.account_for_loss_in_pipeline_split", "True");
  if (!c.embedding_in_split && !c.loss_in_split && !c.stage_layers.empty()) {
    set("trainer.strategy.pipeline_model_parallel_layout", quoted(megatron_stage_layout(c)));
  }
  if (zero_bubble(c)) {
    notes.push_back(
        "ZB-H1 (zero-bubble) is not a NeMo / Megatron-Core schedule: this runs 1F1B; the predicted time "
        "assumes ZB-H1's deferred weight gradients");
  }
  if (c.pp > 1 && c.schedule == PipelineSchedule::kGpipe) {
    notes.push_back("GPipe is not a NeMo / Megatron-Core schedule: this runs 1F1B");
  }
  if (c.pp > 1 && c.dtype != model::DType::kFp32) {
    imports.push_back("import torch");
    set("trainer.strategy.pipeline_dtype", c.dtype == model::DType::kFp16 ? "torch.half" : "torch.bfloat16");
  }
  set("trainer.strategy.context_parallel_size", number(c.cp));
  set("trainer.strategy.sequence_parallel", python_bool(c.sequence_parallel && c.tp > 1));
  if (moe(arch) && (arch.mlp_bias || arch.attention_output_bias)) {
    notes.push_back("NeMo " + std::string(launch_target(LaunchFramework::kNemo).version) +
                    " cannot run this model: Megatron-Core 0.13 rejects linear biases in MoE layers ('Bias is not "
                    "supported for MoE', transformer_config.py line 1101); use Megatron-Bridge");
  }
  if (moe(arch)) {
    set("trainer.strategy.expert_model_parallel_size", number(c.ep));
    set("trainer.strategy.expert_tensor_parallel_size", number(c.etp));
    if (c.moe_dispatcher == predictor::MoeDispatcher::kFlex) {
      set("model.config.moe_token_dispatcher_type", "\"flex\"");
      set("model.config.moe_enable_deepep", "True");
      // The shared-expert overlap works with the all-to-all dispatcher only
      // (megatron/core/transformer/transformer_config.py, core_v0.13.0 line 739).
      set("model.config.moe_shared_expert_overlap", "False");
    } else {
      set("model.config.moe_token_dispatcher_type", "\"alltoall\"");
      notes.push_back(
          "a recipe with a DeepEPCallback (deepseek_v3) switches to the flex dispatcher on A100 / H100: "
          "remove it from recipe.trainer.callbacks to keep alltoall");
    }
    if (c.capacity_factor > 1.0) {
      notes.push_back("capacity factor " + number(c.capacity_factor) +
                      ": set the model config's expert capacity factor with padding (Megatron "
                      "--moe-expert-capacity-factor, --moe-pad-expert-input-to-capacity)");
    }
    if (c.overlap_moe_comm && c.ep > 1) {
      notes.push_back(
          "EP all-to-all overlap has no switch in NeMo " + std::string(launch_target(LaunchFramework::kNemo).version) +
          " (Megatron-Core 0.13; overlap_moe_expert_parallel_comm arrives in core_v0.14.0): the prediction assumes it");
    }
  }
  if (!default_rank_order(c)) {
    notes.push_back("rank order " + predictor::to_string(c.rank_order) +
                    " is not set here (Megatron-Core's default is "
                    "tp-cp-ep-dp-pp)");
  }

  set("data.micro_batch_size", number(c.micro_batch_size));
  set("data.global_batch_size", number(c.global_batch_size));
  set("data.seq_length", number(c.seq_len));
  set("model.config.seq_length", number(c.seq_len));

  switch (c.recompute) {
    case model::Recompute::kNone:
      set("model.config.recompute_granularity", "None");
      set("model.config.recompute_method", "None");
      set("model.config.recompute_num_layers", "None");
      break;
    case model::Recompute::kSelective:
      set("model.config.recompute_granularity", "\"selective\"");
      set("model.config.recompute_method", "None");
      set("model.config.recompute_num_layers", "None");
      break;
    case model::Recompute::kFull:
      set("model.config.recompute_granularity", "\"full\"");
      set("model.config.recompute_method", "\"uniform\"");
      set("model.config.recompute_num_layers", "1");
      break;
  }

  set("optim.config.use_distributed_optimizer", python_bool(c.shards_optimizer()));
  // ZeRO-2 / ZeRO-3 as Megatron-Core's custom FSDP (strategy fsdp="megatron", the DDP config's
  // optim_grads / optim_grads_params sharding, both overlaps on: fully_sharded_data_parallel.py
  // lines 202-204 at core_v0.13.0); HSDP as distributed-optimizer instances.
  const bool megatron_fsdp = c.zero_stage >= 2;
  if (megatron_fsdp) {
    set("trainer.strategy.fsdp", "\"megatron\"");
    set("trainer.strategy.ddp.data_parallel_sharding_strategy",
        c.zero_stage == 3 ? "\"optim_grads_params\"" : "\"optim_grads\"");
  }
  if (c.shards_optimizer() && c.shard_replicas() > 1) {
    set("trainer.strategy.num_distributed_optimizer_instances", number(c.shard_replicas()));
  }
  const bool grad_overlap = c.overlap_grad_reduce || megatron_fsdp;
  const bool param_overlap = (c.overlap_param_gather && c.shards_optimizer()) || megatron_fsdp;
  set("trainer.strategy.ddp.overlap_grad_reduce", python_bool(grad_overlap));
  set("trainer.strategy.ddp.overlap_param_gather", python_bool(param_overlap));
  if (c.overlap_tp_comm && c.tp > 1) {
    // The callback decides the DP overlaps itself unless given them
    // (nemo/lightning/pytorch/callbacks/megatron_comm_overlap.py lines 168-195).
    imports.push_back("from nemo.lightning.pytorch.callbacks.megatron_comm_overlap import MegatronCommOverlapCallback");
    lines.push_back("recipe.trainer.callbacks.append(run.Config(MegatronCommOverlapCallback, tp_comm_overlap=True, "
                    "overlap_grad_reduce=" + python_bool(grad_overlap) + ", overlap_param_gather=" +
                    python_bool(param_overlap) + "))");
  }

  const std::string precision_module = "from nemo.collections.llm.recipes.precision.mixed_precision import ";
  switch (c.dtype) {
    case model::DType::kBf16:
      imports.push_back(precision_module + "bf16_mixed");
      set("trainer.plugins", "bf16_mixed()");
      break;
    case model::DType::kFp16:
      imports.push_back(precision_module + "fp16_mixed");
      set("trainer.plugins", "fp16_mixed()");
      break;
    case model::DType::kFp8:
      imports.push_back(precision_module + "bf16_with_fp8_mixed");
      set("trainer.plugins", "bf16_with_fp8_mixed()");
      break;
    case model::DType::kFp32:
      notes.push_back("fp32 training: keep a full-precision plugin (the recipes default to bf16_mixed())");
      break;
  }
  add_architecture_notes(arch, notes);

  std::string out = "# perfplan launch config (NeMo " + std::string(launch_target(LaunchFramework::kNemo).version) +
                    " recipe overrides): " + describe_layout(arch, c, num_gpus, nodes) + "\n";
  out += "# Apply to the NeMo pretrain recipe for " + one_line(arch.name) +
         " (recipe = llm.<model>.pretrain_recipe(...)); the architecture comes from the recipe's model config.\n";
  out += comment_lines(notes);
  for (const auto& line : imports) out += line + "\n";
  out += "\n";
  for (const auto& line : lines) out += line + "\n";
  return out;
}

}  // namespace perfplan::launch::detail
