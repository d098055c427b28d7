// Config keys that are present but nonsensical, or that contradict each other, are refused with
// the file, the key, the value and what is accepted (campaign findings 4, 9, 13): catalog configs
// with one key changed.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/json_file.hpp"
#include "perfplan/model/catalog.hpp"
#include "perfplan/model/hf_config.hpp"

using namespace perfplan::model;
using nlohmann::json;

namespace {

json catalog_config(const std::string& stem) {
  return perfplan::common::read_json_file(default_catalog_directory() / (stem + ".json"))["config"];
}

// The message of the error reading `stem`'s config after `change`, or "" when it loads.
std::string refusal(const std::string& stem, const std::function<void(json&)>& change) {
  json config = catalog_config(stem);
  change(config);
  try {
    architecture_from_hf_config(config, "config.json");
  } catch (const perfplan::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("GPT-OSS without layer_types alternates sliding and full attention as Hugging Face does") {
  json config = catalog_config("gpt-oss-120b");
  config.erase("layer_types");
  const Architecture a = architecture_from_hf_config(config, "config.json");
  int64_t sliding = 0;
  for (int64_t l = 0; l < a.num_layers; ++l) sliding += a.uses_sliding_window(l) ? 1 : 0;
  CHECK(a.num_layers == 36);
  CHECK(sliding == 18);
  CHECK(a.uses_sliding_window(0));
  CHECK_FALSE(a.uses_sliding_window(1));
  CHECK(a.uses_sliding_window(34));
  CHECK_FALSE(a.uses_sliding_window(35));
  CHECK(refusal("gpt-oss-120b", [](json& c) { c["layer_types"] = json::array(); }) ==
        "config.json: key 'layer_types' has 0 entries; expected one per layer (36)");
}

TEST_CASE("Out-of-range MoE, window, rotary and layer keys are refused naming the key and the accepted range") {
  CHECK(refusal("deepseek-v3", [](json& c) { c["n_shared_experts"] = -1; }) ==
        "config.json: key 'n_shared_experts' = -1 is invalid; expected an integer >= 0");
  CHECK(refusal("deepseek-v3", [](json& c) { c["n_group"] = 7; }) ==
        "config.json: key 'n_group' = 7 is invalid; expected a divisor of n_routed_experts (256)");
  CHECK(refusal("deepseek-v3", [](json& c) { c["topk_group"] = 9; }) ==
        "config.json: key 'topk_group' = 9 is invalid; expected an integer in [1, n_group = 8]");
  for (int window : {-128, 0}) {
    CHECK(refusal("gpt-oss-120b", [window](json& c) { c["sliding_window"] = window; }) ==
          "config.json: key 'sliding_window' = " + std::to_string(window) +
              " is invalid; expected a positive number of tokens, or null for no window");
  }
  // null stays "no window", as in the Mixtral and Qwen3 catalog configs.
  json no_window = catalog_config("gpt-oss-120b");
  no_window["sliding_window"] = nullptr;
  CHECK(architecture_from_hf_config(no_window, "config.json").sliding_window == 0);
  CHECK(refusal("qwen3-30b-a3b", [](json& c) {
          c["use_sliding_window"] = true;
          c["sliding_window"] = 128;
          c["max_window_layers"] = -5;
        }) == "config.json: key 'max_window_layers' = -5 is invalid; expected an integer >= 0");
  for (double factor : {-1.0, 0.0, 5.0}) {
    CHECK(refusal("nemotron-4-15b", [factor](json& c) {
            c["partial_rotary_factor"] = factor;
          }).find("key 'partial_rotary_factor' = ") != std::string::npos);
  }
  CHECK(refusal("nemotron-4-15b", [](json& c) { c["partial_rotary_factor"] = 5; }) ==
        "config.json: key 'partial_rotary_factor' = 5 is invalid; expected a number in (0, 1]");
  CHECK(refusal("qwen3-30b-a3b",
                [](json& c) {
                  c["mlp_only_layers"] = {100, -1};
                }) ==
        "config.json: key 'mlp_only_layers[0]' = 100 is invalid; expected a layer index, an integer in [0, 48) "
        "(num_hidden_layers = 48)");
  CHECK(refusal("qwen3-30b-a3b", [](json& c) {
          c["mlp_only_layers"] = {3, -1};
        }).find("key 'mlp_only_layers[1]' = -1 is invalid") != std::string::npos);
  CHECK(refusal("qwen3-30b-a3b", [](json& c) {
          c["mlp_only_layers"] = {"a"};
        }).find("key 'mlp_only_layers[0]' = \"a\" is invalid") != std::string::npos);
}

TEST_CASE("An activation the family's MLP does not have is refused, listing the accepted names") {
  CHECK(refusal("nemotron-4-15b", [](json& c) { c["hidden_act"] = "weird"; }) ==
        "config.json: key 'hidden_act' = \"weird\" is invalid; expected one of relu2 (model_type 'nemotron' has "
        "a squared-ReLU MLP)");
  CHECK(refusal("gpt-2", [](json& c) { c["activation_function"] = "tanhxx"; }) ==
        "config.json: key 'activation_function' = \"tanhxx\" is invalid; expected one of gelu, gelu_10, gelu_fast, "
        "gelu_new, gelu_python, gelu_pytorch_tanh, gelu_accurate, laplace, leaky_relu, linear, mish, quick_gelu, relu, "
        "relu2, relu6, sigmoid, silu, swish, tanh, prelu, xielu (model_type 'gpt2' has a GELU MLP)");
  // Any Hugging Face activation costs the same elementwise pass: a ReLU Llama is a Llama.
  CHECK(refusal("llama-3.1-8b", [](json& c) { c["hidden_act"] = "relu"; }).empty());
  // Grok-1 is written as mixtral with a gated GELU: the same cost as SwiGLU.
  CHECK(refusal("mixtral-8x7b", [](json& c) { c["hidden_act"] = "gelu"; }).empty());
}

TEST_CASE("Alias keys given together with different values are refused, naming both") {
  CHECK(refusal("gpt-2",
                [](json& c) {
                  c["hidden_size"] = 12288;
                  c["n_embd"] = 1024;
                }) ==
        "config.json: keys 'hidden_size' = 12288 and 'n_embd' = 1024 are aliases of one setting with "
        "different values; give one, or both equal");
  CHECK(refusal("bloom-176b", [](json& c) { c["num_hidden_layers"] = 2; }) ==
        "config.json: keys 'num_hidden_layers' = 2 and 'n_layer' = 70 are aliases of one setting with different "
        "values; give one, or both equal");
  CHECK(refusal("bloom-176b", [](json& c) {
          c["num_attention_heads"] = 7;
        }).find("keys 'num_attention_heads' = 7 and 'n_head' = 112 are aliases") != std::string::npos);
  CHECK(refusal("gpt-oss-120b", [](json& c) {
          c["experts_per_token"] = 64;
        }).find("keys 'num_experts_per_tok' = 4 and 'experts_per_token' = 64 are aliases") != std::string::npos);
  CHECK(refusal("llama-3.1-8b", [](json& c) { c["rope_scaling"]["type"] = "linear"; })
            .find("key 'rope_scaling.type' = \"linear\" is invalid; expected the same value as "
                  "rope_scaling.rope_type (\"llama3\")") != std::string::npos);
  // Equal values under both names are one setting given twice: fine (GPT-OSS's own config).
  CHECK(refusal("gpt-oss-120b", [](json& c) { c["experts_per_token"] = 4; }).empty());
}

TEST_CASE("Two catalog entries answering to one name or alias are refused at load, naming both files") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "perfplan_test_catalog_duplicate_names";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(default_catalog_directory() / "llama-2-7b.json", dir / "llama-2-7b.json");
  json renamed = perfplan::common::read_json_file(default_catalog_directory() / "llama-3.1-8b.json");
  renamed["name"] = "LLAMA-2-7b";
  std::ofstream(dir / "llama-3.1-8b.json") << renamed.dump(2);
  std::string message;
  try {
    Catalog::load(dir);
  } catch (const perfplan::InputError& e) {
    message = e.what();
  }
  CHECK(message == (dir / "llama-3.1-8b.json").string() + ": name or alias 'llama-2-7b' is already used by " +
                       (dir / "llama-2-7b.json").string() +
                       " (catalog names, aliases and file names must be unique, ignoring case)");
  // An alias equal to another entry's name is the same clash.
  renamed["name"] = "Llama-3.1-8B";
  renamed["aliases"] = {"Llama-2-7B"};
  std::ofstream(dir / "llama-3.1-8b.json") << renamed.dump(2);
  message.clear();
  try {
    Catalog::load(dir);
  } catch (const perfplan::InputError& e) {
    message = e.what();
  }
  CHECK(message.find("name or alias 'llama-2-7b' is already used by") != std::string::npos);
  fs::remove_all(dir);
}
