// Memory per GPU against Korthikanti et al. 2022 by hand: model state of 18 bytes per parameter
// (Fig. 1: fp16 weights, fp32 main gradients, fp32 master weights and Adam moments) and
// activations of the first pipeline stage, Sec. 4.2.3 (interleaved 1F1B holds
// p * (1 + (p-1)/(p*v)) micro-batches' worth of the stage's layers).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "perfplan/model/hf_config.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/predictor/memory.hpp"


using namespace perfplan;

namespace {

model::Architecture gpt3_without_embedding_dropout() {
  nlohmann::json config = {{"model_type", "gpt2"},       {"hidden_size", 12288}, {"num_hidden_layers", 96},
                           {"num_attention_heads", 96},  {"vocab_size", 51200},  {"max_position_embeddings", 2048},
                           {"embd_pdrop", 0.0}};
  auto arch = model::architecture_from_hf_config(config, "gpt-3");
  arch.name = "GPT-3 175B";
  return arch;
}

predictor::ParallelConfig korthikanti_175b(model::Recompute recompute, bool sp) {
  predictor::ParallelConfig c;
  c.tp = 8;
  c.pp = 8;
  c.vp = 3;
  c.schedule = predictor::PipelineSchedule::kInterleaved;
  c.dp = 1;
  c.sequence_parallel = sp;
  c.recompute = recompute;
  c.seq_len = 2048;
  c.micro_batch_size = 1;
  c.global_batch_size = 64;
  c.dtype = model::DType::kFp16;
  c.attention = model::AttentionKernel::kUnfused;
  return c;
}

hardware::GpuSpec a100() {
  hardware::GpuSpec gpu;
  gpu.name = "A100-SXM4-80GB";
  gpu.hbm_bytes = 80.0 * 1024 * 1024 * 1024;
  return gpu;
}

// Mixed-precision Adam (12 state bytes per parameter: ZeRO paper Sec. 3.1) and a given runtime
// reserve; the other framework figures do not enter memory.
hardware::FrameworkSpec adam(double runtime_bytes = 0.0) {
  hardware::FrameworkSpec f;
  f.name = "test";
  f.optimizer = "adam";
  f.optimizer_state_bytes_per_parameter = 12.0;
  f.runtime_reserve_bytes = runtime_bytes;
  return f;
}

}  // namespace

TEST_CASE("Korthikanti 175B, TP 8 + SP, selective recompute, PP 8 x VP 3: first-stage memory by hand") {
  const auto arch = gpt3_without_embedding_dropout();
  const auto config = korthikanti_175b(model::Recompute::kSelective, true);
  const auto step = model::build_step_operators(arch, config.step_config());
  const auto fit = predictor::memory_per_gpu(arch, step, config, a100(), adam());
  REQUIRE(fit.peak.stage == 0);
  const double s = 2048, h = 12288, t = 8, p = 8, v = 3, layers_per_stage = 12;
  const double per_layer = 34.0 * s * h / t;
  CHECK(fit.peak.activations_bytes == doctest::Approx(per_layer * layers_per_stage * p * (1 + (p - 1) / (p * v))));
  // Stage 0: 12 layers of 12h^2 + 13h weights over TP 8 (norm weights replicated), the
  // vocabulary-parallel embedding and the learned positions.
  // Column-parallel QKV and FC1 shard their biases (3h + 4h); the row-parallel biases (2h) and
  // the two LayerNorms (4h) are replicated.
  const double layer_params = (12.0 * h * h + 7.0 * h) / t + 6.0 * h;
  const double stage_params = layers_per_stage * layer_params + 51200.0 * h / t + 2048.0 * h;
  CHECK(fit.peak.model_state_bytes() == doctest::Approx(18.0 * stage_params).epsilon(1e-6));
}

TEST_CASE("Distributed optimizer shards the Adam state over DP, ZeRO-3 shards everything") {
  const auto arch = gpt3_without_embedding_dropout();
  auto config = korthikanti_175b(model::Recompute::kFull, true);
  config.dp = 4;
  config.global_batch_size = 256;
  const auto step = model::build_step_operators(arch, config.step_config());
  const auto plain = predictor::memory_per_gpu(arch, step, config, a100(), adam()).peak;
  config.distributed_optimizer = true;
  const auto sharded = predictor::memory_per_gpu(arch, step, config, a100(), adam()).peak;
  CHECK(sharded.optimizer_bytes == doctest::Approx(plain.optimizer_bytes / 4.0));
  CHECK(sharded.gradients_bytes == doctest::Approx(plain.gradients_bytes));
  config.zero_stage = 3;
  const auto fsdp = predictor::memory_per_gpu(arch, step, config, a100(), adam()).peak;
  CHECK(fsdp.weights_bytes == doctest::Approx(plain.weights_bytes / 4.0));
  CHECK(fsdp.gradients_bytes == doctest::Approx(plain.gradients_bytes / 4.0));
}

TEST_CASE("A layout that cannot fit says why") {
  const auto arch = gpt3_without_embedding_dropout();
  auto config = korthikanti_175b(model::Recompute::kNone, false);
  const auto step = model::build_step_operators(arch, config.step_config());
  const auto fit = predictor::memory_per_gpu(arch, step, config, a100(), adam(1.5 * 1024 * 1024 * 1024));
  CHECK_FALSE(fit.fits);
  CHECK(fit.reason.find("A100-SXM4-80GB has 80.0 GiB") != std::string::npos);
}

TEST_CASE("HSDP shards the state over its group only: 4 copies of shards over 4 ranks hold 4x a full shard's bytes") {
  const auto arch = gpt3_without_embedding_dropout();
  auto config = korthikanti_175b(model::Recompute::kFull, true);
  config.dp = 16;
  config.global_batch_size = 256;
  config.zero_stage = 3;
  config.distributed_optimizer = true;
  const auto step = model::build_step_operators(arch, config.step_config());
  const auto full = predictor::memory_per_gpu(arch, step, config, a100(), adam()).peak;
  config.shard_size = 4;
  CHECK(config.shard_replicas() == 4);
  CHECK(config.dense_shard_size() == 4);
  CHECK(predictor::to_string(config).find(" fsdp hsdp4x4") != std::string::npos);
  const auto hybrid = predictor::memory_per_gpu(arch, step, config, a100(), adam()).peak;
  CHECK(hybrid.weights_bytes == doctest::Approx(4.0 * full.weights_bytes));
  CHECK(hybrid.gradients_bytes == doctest::Approx(4.0 * full.gradients_bytes));
  CHECK(hybrid.optimizer_bytes == doctest::Approx(4.0 * full.optimizer_bytes));
  CHECK(hybrid.activations_bytes == doctest::Approx(full.activations_bytes));
}
