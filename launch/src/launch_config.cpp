#include "perfplan/launch/launch_config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <vector>

#include "perfplan/common/input_error.hpp"

// Flag and key names are those of the frameworks' own sources:
//   Megatron-LM  megatron/training/arguments.py (argparse flags), torchrun for the launcher;
//   NeMo 2.0     nemo/collections/llm/recipes/*.py (MegatronStrategy fields, recipe.data.*,
//                recipe.model.config.*, precision/mixed_precision.py plugin factories);
//   torchtitan   torchtitan/config/job_config.py at v0.2.2 (TOML sections and keys; float8 as the
//                quantize.linear.float8 converter and section since v0.2.0), pipeline schedule
//                names from torch.distributed.pipelining.schedules.get_schedule_class.

namespace perfplan::launch {
namespace {

using predictor::Dim;
using predictor::ParallelConfig;
using predictor::PipelineSchedule;

std::string number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string number(int64_t value) { return std::to_string(value); }

// The frameworks' own default placement (Megatron-Core's "tp-cp-ep-dp-pp") is perfplan's default.
bool default_rank_order(const ParallelConfig& c) { return predictor::to_string(c.rank_order) == "tp-cp-ep-dp-pp"; }


bool interleaved(const ParallelConfig& c) {
  return c.pp > 1 && c.vp > 1 && c.schedule == PipelineSchedule::kInterleaved;
}

bool moe(const model::Architecture& arch) { return arch.moe.has_value() && arch.moe->num_experts > 0; }

struct Nodes {
  int64_t count = 1;
  int64_t gpus_per_node = 1;
};

Nodes nodes_for(int64_t num_gpus, int64_t gpus_per_node) {
  if (gpus_per_node <= 0) {
    throw InputError("gpus per node must be a positive integer, got " + std::to_string(gpus_per_node));
  }
  if (num_gpus > gpus_per_node && num_gpus % gpus_per_node != 0) {
    throw InputError("a launch config needs whole nodes: " + std::to_string(num_gpus) + " GPUs is not a multiple of " +
                     std::to_string(gpus_per_node) + " GPUs per node");
  }
  if (num_gpus <= gpus_per_node) return {1, num_gpus};
  return {num_gpus / gpus_per_node, gpus_per_node};
}

std::string describe_layout(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                            const Nodes& nodes) {
  std::ostringstream out;
  out << arch.name << " on " << num_gpus << " GPUs (" << nodes.count << (nodes.count == 1 ? " node" : " nodes") << " x "
      << nodes.gpus_per_node << "): " << predictor::to_string(c);
  if (moe(arch)) out << " (" << predictor::to_string(c.moe_dispatcher) << " dispatcher)";
  out << "; gbs " << c.global_batch_size << " (" << c.micro_batches()
      << (c.micro_batches() == 1 ? " micro-batch" : " micro-batches") << " per pipeline), seq " << c.seq_len << ", "
      << model::to_string(c.dtype);
  if (!default_rank_order(c)) out << ", rank order " << predictor::to_string(c.rank_order);
  return out.str();
}

// A Megatron --moe-layer-freq pattern ("([0]*3+[1]*58)") for a model whose layers are not all MoE;
// empty when they are (Megatron's default).
std::string moe_layer_pattern(const model::Architecture& arch) {
  const auto& layers = arch.layer_is_moe;
  if (layers.empty() || std::all_of(layers.begin(), layers.end(), [](bool b) { return b; })) return "";
  std::string pattern;
  size_t i = 0;
  while (i < layers.size()) {
    size_t j = i;
    while (j < layers.size() && layers[j] == layers[i]) ++j;
    pattern += (pattern.empty() ? "" : "+") + std::string(layers[i] ? "[1]*" : "[0]*") + std::to_string(j - i);
    i = j;
  }
  return "(" + pattern + ")";
}

// Notes every framework shares: model features perfplan predicts but the layout flags do not carry.
void add_architecture_notes(const model::Architecture& arch, std::vector<std::string>& notes) {
  if (arch.sliding_window > 0) {
    notes.push_back("sliding-window attention (window " + std::to_string(arch.sliding_window) +
                    ") is part of the model definition, not of these settings");
  }
  if (arch.attention_sinks) notes.push_back("attention sinks are part of the model definition, not of these settings");
  if (moe(arch) && arch.moe->shared_expert_gate) {
    notes.push_back("the shared-expert gate is part of the model definition, not of these settings");
  }
}

std::string comment_lines(const std::vector<std::string>& notes) {
  std::string out;
  for (const auto& note : notes) out += "# " + note + "\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Megatron-LM: pretrain_gpt.py flags under torchrun.

std::string render_megatron(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
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
    // An explicit per-stage layout: E embedding, t a decoder layer, L the loss, | between stages
    // (megatron/core/transformer/pipeline_parallel_layer_layout.py).
    std::string layout;
    for (size_t s = 0; s < c.stage_layers.size(); ++s) {
      if (s > 0) layout += "|";
      if (s == 0) layout += "E";
      layout += std::string(static_cast<size_t>(std::max<int64_t>(0, c.stage_layers[s])), 't');
      if (s + 1 == c.stage_layers.size()) layout += "L";
    }
    value("--pipeline-model-parallel-layout", "\"" + layout + "\"");
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
  if (c.pp > 1 && (c.schedule == PipelineSchedule::kZeroBubbleH1 || c.schedule == PipelineSchedule::kZeroBubbleH2)) {
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

  // Optimizer and gradient sharding, communication overlap.
  if (c.zero_stage == 3) {
    flag("--use-megatron-fsdp");
    value("--data-parallel-sharding-strategy", "optim_grads_params");
    // Megatron-FSDP checkpoints only in its DTensor format (validate_args, core_v0.14.0).
    value("--ckpt-format", "fsdp_dtensor");
    flag("--use-distributed-optimizer");
    notes.push_back(
        "ZeRO-3 as Megatron FSDP (--use-megatron-fsdp; older Megatron-LM releases call it "
        "--use-custom-fsdp)");
  } else if (c.shards_optimizer()) {
    flag("--use-distributed-optimizer");
    if (c.zero_stage == 2) {
      notes.push_back(
          "ZeRO-2 as Megatron's distributed optimizer (gradients reduce-scattered, optimizer state "
          "sharded over DP x CP)");
    }
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
      "# perfplan launch config (Megatron-LM pretrain_gpt.py): " + describe_layout(arch, c, num_gpus, nodes) + "\n" +
      comment_lines(notes);
  // Megatron-LM asserts one CUDA connection with TP or SP communication overlap (its
  // examples/*.sh and megatron/training/arguments.py validate_args) so kernels keep their order.
  if (c.tp > 1 || c.cp > 1) out += "export CUDA_DEVICE_MAX_CONNECTIONS=1\n";
  out += "torchrun --nnodes " + std::to_string(nodes.count) + " --nproc_per_node " +
         std::to_string(nodes.gpus_per_node) + " pretrain_gpt.py";
  for (const auto& arg : args) out += " \\\n    " + arg;
  return out + "\n";
}

// ---------------------------------------------------------------------------------------------
// NeMo 2.0: overrides applied to the model's pretrain recipe (a nemo_run Partial).

std::string python_bool(bool value) { return value ? "True" : "False"; }

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
  if (c.pp > 1 && (c.schedule == PipelineSchedule::kZeroBubbleH1 || c.schedule == PipelineSchedule::kZeroBubbleH2)) {
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
  if (moe(arch)) {
    set("trainer.strategy.expert_model_parallel_size", number(c.ep));
    set("trainer.strategy.expert_tensor_parallel_size", number(c.etp));
    if (c.moe_dispatcher == predictor::MoeDispatcher::kFlex) {
      set("model.config.moe_token_dispatcher_type", "\"flex\"");
      set("model.config.moe_enable_deepep", "True");
    } else {
      set("model.config.moe_token_dispatcher_type", "\"alltoall\"");
    }
    if (c.capacity_factor > 1.0) {
      notes.push_back("capacity factor " + number(c.capacity_factor) +
                      ": set the model config's expert capacity factor with padding (Megatron "
                      "--moe-expert-capacity-factor, --moe-pad-expert-input-to-capacity)");
    }
    if (c.overlap_moe_comm && c.ep > 1) {
      notes.push_back(
          "EP all-to-all overlap: enable Megatron-Core's --overlap-moe-expert-parallel-comm in the "
          "model config");
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
  if (c.zero_stage == 3) {
    notes.push_back(
        "ZeRO-3: switch the strategy's DDP config to Megatron FSDP (full sharding of parameters, "
        "gradients and optimizer state); the field names depend on the Megatron-Core release");
  }
  set("trainer.strategy.ddp.overlap_grad_reduce", python_bool(c.overlap_grad_reduce));
  set("trainer.strategy.ddp.overlap_param_gather", python_bool(c.overlap_param_gather && c.shards_optimizer()));
  if (c.overlap_tp_comm && c.tp > 1) {
    imports.push_back("from nemo.lightning.pytorch.callbacks.megatron_comm_overlap import MegatronCommOverlapCallback");
    lines.push_back("recipe.trainer.callbacks.append(run.Config(MegatronCommOverlapCallback, tp_comm_overlap=True))");
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

  std::string out =
      "# perfplan launch config (NeMo 2.0 recipe overrides): " + describe_layout(arch, c, num_gpus, nodes) + "\n";
  out += "# Apply to the NeMo pretrain recipe for " + arch.name +
         " (recipe = llm.<model>.pretrain_recipe(...)); the architecture comes from the recipe's model config.\n";
  out += comment_lines(notes);
  for (const auto& line : imports) out += line + "\n";
  out += "\n";
  for (const auto& line : lines) out += line + "\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// torchtitan: TOML job config.

std::string toml_string(const std::string& value) {
  std::string out = "\"";
  for (char ch : value) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

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
  if (c.zero_stage == 3) {
    replicate = 1;
    shard = c.dp;
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
  if (c.overlap_tp_comm && c.tp > 1) {
    parallelism << "enable_async_tensor_parallel = true\n";
    notes.push_back("async tensor parallelism takes effect only with torch.compile enabled");
  }
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
    if (stages_per_rank > 1) {
      const int64_t stages = c.pp * stages_per_rank;
      if (arch.num_layers % stages == 0) {
        parallelism << "pipeline_parallel_layers_per_stage = " << arch.num_layers / stages << "\n";
      } else {
        notes.push_back(std::to_string(arch.num_layers) + " layers do not split evenly into " + std::to_string(stages) +
                        " stages: set pipeline_parallel_split_points");
      }
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

  std::ostringstream out;
  out << "# perfplan launch config (torchtitan v0.2.2 TOML job config; releases after v0.2.2 take Python configs, "
         "torchtitan/config/README.md): "
      << describe_layout(arch, c, num_gpus, nodes) << "\n";
  out << "# Run with CONFIG_FILE=<this file> ./run_train.sh; set [model] name / flavor to torchtitan's model for "
      << arch.name << ".\n";
  out << comment_lines(notes) << "\n";
  out << "[job]\n"
      << "description = " << toml_string("perfplan: " + arch.name) << "\n\n";
  if (c.dtype == model::DType::kFp8)
    out << "[model]\n"
        << "converters = [\"quantize.linear.float8\"]\n\n";
  out << training.str() << "\n" << parallelism.str() << "\n" << checkpointing.str();
  if (c.dtype == model::DType::kFp8 && shard > 1) {
    out << "\n[quantize.linear.float8]\n"
        << "enable_fsdp_float8_all_gather = true\n"
        << "precompute_float8_dynamic_scale_for_fsdp = true\n";
  }
  return out.str();
}

}  // namespace

LaunchFramework parse_launch_framework(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (lower == "megatron") return LaunchFramework::kMegatron;
  if (lower == "nemo") return LaunchFramework::kNemo;
  if (lower == "torchtitan") return LaunchFramework::kTorchtitan;
  throw InputError("unknown launch framework '" + text + "': accepted are megatron, nemo, torchtitan");
}

std::string to_string(LaunchFramework framework) {
  switch (framework) {
    case LaunchFramework::kMegatron:
      return "megatron";
    case LaunchFramework::kNemo:
      return "nemo";
    case LaunchFramework::kTorchtitan:
      return "torchtitan";
  }
  return "?";
}

std::string render_launch_config(LaunchFramework framework, const model::Architecture& arch,
                                 const predictor::ParallelConfig& config, int64_t num_gpus, int64_t gpus_per_node) {
  predictor::validate_layout(arch, config, num_gpus);
  const Nodes nodes = nodes_for(num_gpus, gpus_per_node);
  switch (framework) {
    case LaunchFramework::kMegatron:
      return render_megatron(arch, config, num_gpus, nodes);
    case LaunchFramework::kNemo:
      return render_nemo(arch, config, num_gpus, nodes);
    case LaunchFramework::kTorchtitan:
      return render_torchtitan(arch, config, num_gpus, nodes);
  }
  return "";
}

}  // namespace perfplan::launch
