#pragma once
// A transformer architecture as plain numbers: what a Hugging Face config.json describes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace perfplan::model {

// kSquaredRelu: Nemotron-4's ungated relu(x)^2 MLP (Parmar et al. 2024, Sec. 2).
enum class MlpActivation { kGelu, kSwiGlu, kSquaredRelu };
enum class NormKind { kLayerNorm, kRmsNorm };
// kAlibi: BLOOM's linear attention biases (Press et al. 2022): no position parameters.
enum class PositionEncoding { kLearned, kRotary, kAlibi };

// Mixture of experts (Mixtral, Qwen-MoE, GPT-OSS, DeepSeek-V3).
struct MoeSpec {
  int64_t num_experts = 0;           // routed experts per MoE layer
  int64_t experts_per_token = 0;     // top-k
  int64_t expert_intermediate_size = 0;
  int64_t num_shared_experts = 0;    // DeepSeek: n_shared_experts of expert_intermediate_size each
  int64_t shared_expert_intermediate_size = 0;  // total width of the shared experts (0: none)
  bool shared_expert_gate = false;   // Qwen2-MoE: sigmoid gate on the shared expert (h -> 1)
  bool router_bias = false;          // GPT-OSS router has a bias
  bool expert_bias = false;          // GPT-OSS experts have biases
  bool router_score_correction_bias = false;  // DeepSeek-V3 e_score_correction_bias (per expert)
};

// Multi-head latent attention (DeepSeek-V2/V3).
struct MlaSpec {
  int64_t q_lora_rank = 0;  // 0: queries projected directly from the hidden state
  int64_t kv_lora_rank = 0;
  int64_t qk_nope_head_dim = 0;
  int64_t qk_rope_head_dim = 0;
  int64_t v_head_dim = 0;
};

struct Architecture {
  std::string name;        // display name
  std::string model_type;  // Hugging Face model_type
  std::string origin;      // file or catalog entry it came from

  int64_t hidden_size = 0;
  int64_t num_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_kv_heads = 0;
  int64_t head_dim = 0;
  int64_t intermediate_size = 0;  // dense MLP width
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 0;
  bool tie_word_embeddings = false;

  MlpActivation mlp_activation = MlpActivation::kSwiGlu;
  NormKind norm = NormKind::kRmsNorm;
  PositionEncoding positions = PositionEncoding::kRotary;
  bool attention_bias = false;    // q/k/v (and GPT: output) projections carry biases
  bool attention_output_bias = false;
  bool mlp_bias = false;
  bool norm_bias = false;         // LayerNorm has a bias
  bool qk_norm = false;           // Qwen3: RMSNorm over each q and k head
  // What defines the model's numerics but not its cost, carried to launch configs: the rotary base
  // (rope_theta), its scaling (rope_scaling.rope_type / factor, e.g. Llama 3.1's "llama3" x 8) and
  // the norm epsilon; 0 / empty where the config does not say.
  double rope_theta = 0;
  std::string rope_scaling_type;
  double rope_scaling_factor = 0;
  double norm_epsilon = 0;
  bool attention_sinks = false;   // GPT-OSS: one learned sink logit per head
  double hidden_dropout = 0.0;    // dropout after attention/MLP output (GPT-2: resid_pdrop)
  double attention_dropout = 0.0; // dropout on attention probabilities
  double embedding_dropout = 0.0;

  int64_t sliding_window = 0;               // 0: none
  std::vector<bool> layer_uses_sliding_window;  // per layer; empty: no layer does

  std::optional<MoeSpec> moe;
  std::vector<bool> layer_is_moe;  // per layer; empty when moe is not set
  std::optional<MlaSpec> mla;
  int64_t num_mtp_layers = 0;      // DeepSeek multi-token prediction modules, kept apart

  // Width of the q/k (per head) and v (per head) vectors in attention.
  int64_t qk_head_dim() const;
  int64_t v_head_dim() const;
  bool is_moe_layer(int64_t layer) const;
  bool uses_sliding_window(int64_t layer) const;
  int64_t num_moe_layers() const;

  // Every problem found (key: what is wrong), empty when the architecture is sound.
  std::vector<std::string> problems() const;
  // Throws InputError naming the origin and every problem.
  void validate() const;
};

}  // namespace perfplan::model
