// Megatron-LM: pretrain_gpt.py flags under torchrun, as megatron/training/arguments.py at the
// target release (launch_target) defines them.
#include <algorithm>
#include <cmath>

#include "launch_common.hpp"
#include "perfplan/launch/launch_config.hpp"

namespace perfplan::launch::detail {

std::string render_megatron_lm(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                            const Nodes& nodes) {
  std::vector<std::string> notes;
  std::vector<std::string> args;
  auto flag = [&](const std::string& name) { args.push_back(name); };
  auto value = [&](const std::string& name, const std::string& v) { args.push_back(name + " " + v); };

  // Parallel layout.
  value("--tensor-model-parallel-size", number(c.tp));
  value("--pipeline-model-parallel-size", number(c.pp));
  if (c.embedding_in_split || c.loss_in_split) {
    // (layers + embedding + loss) / (pp x vp) per chunk (megatron/training/arguments.py,
    // --account-for-embedding-in-pipeline-split / --account-for-loss-in-pipeline-split).
    if (c.embedding_in_split) flag("--account-for-embedding-in-pipeline-split");
    if (c.loss_in_split) flag("--account-for-loss-in-pipeline-split");
    if (interleaved(c)) value("--num-virtual-stages-per-pipeline-rank", number(c.vp));
  } else if (!c.stage_layers.empty()) {
    value("--pipeline-model-parallel-layout", quoted(megatron_stage_layout(c)));
  } else if (interleaved(c)) {
    const int64_t chunks = c.pp * c.vp;
    if (arch.num_layers % chunks == 0) {
      value("--num-layers-per-virtual-pipeline-stage", number(arch.num_layers / chunks));
    } else {
      value("--num-virtual-stages-per-pipeline-rank", number(c.vp));
      notes.push_back(std::to_string(arch.num_layers) + " layers do not split evenly into pp x vp = " +
                      std::to_string(chunks) + " chunks (perfplan gives the first chunks one more layer): " +
                      "set the split with --pipeline-model-parallel-layout");
    }
  } else if (c.pp > 1 && arch.num_layers % c.pp != 0) {
    notes.push_back(std::to_string(arch.num_layers) + " layers do not split evenly over pp " + std::to_string(c.pp) +
                    " (perfplan gives the first stages one more layer): set --decoder-first-pipeline-num-layers / "
                    "--decoder-last-pipeline-num-layers or --pipeline-model-parallel-layout");
  }
  if (zero_bubble(c)) {
    notes.push_back(
        "ZB-H1 (zero-bubble) is not a Megatron-LM flag: this command runs 1F1B; the predicted time "
        "assumes ZB-H1's deferred weight gradients");
  }
  if (c.pp > 1 && c.schedule == PipelineSchedule::kGpipe) {
    notes.push_back(
        "GPipe is not a Megatron-LM schedule: this command runs 1F1B (same bubble, fewer micro-batches "
        "held in flight than predicted)");
  }
  value("--context-parallel-size", number(c.cp));
  if (moe(arch)) {
    value("--expert-model-parallel-size", number(c.ep));
    // Megatron's default expert TP is the dense TP; perfplan's is 1, so it is always written.
    value("--expert-tensor-parallel-size", number(c.etp));
  }
  if (c.sequence_parallel && c.tp > 1) flag("--sequence-parallel");
  const std::string order = predictor::to_string(c.rank_order);
  if (order == "tp-cp-ep-pp-dp") {
    flag("--use-tp-pp-dp-mapping");
  } else if (!default_rank_order(c)) {
    notes.push_back("rank order " + order +
                    " has no Megatron-LM flag (it offers tp-cp-ep-dp-pp and, with "
                    "--use-tp-pp-dp-mapping, tp-cp-ep-pp-dp)");
  }

  // Optimizer and gradient sharding, communication overlap. ZeRO-2 / ZeRO-3 are Megatron-FSDP's
  // optim_grads / optim_grads_params sharding (--data-parallel-sharding-strategy choices at
  // core_v0.14.0); HSDP is distributed-optimizer instances across the DP group
  // (--num-distributed-optimizer-instances; Megatron-FSDP's HSDP with them, mcore_fsdp_adapter.py).
  const bool megatron_fsdp = c.zero_stage >= 2;
  if (megatron_fsdp) {
    flag("--use-megatron-fsdp");
    value("--data-parallel-sharding-strategy", c.zero_stage == 3 ? "optim_grads_params" : "optim_grads");
    // Megatron-FSDP checkpoints only in its DTensor format (validate_args, core_v0.14.0).
    value("--ckpt-format", "fsdp_dtensor");
    flag("--use-distributed-optimizer");
    notes.push_back("ZeRO-" + std::to_string(c.zero_stage) +
                    " as Megatron FSDP (--use-megatron-fsdp; older Megatron-LM releases call it --use-custom-fsdp)");
  } else if (c.shards_optimizer()) {
    flag("--use-distributed-optimizer");
  }
  if (c.shards_optimizer() && c.shard_replicas() > 1) {
    value("--num-distributed-optimizer-instances", number(c.shard_replicas()));
  }
  if (c.overlap_grad_reduce) flag("--overlap-grad-reduce");
  if (c.overlap_param_gather && c.shards_optimizer()) flag("--overlap-param-gather");
  if (c.overlap_tp_comm && c.tp > 1) flag("--tp-comm-overlap");

  // Batch and sequence.
  value("--micro-batch-size", number(c.micro_batch_size));
  value("--global-batch-size", number(c.global_batch_size));
  value("--seq-length", number(c.seq_len));
  value("--max-position-embeddings", number(std::max(arch.max_position_embeddings, c.seq_len)));

  // Recomputation and precision.
  if (c.recompute == model::Recompute::kSelective) {
    value("--recompute-granularity", "selective");
  } else if (c.recompute == model::Recompute::kFull) {
    value("--recompute-granularity", "full");
    value("--recompute-method", "uniform");
    value("--recompute-num-layers", "1");
  }
  switch (c.dtype) {
    case model::DType::kBf16:
      flag("--bf16");
      break;
    case model::DType::kFp16:
      flag("--fp16");
      break;
    case model::DType::kFp8:
      flag("--bf16");
      value("--fp8-format", "hybrid");
      break;
    case model::DType::kFp32:
      notes.push_back("fp32 training: no precision flag");
      break;
  }
  if (c.attention == model::AttentionKernel::kUnfused) value("--attention-backend", "unfused");

  // Architecture.
  value("--num-layers", number(arch.num_layers));
  value("--hidden-size", number(arch.hidden_size));
  value("--ffn-hidden-size", number(arch.intermediate_size));
  value("--num-attention-heads", number(arch.num_attention_heads));
  if (arch.mla) {
    flag("--multi-latent-attention");
    if (arch.mla->q_lora_rank > 0) value("--q-lora-rank", number(arch.mla->q_lora_rank));
    value("--kv-lora-rank", number(arch.mla->kv_lora_rank));
    value("--qk-head-dim", number(arch.mla->qk_nope_head_dim));
    value("--qk-pos-emb-head-dim", number(arch.mla->qk_rope_head_dim));
    value("--v-head-dim", number(arch.mla->v_head_dim));
  } else {
    if (arch.num_kv_heads > 0 && arch.num_kv_heads != arch.num_attention_heads) {
      flag("--group-query-attention");
      value("--num-query-groups", number(arch.num_kv_heads));
    }
    if (arch.head_dim > 0 && arch.num_attention_heads > 0 &&
        arch.head_dim * arch.num_attention_heads != arch.hidden_size) {
      value("--kv-channels", number(arch.head_dim));
    }
  }
  if (arch.positions == model::PositionEncoding::kRotary) {
    value("--position-embedding-type", "rope");
    // Without these Megatron trains another model: its rotary base defaults to 10000 and no scaling.
    if (arch.rope_theta > 0) value("--rotary-base", number(static_cast<int64_t>(std::llround(arch.rope_theta))));
    if (arch.rope_scaling_type == "llama3") {
      flag("--use-rope-scaling");
      if (arch.rope_scaling_factor > 0) value("--rope-scaling-factor", number(arch.rope_scaling_factor));
    } else if (!arch.rope_scaling_type.empty() && !arch.mla) {
      notes.push_back("rope_scaling '" + arch.rope_scaling_type + "' has no Megatron-LM flag here: set it in the model spec");
    }
  }
  if (arch.norm_epsilon > 0) value("--norm-epsilon", number(arch.norm_epsilon));
  if (arch.norm == model::NormKind::kRmsNorm) value("--normalization", "RMSNorm");
  if (arch.mlp_activation == model::MlpActivation::kSwiGlu) flag("--swiglu");
  if (!arch.tie_word_embeddings) flag("--untie-embeddings-and-output-weights");
  const bool linear_bias = arch.mlp_bias || arch.attention_output_bias;
  if (!linear_bias) {
    flag("--disable-bias-linear");
    if (arch.attention_bias) flag("--add-qkv-bias");
  } else if (!arch.attention_bias) {
    notes.push_back("biases on the MLP / output projections but not on q/k/v have no single Megatron-LM flag");
  }
  if (arch.qk_norm) flag("--qk-layernorm");
  // Megatron's dropout defaults are 0.1; the model's own values are written.
  value("--attention-dropout", number(arch.attention_dropout));
  value("--hidden-dropout", number(arch.hidden_dropout));
  if (arch.num_mtp_layers > 0) value("--mtp-num-layers", number(arch.num_mtp_layers));

  if (moe(arch)) {
    const auto& m = *arch.moe;
    value("--num-experts", number(m.num_experts));
    value("--moe-router-topk", number(m.experts_per_token));
    value("--moe-ffn-hidden-size", number(m.expert_intermediate_size));
    if (m.shared_expert_intermediate_size > 0) {
      value("--moe-shared-expert-intermediate-size", number(m.shared_expert_intermediate_size));
    }
    const std::string pattern = moe_layer_pattern(arch);
    if (!pattern.empty()) value("--moe-layer-freq", "\"" + pattern + "\"");
    if (m.router_score_correction_bias) flag("--moe-router-enable-expert-bias");
    flag("--moe-grouped-gemm");
    if (c.moe_dispatcher == predictor::MoeDispatcher::kFlex) {
      value("--moe-token-dispatcher-type", "flex");
      flag("--moe-enable-deepep");
    } else {
      value("--moe-token-dispatcher-type", "alltoall");
    }
    if (c.capacity_factor > 1.0) {
      value("--moe-expert-capacity-factor", number(c.capacity_factor));
      flag("--moe-pad-expert-input-to-capacity");
    }
    if (c.overlap_moe_comm && c.ep > 1) flag("--overlap-moe-expert-parallel-comm");
    notes.push_back(
        "router details (score function, grouping, load-balancing loss) are not part of the layout: "
        "take them from the model's recipe");
  }
  add_architecture_notes(arch, notes);
  notes.push_back(
      "add data, tokenizer and optimizer flags (--data-path or --mock-data, --tokenizer-type, "
      "--train-iters, --lr, ...); vocabulary " +
      std::to_string(arch.vocab_size) + ", padded by Megatron to a multiple of 128 x tp");
  if (nodes.count > 1) {
    notes.push_back("run on each of the " + std::to_string(nodes.count) +
                    " nodes, adding --node_rank <i> --master_addr <host> --master_port <port> to torchrun");
  }

  std::string out =
      "# perfplan launch config (Megatron-LM " + std::string(launch_target(LaunchFramework::kMegatron).version) +
      " pretrain_gpt.py): " + describe_layout(arch, c, num_gpus, nodes) + "\n" +
      comment_lines(notes);
  // Megatron-LM asserts one CUDA connection with TP or CP on pre-Blackwell GPUs so kernels keep
  // their order, and more than one with Megatron-FSDP (validate_args lines 873 and 635 at
  // core_v0.14.0); 8 is CUDA's default.
  if (megatron_fsdp) {
    out += "export CUDA_DEVICE_MAX_CONNECTIONS=8\n";
  } else if (c.tp > 1 || c.cp > 1) {
    out += "export CUDA_DEVICE_MAX_CONNECTIONS=1\n";
  }
  out += "torchrun --nnodes " + std::to_string(nodes.count) + " --nproc_per_node " +
         std::to_string(nodes.gpus_per_node) + " pretrain_gpt.py";
  for (const auto& arg : args) out += " \\\n    " + arg;
  return out + "\n";
}

}  // namespace perfplan::launch::detail
