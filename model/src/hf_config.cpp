#include "perfplan/model/hf_config.hpp"

#include <vector>

#include <tuple>

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "perfplan/common/json_file.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/common/limits.hpp"

namespace perfplan::model {
namespace {

using nlohmann::json;

// Typed access to config keys with errors that say file, key, value and what is accepted.
class ConfigReader {
 public:
  ConfigReader(const json& config, std::string origin, std::string model_type)
      : config_(config), origin_(std::move(origin)), model_type_(std::move(model_type)) {}

  // The first of `keys` present and not null, else nullptr. The keys are aliases of one setting
  // (hidden_size / n_embd): two of them given with different values is an error, not a choice.
  const json* find(std::initializer_list<const char*> keys, std::string* found_key = nullptr) const {
    const json* found = nullptr;
    const char* first = nullptr;
    for (const char* key : keys) {
      auto it = config_.find(key);
      if (it == config_.end() || it->is_null()) continue;
      if (!found) {
        found = &*it;
        first = key;
      } else if (*it != *found) {
        throw InputError(origin_ + ": keys '" + first + "' = " + common::json_excerpt(*found) + " and '" + key +
                         "' = " + common::json_excerpt(*it) +
                         " are aliases of one setting with different values; give one, or both equal");
      }
    }
    if (found && found_key) *found_key = first;
    return found;
  }

  int64_t required_int(std::initializer_list<const char*> keys) const {
    std::string key;
    const json* value = find(keys, &key);
    if (!value) {
      throw InputError(origin_ + ": key '" + *keys.begin() + "' is missing (required for model_type '" +
                       model_type_ + "')");
    }
    return to_int(*value, key);
  }

  int64_t optional_int(std::initializer_list<const char*> keys, int64_t fallback) const {
    std::string key;
    const json* value = find(keys, &key);
    return value ? to_int(*value, key) : fallback;
  }

  bool optional_bool(const char* key, bool fallback) const {
    const json* value = find({key});
    if (!value) return fallback;
    if (!value->is_boolean()) fail(key, *value, "true or false");
    return value->get<bool>();
  }

  // A finite number > 0 where given (rope_theta, epsilons, scaling factors); `fallback` when absent.
  double optional_positive(std::initializer_list<const char*> keys, double fallback) const {
    std::string key;
    const json* value = find(keys, &key);
    if (!value) return fallback;
    if (!value->is_number() || !(value->get<double>() > 0) || !std::isfinite(value->get<double>())) {
      fail(key, *value, "a finite number > 0");
    }
    return value->get<double>();
  }

  const json* object(const char* key) const {
    const json* value = find({key});
    if (!value || value->is_null()) return nullptr;
    if (!value->is_object()) fail(key, *value, "an object");
    return value;
  }

  double optional_probability(const char* key, double fallback) const {
    const json* value = find({key});
    if (!value) return fallback;
    if (!value->is_number()) fail(key, *value, "a number in [0, 1)");
    const double p = value->get<double>();
    if (p < 0.0 || p >= 1.0) fail(key, *value, "a number in [0, 1)");
    return p;
  }

  // Whether string key equals `expected`; `fallback` when the key is absent.
  bool optional_str_equals(const char* key, const std::string& expected, bool fallback) const {
    const json* value = find({key});
    if (!value) return fallback;
    if (!value->is_string()) fail(key, *value, "a string");
    return value->get<std::string>() == expected;
  }

  // Layer indices, each in [0, num_layers); a bad element is named by its position.
  std::vector<int64_t> optional_layer_list(const char* key, int64_t num_layers) const {
    std::vector<int64_t> out;
    const json* value = find({key});
    if (!value) return out;
    if (!value->is_array()) fail(key, *value, "a list of layer indices");
    const std::string accepted = "a layer index, an integer in [0, " + std::to_string(num_layers) +
                                 ") (num_hidden_layers = " + std::to_string(num_layers) + ")";
    for (size_t i = 0; i < value->size(); ++i) {
      const auto index = common::json_integer((*value)[i], 0, num_layers - 1);
      if (!index) fail(std::string(key) + "[" + std::to_string(i) + "]", (*value)[i], accepted);
      out.push_back(*index);
    }
    return out;
  }

  std::vector<std::string> optional_string_list(const char* key) const {
    std::vector<std::string> out;
    const json* value = find({key});
    if (!value) return out;
    if (!value->is_array()) fail(key, *value, "a list of strings");
    for (const auto& item : *value) {
      if (!item.is_string()) fail(key, *value, "a list of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  // An integer >= `low` where given; `fallback` when absent.
  int64_t optional_int_at_least(const char* key, int64_t fallback, int64_t low) const {
    const int64_t v = optional_int({key}, fallback);
    if (v < low) fail(key, v, "an integer >= " + std::to_string(low));
    return v;
  }

  [[noreturn]] void fail(const std::string& key, const json& value, const std::string& accepted) const {
    throw InputError(origin_ + ": key '" + key + "' = " + common::json_excerpt(value) + " is invalid; expected " +
                     accepted);
  }

  const std::string& origin() const { return origin_; }

 private:
  int64_t to_int(const json& value, const std::string& key) const {
    // Some configs write integers as 4096.0; json_integer takes those, never a fraction or a value
    // an int64 cannot hold (2^64 - 1 is refused, not wrapped to -1).
    if (const auto v = common::json_integer(value, INT64_MIN, INT64_MAX)) return *v;
    fail(key, value, "an integer");
  }

  const json& config_;
  std::string origin_;
  std::string model_type_;
};

void read_attention_common(const ConfigReader& r, Architecture& a) {
  a.hidden_size = r.required_int({"hidden_size", "n_embd", "d_model"});
  a.num_layers = r.required_int({"num_hidden_layers", "n_layer", "num_layers"});
  a.num_attention_heads = r.required_int({"num_attention_heads", "n_head"});
  a.num_kv_heads = r.optional_int({"num_key_value_heads"}, a.num_attention_heads);
  a.vocab_size = r.required_int({"vocab_size"});
  a.max_position_embeddings = r.optional_int({"max_position_embeddings", "n_positions"}, 0);
  for (const auto& [key, v, bound] : std::vector<std::tuple<const char*, int64_t, int64_t>>{
           {"hidden_size", a.hidden_size, limits::kMaxWidth},
           {"num_hidden_layers", a.num_layers, limits::kMaxLayers},
           {"num_attention_heads", a.num_attention_heads, limits::kMaxWidth},
           {"num_key_value_heads", a.num_kv_heads, limits::kMaxWidth},
           {"vocab_size", a.vocab_size, limits::kMaxWidth},
           {"max_position_embeddings", a.max_position_embeddings, limits::kMaxSeqLen}}) {
    if (v > bound) {
      throw InputError(r.origin() + ": key '" + key + "' = " + std::to_string(v) + " is beyond perfplan's bound of " +
                       std::to_string(bound));
    }
  }
  a.rope_theta = r.optional_positive({"rope_theta"}, 0.0);
  a.norm_epsilon = r.optional_positive({"rms_norm_eps", "layer_norm_epsilon", "layer_norm_eps", "norm_epsilon"}, 0.0);
  if (const json* scaling = r.object("rope_scaling")) {
    // rope_type is the current name of the older "type": both given must agree.
    const auto type = scaling->find("rope_type") != scaling->end() ? scaling->find("rope_type") : scaling->find("type");
    if (const auto old = scaling->find("type"); old != scaling->end() && type != old && *old != *type) {
      r.fail("rope_scaling.type", *old, "the same value as rope_scaling.rope_type (" + common::json_excerpt(*type) +
                                            "), of which it is the older name");
    }
    if (type != scaling->end() && type->is_string()) a.rope_scaling_type = type->get<std::string>();
    const auto factor = scaling->find("factor");
    if (factor != scaling->end() && factor->is_number() && factor->get<double>() > 0 && std::isfinite(factor->get<double>())) {
      a.rope_scaling_factor = factor->get<double>();
    }
  }
  if (const json* factor = r.find({"partial_rotary_factor"})) {
    // The fraction of each head's dimensions that rotate (Nemotron-4: 0.5).
    if (!factor->is_number() || !(factor->get<double>() > 0.0) || factor->get<double>() > 1.0) {
      r.fail("partial_rotary_factor", *factor, "a number in (0, 1]");
    }
  }
  if (a.num_attention_heads > 0) {
    a.head_dim = r.optional_int({"head_dim"}, a.hidden_size / a.num_attention_heads);
    if (!r.find({"head_dim"}) && a.hidden_size > 0 && a.hidden_size % a.num_attention_heads != 0) {
      throw InputError(r.origin() + ": hidden_size " + std::to_string(a.hidden_size) +
                       " is not divisible by num_attention_heads " +
                       std::to_string(a.num_attention_heads) + " and no head_dim is given");
    }
  }
}

// Llama family: llama, mistral, qwen2, qwen3 (SwiGLU MLP, RMSNorm, rotary positions).
void read_llama_like(const ConfigReader& r, Architecture& a) {
  read_attention_common(r, a);
  a.intermediate_size = r.required_int({"intermediate_size"});
  a.tie_word_embeddings = r.optional_bool("tie_word_embeddings", false);
  a.attention_dropout = r.optional_probability("attention_dropout", 0.0);
  a.attention_bias = r.optional_bool("attention_bias", a.model_type == "qwen2" || a.model_type == "qwen2_moe");
  a.mlp_bias = r.optional_bool("mlp_bias", false);
  a.qk_norm = a.model_type == "qwen3" || a.model_type == "qwen3_moe";
}

// The GPT block shared by GPT-2 and BLOOM: GELU MLP, LayerNorm, biases everywhere, tied
// embeddings unless the config says otherwise.
void set_gpt_block(const ConfigReader& r, Architecture& a, PositionEncoding positions) {
  a.tie_word_embeddings = r.optional_bool("tie_word_embeddings", true);
  a.mlp_activation = MlpActivation::kGelu;
  a.norm = NormKind::kLayerNorm;
  a.positions = positions;
  a.attention_bias = a.attention_output_bias = a.mlp_bias = a.norm_bias = true;
}

// Nemotron (Nemotron-4; HF NemotronForCausalLM): squared-ReLU MLP without gating, LayerNorm
// ("layernorm1p"), rotary positions, no biases, untied embeddings (Parmar et al. 2024, Table 1).
void read_nemotron(const ConfigReader& r, Architecture& a) {
  read_attention_common(r, a);
  a.intermediate_size = r.required_int({"intermediate_size"});
  a.tie_word_embeddings = r.optional_bool("tie_word_embeddings", false);
  a.mlp_activation = MlpActivation::kSquaredRelu;
  a.norm = NormKind::kLayerNorm;
  a.positions = PositionEncoding::kRotary;
  a.attention_bias = r.optional_bool("attention_bias", false);
  a.attention_output_bias = a.attention_bias;
  a.mlp_bias = r.optional_bool("mlp_bias", false);
  a.norm_bias = true;
}

// BLOOM (HF BloomForCausalLM): ALiBi instead of position embeddings, LayerNorm with biases,
// GELU MLP of 4h, biases everywhere, tied embeddings (Le Scao et al. 2022, Sec. 3.2).
void read_bloom(const ConfigReader& r, Architecture& a) {
  read_attention_common(r, a);
  a.intermediate_size = 4 * a.hidden_size;
  set_gpt_block(r, a, PositionEncoding::kAlibi);
  a.hidden_dropout = r.optional_probability("hidden_dropout", 0.0);
  a.attention_dropout = r.optional_probability("attention_dropout", 0.0);
}

// Hugging Face GptOssConfig without layer_types: even layers slide, odd layers attend fully
// (transformers models/gpt_oss/configuration_gpt_oss.py: "sliding_attention" if (i + 1) % 2).
std::vector<std::string> default_layer_types(const Architecture& a) {
  std::vector<std::string> out;
  for (int64_t l = 0; l < a.num_layers; ++l) {
    const bool slides = a.model_type != "gpt_oss" || (l + 1) % 2 != 0;
    out.push_back(slides ? "sliding_attention" : "full_attention");
  }
  return out;
}

void set_sliding_window(const ConfigReader& r, Architecture& a) {
  const bool uses = r.optional_bool("use_sliding_window", a.model_type == "mistral" ||
                                                              a.model_type == "mixtral" ||
                                                              a.model_type == "gpt_oss");
  r.optional_int_at_least("max_window_layers", 0, 0);
  // null or absent: no window (Mixtral, Qwen3); a window of 0 or fewer tokens is no window size.
  const json* window = r.find({"sliding_window"});
  if (!uses || !window) return;
  a.sliding_window = r.optional_int({"sliding_window"}, 0);
  if (a.sliding_window <= 0) r.fail("sliding_window", *window, "a positive number of tokens, or null for no window");
  auto layer_types = r.optional_string_list("layer_types");
  if (!r.find({"layer_types"})) layer_types = default_layer_types(a);
  if (static_cast<int64_t>(layer_types.size()) != a.num_layers) {
    throw InputError(r.origin() + ": key 'layer_types' has " + std::to_string(layer_types.size()) +
                     " entries; expected one per layer (" + std::to_string(a.num_layers) + ")");
  }
  for (const auto& type : layer_types) {
    if (type != "sliding_attention" && type != "full_attention") {
      throw InputError(r.origin() + ": key 'layer_types' has '" + type +
                       "'; expected 'sliding_attention' or 'full_attention'");
    }
    a.layer_uses_sliding_window.push_back(type == "sliding_attention");
  }
}

// The hidden_act / activation_function names that mean the MLP perfplan models for the family.
// A gated GELU (GeGLU; Grok-1, written as mixtral) costs what SwiGLU costs: two up projections
// and one elementwise product.
// Any activation Hugging Face defines (transformers/activations.py, ACT2CLS) costs the same
// elementwise pass, so each is accepted for the plain and gated MLPs; a name outside that table
// is no activation at all.
void check_activation(const ConfigReader& r, const Architecture& a) {
  static const std::vector<std::string> kHfActivations = {
      "gelu", "gelu_10", "gelu_fast", "gelu_new", "gelu_python", "gelu_pytorch_tanh", "gelu_accurate", "laplace",
      "leaky_relu", "linear", "mish", "quick_gelu", "relu", "relu2", "relu6", "sigmoid", "silu", "swish", "tanh",
      "prelu", "xielu"};
  std::vector<std::string> accepted = kHfActivations;
  std::string mlp = "a GELU MLP";
  if (a.mlp_activation == MlpActivation::kSwiGlu) {
    mlp = "a gated (SwiGLU / GeGLU) MLP";
  } else if (a.mlp_activation == MlpActivation::kSquaredRelu) {
    accepted = {"relu2"};
    mlp = "a squared-ReLU MLP";
  }
  for (const char* key : {"hidden_act", "activation_function"}) {
    const json* value = r.find({key});
    if (!value) continue;
    if (value->is_string() &&
        std::find(accepted.begin(), accepted.end(), value->get<std::string>()) != accepted.end()) {
      continue;
    }
    std::string names;
    for (const auto& name : accepted) names += (names.empty() ? "" : ", ") + name;
    r.fail(key, *value, "one of " + names + " (model_type '" + a.model_type + "' has " + mlp + ")");
  }
}

MoeSpec read_moe(const ConfigReader& r, std::initializer_list<const char*> expert_keys,
                 std::initializer_list<const char*> width_keys) {
  MoeSpec moe;
  moe.num_experts = r.required_int(expert_keys);
  moe.experts_per_token = r.required_int({"num_experts_per_tok", "experts_per_token"});
  moe.expert_intermediate_size = r.required_int(width_keys);
  return moe;
}


// Layers listed in mlp_only_layers or off the decoder_sparse_step grid are dense (Qwen-MoE).
std::vector<bool> qwen_moe_layers(const ConfigReader& r, int64_t num_layers) {
  const int64_t step = r.optional_int({"decoder_sparse_step"}, 1);
  if (step <= 0) r.fail("decoder_sparse_step", step, "a positive integer");
  const auto dense_layers = r.optional_layer_list("mlp_only_layers", num_layers);
  std::vector<bool> out;
  for (int64_t l = 0; l < num_layers; ++l) {
    const bool listed_dense = std::find(dense_layers.begin(), dense_layers.end(), l) != dense_layers.end();
    out.push_back(!listed_dense && (l + 1) % step == 0);
  }
  return out;
}

void read_gpt2(const ConfigReader& r, Architecture& a) {
  read_attention_common(r, a);
  if (a.num_kv_heads != a.num_attention_heads) {
    throw InputError(r.origin() + ": key 'num_key_value_heads' = " + std::to_string(a.num_kv_heads) +
                     " is invalid for model_type 'gpt2'; GPT-2 style models use full multi-head "
                     "attention (num_key_value_heads = num_attention_heads = " +
                     std::to_string(a.num_attention_heads) + ")");
  }
  a.intermediate_size = r.optional_int({"intermediate_size", "n_inner"}, 4 * a.hidden_size);
  set_gpt_block(r, a, PositionEncoding::kLearned);
  a.hidden_dropout = r.optional_probability("resid_pdrop", 0.1);
  a.attention_dropout = r.optional_probability("attn_pdrop", 0.1);
  a.embedding_dropout = r.optional_probability("embd_pdrop", 0.1);
  if (a.max_position_embeddings <= 0) {
    throw InputError(r.origin() + ": key 'max_position_embeddings' (or 'n_positions') is missing; "
                     "model_type 'gpt2' learns one position embedding per position");
  }
}

void read_deepseek_v3(const ConfigReader& r, Architecture& a) {
  read_llama_like(r, a);
  MlaSpec mla;
  mla.q_lora_rank = r.optional_int({"q_lora_rank"}, 0);
  mla.kv_lora_rank = r.required_int({"kv_lora_rank"});
  mla.qk_nope_head_dim = r.required_int({"qk_nope_head_dim"});
  mla.qk_rope_head_dim = r.required_int({"qk_rope_head_dim"});
  mla.v_head_dim = r.required_int({"v_head_dim"});
  a.mla = mla;
  a.head_dim = mla.qk_nope_head_dim + mla.qk_rope_head_dim;
  MoeSpec moe = read_moe(r, {"n_routed_experts"}, {"moe_intermediate_size"});
  moe.num_shared_experts = r.optional_int_at_least("n_shared_experts", 0, 0);
  moe.shared_expert_intermediate_size = moe.num_shared_experts * moe.expert_intermediate_size;
  moe.router_score_correction_bias = r.optional_str_equals("topk_method", "noaux_tc", true);
  // Group-limited routing: the routed experts split into n_group groups, a token's experts come
  // from its topk_group best groups (DeepSeek-V3's node-limited routing: 8 groups, 4 chosen).
  if (r.find({"n_group"})) {
    const int64_t groups = r.optional_int_at_least("n_group", 1, 1);
    if (moe.num_experts > 0 && moe.num_experts % groups != 0) {
      r.fail("n_group", groups, "a divisor of n_routed_experts (" + std::to_string(moe.num_experts) + ")");
    }
    const int64_t chosen = r.optional_int({"topk_group"}, groups);
    if (chosen < 1 || chosen > groups) {
      r.fail("topk_group", chosen, "an integer in [1, n_group = " + std::to_string(groups) + "]");
    }
  } else {
    r.optional_int_at_least("topk_group", 1, 1);
  }
  a.moe = moe;
  const int64_t first_dense = r.optional_int({"first_k_dense_replace"}, 0);
  const int64_t freq = r.optional_int({"moe_layer_freq"}, 1);
  if (first_dense < 0 || first_dense > a.num_layers) {
    r.fail("first_k_dense_replace", first_dense, "an integer in [0, num_hidden_layers]");
  }
  if (freq <= 0) r.fail("moe_layer_freq", freq, "a positive integer");
  for (int64_t l = 0; l < a.num_layers; ++l) {
    a.layer_is_moe.push_back(l >= first_dense && l % freq == 0);
  }
  a.num_mtp_layers = r.optional_int({"num_nextn_predict_layers"}, 0);
}

}  // namespace

const std::vector<std::string>& supported_model_types() {
  static const std::vector<std::string> kTypes = {"gpt2",     "llama",     "mistral",  "qwen2",
                                                   "qwen3",    "mixtral",   "qwen2_moe", "qwen3_moe",
                                                   "gpt_oss", "deepseek_v3", "nemotron", "bloom"};
  return kTypes;
}

Architecture architecture_from_hf_config(const json& config, const std::string& origin) {
  if (!config.is_object()) {
    throw InputError(origin + ": expected a JSON object with Hugging Face config.json keys");
  }
  auto type_it = config.find("model_type");
  if (type_it == config.end() || !type_it->is_string()) {
    throw InputError(origin + ": key 'model_type' is missing or not a string");
  }
  const std::string model_type = type_it->get<std::string>();
  const auto& types = supported_model_types();
  if (std::find(types.begin(), types.end(), model_type) == types.end()) {
    std::string accepted;
    for (const auto& t : types) accepted += (accepted.empty() ? "" : ", ") + t;
    throw InputError(origin + ": model_type '" + model_type + "' is not supported; accepted: " + accepted);
  }
  const ConfigReader r(config, origin, model_type);
  Architecture a;
  a.model_type = model_type;
  a.origin = origin;
  if (model_type == "gpt2") {
    read_gpt2(r, a);
  } else if (model_type == "nemotron") {
    read_nemotron(r, a);
  } else if (model_type == "bloom") {
    read_bloom(r, a);
  } else if (model_type == "deepseek_v3") {
    read_deepseek_v3(r, a);
  } else {
    read_llama_like(r, a);
    if (model_type == "mixtral") {
      a.moe = read_moe(r, {"num_local_experts"}, {"intermediate_size"});
      a.layer_is_moe.assign(static_cast<size_t>(a.num_layers), true);
    } else if (model_type == "qwen2_moe" || model_type == "qwen3_moe") {
      MoeSpec moe = read_moe(r, {"num_experts"}, {"moe_intermediate_size"});
      moe.shared_expert_intermediate_size = r.optional_int({"shared_expert_intermediate_size"}, 0);
      moe.num_shared_experts = moe.shared_expert_intermediate_size > 0 ? 1 : 0;
      moe.shared_expert_gate = model_type == "qwen2_moe" && moe.num_shared_experts > 0;
      a.moe = moe;
      a.layer_is_moe = qwen_moe_layers(r, a.num_layers);
    } else if (model_type == "gpt_oss") {
      MoeSpec moe = read_moe(r, {"num_local_experts"}, {"intermediate_size"});
      moe.router_bias = moe.expert_bias = true;
      a.moe = moe;
      a.layer_is_moe.assign(static_cast<size_t>(a.num_layers), true);
      a.attention_bias = r.optional_bool("attention_bias", true);
      a.attention_output_bias = a.attention_bias;
      a.attention_sinks = true;
    }
    set_sliding_window(r, a);
  }
  check_activation(r, a);
  a.validate();
  return a;
}

Architecture parse_hf_config(std::string_view json_text, const std::string& origin) {
  return architecture_from_hf_config(common::parse_json_text(json_text, origin), origin);
}

Architecture load_hf_config(const std::filesystem::path& path) {
  return architecture_from_hf_config(common::read_json_file(path), path.string());
}

}  // namespace perfplan::model
