#include "perfplan/model/architecture.hpp"

#include "perfplan/common/input_error.hpp"

namespace perfplan::model {

int64_t Architecture::qk_head_dim() const {
  return mla ? mla->qk_nope_head_dim + mla->qk_rope_head_dim : head_dim;
}

int64_t Architecture::v_head_dim() const { return mla ? mla->v_head_dim : head_dim; }

bool Architecture::is_moe_layer(int64_t layer) const {
  return moe && layer >= 0 && layer < static_cast<int64_t>(layer_is_moe.size()) &&
         layer_is_moe[static_cast<size_t>(layer)];
}

bool Architecture::uses_sliding_window(int64_t layer) const {
  return sliding_window > 0 && layer >= 0 &&
         layer < static_cast<int64_t>(layer_uses_sliding_window.size()) &&
         layer_uses_sliding_window[static_cast<size_t>(layer)];
}

int64_t Architecture::num_moe_layers() const {
  int64_t count = 0;
  for (int64_t l = 0; l < num_layers; ++l) count += is_moe_layer(l) ? 1 : 0;
  return count;
}

std::vector<std::string> Architecture::problems() const {
  std::vector<std::string> out;
  auto positive = [&](int64_t value, const char* key) {
    if (value <= 0) out.push_back(std::string(key) + ": must be > 0, got " + std::to_string(value));
  };
  positive(hidden_size, "hidden_size");
  positive(num_layers, "num_hidden_layers");
  positive(num_attention_heads, "num_attention_heads");
  positive(num_kv_heads, "num_key_value_heads");
  positive(vocab_size, "vocab_size");
  if (!mla) positive(head_dim, "head_dim");
  if (num_attention_heads > 0 && num_kv_heads > 0 && num_attention_heads % num_kv_heads != 0) {
    out.push_back("num_key_value_heads: must divide num_attention_heads (" +
                  std::to_string(num_attention_heads) + "), got " + std::to_string(num_kv_heads));
  }
  bool any_dense = false;
  for (int64_t l = 0; l < num_layers; ++l) any_dense = any_dense || !is_moe_layer(l);
  if (any_dense) positive(intermediate_size, "intermediate_size");
  if (positions == PositionEncoding::kLearned) {
    positive(max_position_embeddings, "max_position_embeddings");
  }
  if (moe) {
    positive(moe->num_experts, "num_experts");
    positive(moe->experts_per_token, "num_experts_per_tok");
    positive(moe->expert_intermediate_size, "moe_intermediate_size");
    if (moe->experts_per_token > moe->num_experts) {
      out.push_back("num_experts_per_tok: must be <= the number of experts (" +
                    std::to_string(moe->num_experts) + "), got " +
                    std::to_string(moe->experts_per_token));
    }
    if (static_cast<int64_t>(layer_is_moe.size()) != num_layers) {
      out.push_back("MoE layer pattern: must name every one of the " + std::to_string(num_layers) +
                    " layers");
    }
  }
  if (mla) {
    positive(mla->kv_lora_rank, "kv_lora_rank");
    positive(mla->qk_nope_head_dim, "qk_nope_head_dim");
    positive(mla->qk_rope_head_dim, "qk_rope_head_dim");
    positive(mla->v_head_dim, "v_head_dim");
    if (mla->q_lora_rank < 0) out.push_back("q_lora_rank: must be >= 0 or null");
  }
  if (sliding_window < 0) out.push_back("sliding_window: must be >= 0 or null");
  if (num_mtp_layers < 0) out.push_back("num_nextn_predict_layers: must be >= 0");
  return out;
}

void Architecture::validate() const {
  const auto found = problems();
  if (found.empty()) return;
  std::string message = origin.empty() ? std::string("model") : origin;
  message += ": invalid architecture: ";
  for (size_t i = 0; i < found.size(); ++i) message += (i ? "; " : "") + found[i];
  throw InputError(message);
}

}  // namespace perfplan::model
