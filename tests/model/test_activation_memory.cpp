// Activation bytes per layer against Korthikanti et al. 2022 ("Reducing Activation
// Recomputation in Large Transformer Models"): Sec. 4.1 eq. (1) and Table 2, for a GPT layer
// with the unfused attention and dropout they analyse (2-byte activations, 1-byte masks).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "model/catalog_fixture.hpp"
#include "perfplan/model/hf_config.hpp"
#include "perfplan/model/step_operators.hpp"

using namespace perfplan::model;

namespace {

// GPT-3 175B geometry (Korthikanti Table 3) with Megatron's padded vocabulary.
Architecture gpt175b() {
  nlohmann::json config = {{"model_type", "gpt2"},        {"hidden_size", 12288}, {"num_hidden_layers", 96},
                           {"num_attention_heads", 96},   {"vocab_size", 51200},  {"max_position_embeddings", 2048}};
  return architecture_from_hf_config(config, "gpt-3 175b");
}

double layer_bytes(const Architecture& a, int64_t tp, bool sp, Recompute recompute) {
  StepConfig c;
  c.seq_len = 2048;
  c.micro_batch_size = 1;
  c.dtype = DType::kFp16;
  c.tp = tp;
  c.sequence_parallel = sp;
  c.recompute = recompute;
  c.attention = AttentionKernel::kUnfused;
  return totals(build_step_operators(a, c).layer(10)).activation_bytes;
}

}  // namespace

TEST_CASE("Korthikanti Table 2: activation bytes per layer, every recompute mode, with and without SP") {
  const Architecture a = gpt175b();
  const double s = 2048, b = 1, h = 12288, heads = 96;
  const double sbh = s * b * h;
  const double score = 5.0 * heads * s / h;  // the 5as/h term
  for (int64_t tp : {1, 2, 8}) {
    CAPTURE(tp);
    const double t = static_cast<double>(tp);
    // No parallelism: sbh(34 + 5as/h); TP: sbh(10 + 24/t + 5as/(ht)).
    CHECK(layer_bytes(a, tp, false, Recompute::kNone) == doctest::Approx(sbh * (10.0 + 24.0 / t + score / t)));
    // Selective recompute drops the 5as/h term: sbh(10 + 24/t).
    CHECK(layer_bytes(a, tp, false, Recompute::kSelective) == doctest::Approx(sbh * (10.0 + 24.0 / t)));
    // Full recompute keeps the layer input: 2sbh.
    CHECK(layer_bytes(a, tp, false, Recompute::kFull) == doctest::Approx(2.0 * sbh));
    if (tp > 1) {
      // TP + SP: sbh/t (34 + 5as/h); with selective: 34 sbh/t; full: 2sbh/t.
      CHECK(layer_bytes(a, tp, true, Recompute::kNone) == doctest::Approx(sbh / t * (34.0 + score)));
      CHECK(layer_bytes(a, tp, true, Recompute::kSelective) == doctest::Approx(34.0 * sbh / t));
      CHECK(layer_bytes(a, tp, true, Recompute::kFull) == doctest::Approx(2.0 * sbh / t));
    }
  }
}

TEST_CASE("Flash attention keeps Q, K, V and the softmax statistics, never the s x s scores") {
  const Architecture& a = perfplan::test::arch("llama-3.1-8b");
  StepConfig c;
  c.seq_len = 8192;
  c.micro_batch_size = 2;
  const double T = 2.0 * 8192;
  const double h = 4096, kv = 8 * 128, f = 14336;
  // Llama layer (no dropout): input norm 2Th, QKV input 2Th, Q,K,V 2T(h + 2kv), LSE 4 T a,
  // o_proj input 2Th, post norm 2Th, gate/up input 2Th, SwiGLU input 2*2Tf, down input 2Tf.
  const double expected = 2 * T * h * 5 + 2 * T * (h + 2 * kv) + 4 * T * 32 + 2 * 2 * T * f + 2 * T * f;
  CHECK(totals(build_step_operators(a, c).layer(0)).activation_bytes == doctest::Approx(expected));
}

TEST_CASE("Context parallelism divides every activation of a layer by cp") {
  const Architecture& a = perfplan::test::arch("llama-3.1-70b");
  StepConfig c;
  c.seq_len = 8192;
  c.tp = 8;
  c.sequence_parallel = true;
  const double one = totals(build_step_operators(a, c).layer(0)).activation_bytes;
  c.cp = 4;
  const double four = totals(build_step_operators(a, c).layer(0)).activation_bytes;
  CHECK(four == doctest::Approx(one / 4.0));
}

TEST_CASE("A remat policy that saves the QKV projection: it runs once and keeps its s x b x 3h output") {
  const Architecture a = gpt175b();
  StepConfig c;
  c.seq_len = 2048;
  c.micro_batch_size = 1;
  c.dtype = DType::kBf16;
  c.tp = 8;
  c.recompute = Recompute::kFull;
  const double s = 2048, h = 12288, t = 8;
  const auto plain = build_step_operators(a, c);
  c.recompute_keep = {"qkv_proj"};
  const auto policy = build_step_operators(a, c);
  double plain_bytes = 0, policy_bytes = 0;
  for (const auto& op : plain.layer_kinds.front().ops) plain_bytes += op.activation_bytes;
  for (const auto& op : policy.layer_kinds.front().ops) {
    policy_bytes += op.activation_bytes;
    if (op.name == "qkv_proj") {
      CHECK_FALSE(op.recomputed);
    } else {
      CHECK(op.recomputed);
    }
  }
  // Full recompute keeps the layer input (2sbh); the policy adds Q, K, V on this TP rank: 2 * s * 3h / t.
  CHECK(plain_bytes == doctest::Approx(2.0 * s * h));
  CHECK(policy_bytes - plain_bytes == doctest::Approx(2.0 * s * 3.0 * h / t));
}
