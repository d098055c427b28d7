// Parameter counts against the figures the model authors publish.
#include <doctest/doctest.h>

#include "model/catalog_fixture.hpp"
#include "perfplan/model/parameter_count.hpp"

using perfplan::model::count_parameters;
using perfplan::test::arch;

namespace {
// |computed / published - 1| within `tolerance`.
void check_close(double computed, double published, double tolerance) {
  CAPTURE(computed);
  CAPTURE(published);
  CHECK(std::abs(computed / published - 1.0) <= tolerance);
}
}  // namespace

TEST_CASE("Llama-3.1 totals match Meta's model card within 0.5%") {
  // Model card: 8.03B, 70.6B, 405B.
  check_close(count_parameters(arch("llama-3.1-8b")).total, 8.03e9, 0.005);
  check_close(count_parameters(arch("llama-3.1-70b")).total, 70.6e9, 0.005);
  check_close(count_parameters(arch("llama-3.1-405b")).total, 405e9, 0.005);
  // Exact, by hand for 8B: embeddings 2 * 128256 * 4096; per layer q,o 2*4096^2, k,v 2*4096*1024,
  // MLP 3*4096*14336, norms 2*4096; final norm 4096.
  const double per_layer = 2.0 * 4096 * 4096 + 2.0 * 4096 * 1024 + 3.0 * 4096 * 14336 + 2.0 * 4096;
  CHECK(count_parameters(arch("llama-3.1-8b")).total == doctest::Approx(2.0 * 128256 * 4096 + 32 * per_layer + 4096));
}

TEST_CASE("Mixtral 8x7B: 46.7B total, 12.9B active") {
  const auto count = count_parameters(arch("mixtral-8x7b"));
  check_close(count.total, 46.7e9, 0.005);
  check_close(count.active, 12.9e9, 0.005);
}

TEST_CASE("DeepSeek-V3: 671B total without the MTP module, 37B active") {
  const auto count = count_parameters(arch("deepseek-v3"));
  check_close(count.total, 671e9, 0.005);
  // DeepSeek prints "37B" to two significant figures. Our exact count of every weight a token
  // reads is 37.55B (embedding table included); without the embedding lookup it is 36.63B.
  // Both round to the published figure's range only within 1.5%.
  check_close(count.active, 37e9, 0.015);
  check_close(count.active_compute(), 37e9, 0.015);
  // The HF checkpoint (685B) adds the MTP module, stored with its own copies of the embedding
  // and head (0.93B each) that training shares with the main model.
  check_close(count.total + count.mtp + 2.0 * 129280 * 7168, 685e9, 0.005);
}

TEST_CASE("GPT-3 175B within 0.5%") {
  check_close(count_parameters(arch("gpt-3-175b")).total, 175e9, 0.005);
}

TEST_CASE("GPT-2 small: 124,439,808 parameters (tied embeddings, learned positions, biases)") {
  // wte 50257*768 + wpe 1024*768 + 12 * (ln 2*2*768 + qkv 768*2304+2304 + proj 768*768+768
  // + fc 768*3072+3072 + proj 3072*768+768) + ln_f 2*768
  CHECK(count_parameters(arch("gpt-2")).total == 124439808.0);
}

TEST_CASE("Other MoE catalog models match their published counts") {
  const auto qwen_small = count_parameters(arch("qwen3-30b-a3b"));
  check_close(qwen_small.total, 30.5e9, 0.005);
  check_close(qwen_small.active, 3.3e9, 0.02);  // published to two figures
  const auto qwen_large = count_parameters(arch("qwen3-235b-a22b"));
  check_close(qwen_large.total, 235e9, 0.005);
  const auto mixtral_large = count_parameters(arch("mixtral-8x22b"));
  check_close(mixtral_large.total, 141e9, 0.005);
  check_close(mixtral_large.active, 39e9, 0.005);
  // OpenAI's model card: 116.83B total, 5.13B active (active counts the unembedding but not the
  // embedding table).
  const auto gpt_oss = count_parameters(arch("gpt-oss-120b"));
  check_close(gpt_oss.total, 116.83e9, 0.005);
  check_close(gpt_oss.active_compute(), 5.13e9, 0.005);
}

TEST_CASE("BLOOM-176B by hand: ALiBi (no position parameters), 4h GELU MLP with biases, tied embeddings") {
  const double h = 14336, v = 250880, layers = 70;
  // Per layer: QKV 3h^2 + 3h, output h^2 + h, fc1 4h^2 + 4h, fc2 4h^2 + h, two LayerNorms 4h.
  const double per_layer = 12 * h * h + 13 * h;
  const double total = count_parameters(arch("bloom-176b")).total;
  CHECK(total == doctest::Approx(v * h + layers * per_layer + 2 * h));
  // The model card's 176,247,271,424 also counts the embedding LayerNorm (2h = 28,672).
  CHECK(total + 2 * h == 176247271424.0);
}

TEST_CASE("Nemotron-4: squared-ReLU MLP without gating, untied embeddings, published totals") {
  const auto& a = arch("nemotron-4-15b");
  CHECK(a.mlp_activation == perfplan::model::MlpActivation::kSquaredRelu);
  // Nemotron-4 15B report: 3.2B embedding + 12.5B non-embedding parameters.
  check_close(count_parameters(a).total, 15.7e9, 0.005);
  // Nemotron-4 340B report: 9.4B embedding + 331.6B non-embedding.
  check_close(count_parameters(arch("nemotron-4-340b")).total, 341e9, 0.005);
}
