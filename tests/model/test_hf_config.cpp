// Reading Hugging Face config.json files and the catalog.
#include <doctest/doctest.h>

#include <string>

#include "model/catalog_fixture.hpp"
#include "perfplan/model/hf_config.hpp"
#include "perfplan/common/input_error.hpp"

using namespace perfplan::model;

namespace {
std::string parse_error(const std::string& text) {
  try {
    parse_hf_config(text, "config.json");
  } catch (const perfplan::InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("Architecture features by model_type") {
  const auto& gpt3 = perfplan::test::arch("gpt-3-175b");
  CHECK(gpt3.mlp_activation == MlpActivation::kGelu);
  CHECK(gpt3.positions == PositionEncoding::kLearned);
  CHECK(gpt3.tie_word_embeddings);
  const auto& qwen = perfplan::test::arch("qwen2.5-7b");
  CHECK(qwen.attention_bias);
  CHECK(perfplan::test::arch("qwen3-30b-a3b").qk_norm);
  const auto& oss = perfplan::test::arch("gpt-oss-120b");
  CHECK(oss.sliding_window == 128);
  CHECK(oss.uses_sliding_window(0));
  CHECK_FALSE(oss.uses_sliding_window(1));
  CHECK(oss.moe->router_bias);
  const auto& ds = perfplan::test::arch("deepseek-v3");
  CHECK(ds.num_moe_layers() == 58);
  CHECK(ds.num_mtp_layers == 1);
  CHECK(ds.qk_head_dim() == 192);
  CHECK(ds.moe->num_shared_experts == 1);
}

TEST_CASE("Qwen-MoE: mlp_only_layers and decoder_sparse_step pick the dense layers") {
  const auto a = parse_hf_config(R"({"model_type": "qwen3_moe", "hidden_size": 64, "intermediate_size": 128,
      "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
      "vocab_size": 100, "num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 32,
      "decoder_sparse_step": 2, "mlp_only_layers": [3]})", "test");
  CHECK_FALSE(a.is_moe_layer(0));
  CHECK(a.is_moe_layer(1));
  CHECK_FALSE(a.is_moe_layer(2));
  CHECK_FALSE(a.is_moe_layer(3));
}

TEST_CASE("Bad configs are errors that name the file, the key and what is accepted") {
  CHECK(parse_error(R"({"model_type": "bert"})").find("model_type 'bert' is not supported; accepted: gpt2, llama") !=
        std::string::npos);
  CHECK(parse_error(R"({"model_type": "llama", "num_hidden_layers": 2})").find("'hidden_size' is missing") !=
        std::string::npos);
  CHECK(parse_error(R"({"model_type": "llama", "hidden_size": "big"})").find("'hidden_size' = \"big\" is invalid") !=
        std::string::npos);
  CHECK(parse_error(R"({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
      "num_attention_heads": 4, "num_key_value_heads": 3, "vocab_size": 10, "intermediate_size": 8})")
            .find("num_key_value_heads: must divide num_attention_heads") != std::string::npos);
  CHECK(parse_error(R"({"model_type": "llama", "hidden_size": -64, "num_hidden_layers": 2,
      "num_attention_heads": 4, "vocab_size": 10, "intermediate_size": 8})")
            .find("hidden_size: must be > 0") != std::string::npos);
  CHECK(parse_error("{\"model_type\": ").find("config.json: malformed JSON") != std::string::npos);
  CHECK(parse_error(R"({"model_type": "mixtral", "hidden_size": 64, "num_hidden_layers": 2,
      "num_attention_heads": 4, "vocab_size": 10, "intermediate_size": 8, "num_local_experts": 2,
      "num_experts_per_tok": 4})").find("num_experts_per_tok: must be <=") != std::string::npos);
  // 2^64 - 1 is refused as an integer, not wrapped to -1; a negative layer index is no index.
  CHECK(parse_error(R"({"model_type": "llama", "hidden_size": 18446744073709551615})")
            .find("'hidden_size' = 18446744073709551615 is invalid; expected an integer") != std::string::npos);
  CHECK(parse_error(R"({"model_type": "qwen2_moe", "hidden_size": 64, "num_hidden_layers": 2,
      "num_attention_heads": 4, "vocab_size": 10, "intermediate_size": 8, "moe_intermediate_size": 8,
      "num_experts": 4, "num_experts_per_tok": 2, "mlp_only_layers": [-1]})")
            .find("'mlp_only_layers[0]' = -1 is invalid") != std::string::npos);
}

TEST_CASE("Catalog names are case-insensitive, a near miss suggests the closest name") {
  const auto& catalog = perfplan::test::catalog();
  CHECK(catalog.entries().size() >= 16);
  CHECK(catalog.find("LLAMA-3.1-405B").name == "Llama-3.1-405B");
  CHECK(catalog.find("meta-llama/Llama-3.1-70B").name == "Llama-3.1-70B");
  CHECK(catalog.find("mixtral 8x7b").name == "Mixtral-8x7B");
  std::string message;
  try {
    catalog.find("llama-3.1-9b");
  } catch (const perfplan::InputError& e) {
    message = e.what();
  }
  CHECK(message.find("did you mean 'Llama-3.1-8B'?") != std::string::npos);
}
