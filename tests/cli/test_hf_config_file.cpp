// `perfplan model <config.json>` on Hugging Face config files in tests/data/, with parameter
// totals derived by hand.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "cli/run_cli.hpp"

using namespace perfplan::cli_test;

namespace {

// parameters.total from `perfplan model --json`. The renderer sorts keys, and "parameters" is a
// flat object, so the first "total" after it is its own; no JSON library needed.
double json_parameter_total(const std::string& json) {
  const size_t object = json.find("\"parameters\": {");
  REQUIRE(object != std::string::npos);
  const std::string key = "\"total\": ";
  const size_t at = json.find(key, object);
  REQUIRE(at != std::string::npos);
  return std::strtod(json.c_str() + at + key.size(), nullptr);
}

double parameter_total_of(const std::string& model) {
  const auto r = run_perfplan({"model", model, "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.empty());
  return json_parameter_total(r.out);
}

}  // namespace

TEST_CASE("cli: tiny llama config.json: parameter total by hand") {
  // h = 256, L = 4, heads = 4 (d = h / heads = 64), kv = 2, f = 688, V = 1000, tied embeddings.
  //   embedding            V*h                  = 1000*256            =   256,000
  //   per layer  q         h*h                  = 256*256             =    65,536
  //              k, v      2*h*(kv*d)           = 2*256*(2*64)        =    65,536
  //              o         h*h                  = 256*256             =    65,536
  //              MLP       3*h*f                = 3*256*688           =   528,384
  //              2 RMSNorm 2*h                  = 2*256               =       512
  //              layer                                                =   725,504
  //   4 layers                                  = 4*725,504           = 2,902,016
  //   final RMSNorm        h                                          =       256
  //   head                 tied to the embedding                      =         0
  //   total                256,000 + 2,902,016 + 256                  = 3,158,272
  const double h = 256, layers = 4, heads = 4, kv = 2, f = 688, vocab = 1000;
  const double d = h / heads;
  const double per_layer = h * h + 2 * h * (kv * d) + h * h + 3 * h * f + 2 * h;
  const double expected = vocab * h + layers * per_layer + h;
  REQUIRE(expected == 3158272.0);
  CHECK(parameter_total_of((test_data_dir() / "tiny_llama_config.json").string()) == expected);
}

TEST_CASE("cli: tiny llama config.json: text output names it and runs a step") {
  const auto r = run_perfplan({"model", (test_data_dir() / "tiny_llama_config.json").string(), "--seq", "128"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.empty());
  CHECK(contains(r.out, "tiny_llama_config (llama, 4 layers, hidden 256, 4 heads / 2 KV heads)"));
  CHECK(contains(r.out, "micro-batch 1 x seq 128"));
}

TEST_CASE("cli: openai gpt2 config.json (n_embd, n_layer, n_head, n_positions): GPT-2 small has 124,439,808 parameters") {
  // h = 768, L = 12, V = 50257, 1024 positions, MLP 4h, LayerNorm and biases everywhere, tied head.
  //   embeddings   V*h + 1024*h                          = 38,597,376 + 786,432 = 39,383,808
  //   per layer    2 LayerNorms 2*2h                     =     3,072
  //                c_attn h*3h + 3h                      = 1,771,776
  //                c_proj h*h + h                        =   590,592
  //                c_fc h*4h + 4h                        = 2,362,368
  //                c_proj 4h*h + h                       = 2,360,064
  //                layer                                 = 7,087,872;  12 layers = 85,054,464
  //   final LayerNorm 2h                                 =     1,536
  //   total                                              = 124,439,808
  const double h = 768, layers = 12, vocab = 50257, positions = 1024;
  const double per_layer = 4 * h + (3 * h * h + 3 * h) + (h * h + h) + (4 * h * h + 4 * h) + (4 * h * h + h);
  const double expected = vocab * h + positions * h + layers * per_layer + 2 * h;
  REQUIRE(expected == 124439808.0);
  CHECK(parameter_total_of((test_data_dir() / "gpt2_config.json").string()) == expected);
  // The catalog's GPT-2 entry holds the same config.
  CHECK(parameter_total_of("gpt2") == expected);
}
