// Summed FLOPs of a step against Megatron's closed forms (Narayanan et al., SC21, Sec. 5.1 and
// Appendix: 96 B s l h^2 (1 + s/6h + V/16lh) with full recompute; 72 B s l h^2 (1 + s/6h + V/12lh)
// without).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "model/catalog_fixture.hpp"
#include "perfplan/model/hf_config.hpp"
#include "perfplan/model/step_operators.hpp"

using namespace perfplan::model;

namespace {

Architecture gpt(int64_t h, int64_t layers, int64_t heads, int64_t vocab) {
  nlohmann::json config = {{"model_type", "gpt2"},          {"hidden_size", h},
                           {"num_hidden_layers", layers},   {"num_attention_heads", heads},
                           {"vocab_size", vocab},           {"max_position_embeddings", 2048},
                           {"intermediate_size", 4 * h}};
  return architecture_from_hf_config(config, "test gpt");
}

double megatron_full_recompute(double B, double s, double l, double h, double V) {
  return 96.0 * B * s * l * h * h * (1.0 + s / (6.0 * h) + V / (16.0 * l * h));
}

double megatron_no_recompute(double B, double s, double l, double h, double V) {
  return 72.0 * B * s * l * h * h * (1.0 + s / (6.0 * h) + V / (12.0 * l * h));
}

}  // namespace

TEST_CASE("GPT step FLOPs equal Megatron's formula within 1%") {
  struct Case { int64_t h, layers, heads, batch; };
  // SC21 Table 1 models: 1.7B, 18B, 175B, 1T (vocab 51200, seq 2048).
  const Case cases[] = {{2304, 24, 24, 16}, {6144, 40, 48, 8}, {12288, 96, 96, 1}, {25600, 128, 160, 1}};
  for (const auto& c : cases) {
    CAPTURE(c.h);
    const Architecture a = gpt(c.h, c.layers, c.heads, 51200);
    StepConfig config;
    config.seq_len = 2048;
    config.micro_batch_size = c.batch;
    config.dtype = DType::kFp16;
    config.vocab_multiple = 1;
    config.recompute = Recompute::kFull;
    const auto full = step_totals(build_step_operators(a, config));
    const double expected_full = megatron_full_recompute(static_cast<double>(c.batch), 2048, static_cast<double>(c.layers),
                                                         static_cast<double>(c.h), 51200);
    CHECK(full.hardware_flops() / expected_full == doctest::Approx(1.0).epsilon(0.01));

    config.recompute = Recompute::kNone;
    const auto none = step_totals(build_step_operators(a, config));
    const double expected_none = megatron_no_recompute(static_cast<double>(c.batch), 2048, static_cast<double>(c.layers),
                                                       static_cast<double>(c.h), 51200);
    CHECK(none.hardware_flops() / expected_none == doctest::Approx(1.0).epsilon(0.01));
    CHECK(none.model_flops() == doctest::Approx(none.hardware_flops()));
  }
}

TEST_CASE("TP shards split a GEMM's FLOPs exactly, the step sums back to the unsharded one") {
  const Architecture a = gpt(12288, 96, 96, 51200);
  StepConfig config;
  config.seq_len = 2048;
  config.vocab_multiple = 1;
  const auto whole = step_totals(build_step_operators(a, config));
  config.tp = 8;
  config.sequence_parallel = true;
  const auto shard = step_totals(build_step_operators(a, config));
  // With SP nothing is replicated, so eight shards add up to the whole step.
  CHECK(8.0 * shard.model_flops() == doctest::Approx(whole.model_flops()).epsilon(1e-9));
}

TEST_CASE("Causal attention executes about half the dense-convention attention FLOPs") {
  const Architecture& a = perfplan::test::arch("llama-3.1-8b");
  StepConfig config;
  config.seq_len = 8192;
  const auto step = build_step_operators(a, config);
  const Operator* attention = nullptr;
  for (const auto& op : step.layer(0).ops) {
    if (op.kind == OpKind::kAttention) attention = &op;
  }
  REQUIRE(attention != nullptr);
  // 2 * tokens * keys * heads * (d_qk + d_v) = 4 * s^2 * h for MHA-sized heads.
  CHECK(attention->forward_flops == doctest::Approx(4.0 * 8192.0 * 8192.0 * 4096.0));
  CHECK(attention->executed_fraction == doctest::Approx((8192.0 + 1.0) / (2.0 * 8192.0)));
}

TEST_CASE("Sliding-window layers of GPT-OSS attend to at most the window") {
  const Architecture& a = perfplan::test::arch("gpt-oss-120b");
  StepConfig config;
  config.seq_len = 4096;
  const auto step = build_step_operators(a, config);
  REQUIRE(step.layer(0).sliding_window);
  REQUIRE_FALSE(step.layer(1).sliding_window);
  auto attention_flops = [&](int layer) {
    for (const auto& op : step.layer(layer).ops) {
      if (op.kind == OpKind::kAttention) return op.forward_flops;
    }
    return 0.0;
  };
  // 64 heads of 64: 2 * tokens * keys * 64 * 128.
  CHECK(attention_flops(0) == doctest::Approx(2.0 * 4096 * 128 * 64 * 128));
  CHECK(attention_flops(1) == doctest::Approx(2.0 * 4096 * 4096 * 64 * 128));
}
