// Megatron-Bridge (NeMo's current training stack): `key=value` overrides of a pretrain recipe on
// the command line of scripts/training/run_recipe.py (OmegaConf dotlist in struct mode: an
// unknown key is an error), with the ConfigContainer keys of the target release (launch_target):
// model.* (the GPT model provider, Megatron-Core's TransformerConfig), train.*, dataset.*, ddp.*,
// optimizer.*, checkpoint.*, mixed_precision (a recipe name), comm_overlap.
#include <map>

#include "launch_common.hpp"
#include "perfplan/launch/launch_config.hpp"

namespace perfplan::launch::detail {
namespace {

// Catalog models with a Megatron-Bridge v0.6.0 pretrain recipe (src/megatron/bridge/recipes/
// llama/h100/llama3.py, qwen/h100/qwen3_moe.py, qwen/h100/qwen3.py, deepseek/h100/deepseek_v3.py,
// gpt/h100/gpt3_175b.py, gpt_oss/h100/gpt_oss.py, llama/h100/llama2.py, qwen/h100/qwen2.py); the
// others start from vanilla_gpt_pretrain_config with their architecture as overrides.
const std::map<std::string, std::string>& bridge_recipes() {
  static const std::map<std::string, std::string> recipes = {
      {"Llama-3.1-8B", "llama31_8b_pretrain_config"},       {"Llama-3.1-70B", "llama31_70b_pretrain_config"},
      {"Llama-3.1-405B", "llama31_405b_pretrain_config"},   {"Llama-2-7B", "llama2_7b_pretrain_config"},
      {"Qwen3-30B-A3B", "qwen3_30b_a3b_pretrain_config"},   {"Qwen3-235B-A22B", "qwen3_235b_a22b_pretrain_config"},
      {"Qwen2.5-72B", "qwen25_72b_pretrain_config"},        {"DeepSeek-V3", "deepseek_v3_pretrain_config"},
      {"GPT-3 175B", "gpt3_175b_pretrain_config"},          {"GPT-OSS-120B", "gpt_oss_120b_pretrain_config"},
  };
  return recipes;
}

std::string override_value(bool v) { return v ? "true" : "false"; }

}  // namespace

std::string render_megatron_bridge(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                                   const Nodes& nodes) {
  std::vector<std::string> notes;
  std::vector<std::string> args;
  auto set = [&](const std::string& key, const std::string& v) { args.push_back(key + "=" + v); };
  const auto recipe = bridge_recipes().find(arch.name);
  const bool own_recipe = recipe != bridge_recipes().end();

  set("model.tensor_model_parallel_size", number(c.tp));
  set("model.pipeline_model_parallel_size", number(c.pp));
  set("model.virtual_pipeline_model_parallel_size", interleaved(c) ? number(c.vp) : "null");
  // Recipes with a fixed layout (deepseek_v3) keep it unless it is replaced or cleared.
  if (!c.embedding_in_split && !c.loss_in_split && !c.stage_layers.empty()) {
    set("model.pipeline_model_parallel_layout", quoted(megatron_stage_layout(c)));
  } else {
    set("model.pipeline_model_parallel_layout", "null");
  }
  set("model.account_for_embedding_in_pipeline_split", override_value(c.embedding_in_split));
  set("model.account_for_loss_in_pipeline_split", override_value(c.loss_in_split));
  if (zero_bubble(c)) {
    notes.push_back("ZB-H1 (zero-bubble) is not a Megatron-Core schedule: this runs 1F1B; the predicted time assumes "
                    "ZB-H1's deferred weight gradients");
  }
  if (c.pp > 1 && c.schedule == PipelineSchedule::kGpipe) notes.push_back("GPipe is not a Megatron-Core schedule: this runs 1F1B");
  set("model.context_parallel_size", number(c.cp));
  set("model.sequence_parallel", override_value(c.sequence_parallel && c.tp > 1));
  if (moe(arch)) {
    set("model.expert_model_parallel_size", number(c.ep));
    set("model.expert_tensor_parallel_size", number(c.etp));
    if (c.moe_dispatcher == predictor::MoeDispatcher::kFlex) {
      set("model.moe_token_dispatcher_type", "flex");
      set("model.moe_flex_dispatcher_backend", "deepep");
      set("model.moe_shared_expert_overlap", "false");
    } else {
      set("model.moe_token_dispatcher_type", "alltoall");
    }
    if (c.capacity_factor > 1.0) {
      set("model.moe_expert_capacity_factor", number(c.capacity_factor));
      set("model.moe_pad_expert_input_to_capacity", "true");
    }
    set("model.overlap_moe_expert_parallel_comm", override_value(c.overlap_moe_comm && c.ep > 1));
  }
  if (!default_rank_order(c)) {
    notes.push_back("rank order " + predictor::to_string(c.rank_order) +
                    " is not set here (Megatron-Core's default is tp-cp-ep-dp-pp)");
  }

  // Batch and sequence: run_recipe.py copies dataset.seq_length over model.seq_length.
  set("train.micro_batch_size", number(c.micro_batch_size));
  set("train.global_batch_size", number(c.global_batch_size));
  set("dataset.seq_length", number(c.seq_len));

  switch (c.recompute) {
    case model::Recompute::kNone:
      set("model.recompute_granularity", "null");
      break;
    case model::Recompute::kSelective:
      set("model.recompute_granularity", "selective");
      break;
    case model::Recompute::kFull:
      set("model.recompute_granularity", "full");
      set("model.recompute_method", "uniform");
      set("model.recompute_num_layers", "1");
      break;
  }

  // Sharding: the distributed optimizer (ddp and optimizer flags are forced equal, config.py
  // line 1953); ZeRO-2 / ZeRO-3 as Megatron-FSDP (optim_grads / optim_grads_params, fsdp_dtensor
  // checkpoints, config.py line 1098); HSDP as distributed-optimizer instances.
  const bool megatron_fsdp = c.zero_stage >= 2;
  set("ddp.use_distributed_optimizer", override_value(c.shards_optimizer()));
  set("optimizer.use_distributed_optimizer", override_value(c.shards_optimizer()));
  if (megatron_fsdp) {
    set("ddp.use_megatron_fsdp", "true");
    set("ddp.data_parallel_sharding_strategy", c.zero_stage == 3 ? "optim_grads_params" : "optim_grads");
    set("checkpoint.ckpt_format", "fsdp_dtensor");
  }
  if (c.shards_optimizer() && c.shard_replicas() > 1) {
    set("ddp.num_distributed_optimizer_instances", number(c.shard_replicas()));
  }
  set("ddp.overlap_grad_reduce", override_value(c.overlap_grad_reduce || megatron_fsdp));
  set("ddp.overlap_param_gather", override_value((c.overlap_param_gather && c.shards_optimizer()) || megatron_fsdp));
  if (c.overlap_tp_comm && c.tp > 1) {
    // comm_overlap is None in many recipes: set whole (omegaconf_utils._apply_overrides); it then
    // decides the DP overlaps itself.
    set("comm_overlap", "'{_target_:megatron.bridge.training.comm_overlap.CommOverlapConfig,tp_comm_overlap:true}'");
  }

  switch (c.dtype) {
    case model::DType::kBf16:
      set("mixed_precision", "bf16_mixed");
      break;
    case model::DType::kFp16:
      set("mixed_precision", "fp16_mixed");
      break;
    case model::DType::kFp8:
      set("mixed_precision", "bf16_with_fp8_current_scaling_mixed");
      break;
    case model::DType::kFp32:
      notes.push_back("fp32 training: set mixed_precision to a full-precision config (the recipes default to bf16_mixed)");
      break;
  }

  if (!own_recipe) {
    // No recipe for this model: the architecture as overrides of the vanilla GPT recipe.
    set("model.num_layers", number(arch.num_layers));
    set("model.hidden_size", number(arch.hidden_size));
    set("model.ffn_hidden_size", number(arch.intermediate_size));
    set("model.num_attention_heads", number(arch.num_attention_heads));
    if (arch.num_kv_heads > 0) set("model.num_query_groups", number(arch.num_kv_heads));
    if (arch.head_dim > 0) set("model.kv_channels", number(arch.head_dim));
    set("model.vocab_size", number(arch.vocab_size));
    if (arch.positions == model::PositionEncoding::kRotary) {
      set("model.position_embedding_type", "rope");
      if (arch.rope_theta > 0) set("model.rotary_base", number(arch.rope_theta));
    }
    if (arch.norm == model::NormKind::kRmsNorm) set("model.normalization", "RMSNorm");
    if (arch.norm_epsilon > 0) set("model.layernorm_epsilon", number(arch.norm_epsilon));
    if (arch.mlp_activation == model::MlpActivation::kSwiGlu) {
      set("model.gated_linear_unit", "true");
      set("model.activation_func", "silu");
    }
    set("model.add_bias_linear", override_value(arch.mlp_bias || arch.attention_output_bias));
    set("model.add_qkv_bias", override_value(arch.attention_bias));
    set("model.share_embeddings_and_output_weights", override_value(arch.tie_word_embeddings));
    set("model.qk_layernorm", override_value(arch.qk_norm));
    set("model.attention_dropout", number(arch.attention_dropout));
    set("model.hidden_dropout", number(arch.hidden_dropout));
    if (moe(arch)) {
      set("model.num_moe_experts", number(arch.moe->num_experts));
      set("model.moe_router_topk", number(arch.moe->experts_per_token));
      set("model.moe_ffn_hidden_size", number(arch.moe->expert_intermediate_size));
      if (arch.moe->shared_expert_intermediate_size > 0) {
        set("model.moe_shared_expert_intermediate_size", number(arch.moe->shared_expert_intermediate_size));
      }
      set("model.moe_grouped_gemm", "true");
    }
    notes.push_back("no Megatron-Bridge " + std::string(launch_target(LaunchFramework::kMegatronBridge).version) +
                    " recipe for " + arch.name +
                    ": the vanilla GPT recipe with the architecture as overrides; take router and "
                    "initialisation details from the model card");
  }
  add_architecture_notes(arch, notes);
  notes.push_back("--dataset mock trains on synthetic tokens: give --dataset megatron-indexed and its paths for data");
  if (nodes.count > 1) {
    notes.push_back("run on each of the " + std::to_string(nodes.count) +
                    " nodes, adding --node-rank <i> --master-addr <host> --master-port <port> to torchrun");
  }

  std::string out = "# perfplan launch config (Megatron-Bridge " +
                    std::string(launch_target(LaunchFramework::kMegatronBridge).version) +
                    " recipe overrides, scripts/training/run_recipe.py): " + describe_layout(arch, c, num_gpus, nodes) +
                    "\n" + comment_lines(notes);
  // Megatron-FSDP asserts more than one CUDA connection (config.py line 1101); TP / CP
  // communication overlap wants one so that kernels keep their order (Megatron-Core).
  if (megatron_fsdp) {
    out += "export CUDA_DEVICE_MAX_CONNECTIONS=8\n";
  } else if (c.tp > 1 || c.cp > 1) {
    out += "export CUDA_DEVICE_MAX_CONNECTIONS=1\n";
  }
  out += "torchrun --nnodes " + std::to_string(nodes.count) + " --nproc-per-node " + std::to_string(nodes.gpus_per_node) +
         " scripts/training/run_recipe.py --recipe " +
         (own_recipe ? recipe->second : std::string("vanilla_gpt_pretrain_config")) + " --mode pretrain --dataset mock";
  for (const auto& arg : args) out += " \\\n    " + arg;
  return out + "\n";
}

}  // namespace perfplan::launch::detail
