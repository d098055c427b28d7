// The roofline itself, derived by hand on a made-up GPU with round numbers: 1 PFLOP/s bf16,
// 80% GEMM efficiency, 132 SMs, 50% attention efficiency, 2 TB/s HBM at 100%, 4 us launch floor.
#include <doctest/doctest.h>

#include "perfplan/predictor/compute_model.hpp"

using namespace perfplan;

namespace {

hardware::GpuSpec round_gpu() {
  hardware::GpuSpec g;
  g.name = "round";
  g.peak_bf16_flops_per_s = 1e15;
  g.peak_fp16_flops_per_s = 1e15;
  g.gemm_efficiency = 0.8;
  g.attention_efficiency = 0.5;
  g.sm_count = 132;
  g.hbm_bytes_per_s = 2e12;
  g.hbm_efficiency = 1.0;
  g.kernel_launch_s = 4e-6;
  return g;
}

}  // namespace

TEST_CASE("roofline GEMM: 4096^3 bf16 is compute-bound with 8 waves of 128x128 tiles") {
  // 32 x 32 = 1024 tiles on 132 SMs: 8 waves = 1056 tile slots, 1024 useful.
  // K-loop share of a tile: 4096 / (4096 + 256). FLOPs 2 * 4096^3 = 137,438,953,472.
  const double efficiency = 0.8 * (1024.0 / 1056.0) * (4096.0 / 4352.0);
  const double expected = 137438953472.0 / (1e15 * efficiency);
  CHECK(expected == doctest::Approx(188.24e-6).epsilon(1e-4));
  CHECK(predictor::gemm_time(4096, 4096, 4096, 1, model::DType::kBf16, round_gpu()) == doctest::Approx(expected));
}

TEST_CASE("roofline GEMM: one tile more than the SMs costs a whole second wave") {
  // 12 x 11 = 132 tiles: one full wave. 133 tiles (m = 12 x 128 + 1 row) need two waves.
  const auto gpu = round_gpu();
  const double one_wave = predictor::gemm_time(1536, 1408, 8192, 1, model::DType::kBf16, gpu);
  CHECK(one_wave == doctest::Approx(2.0 * 1536 * 1408 * 8192 / (1e15 * 0.8 * 1.0 * (8192.0 / 8448.0))));
  const double two_waves = predictor::gemm_time(1537, 1408, 8192, 1, model::DType::kBf16, gpu);
  // Tiles: ceil(1537/128) = 13 rows x 11 = 143 -> 2 waves = 264 slots; useful 1537*1408/16384.
  const double wave_efficiency = (1537.0 * 1408.0 / 16384.0) / 264.0;
  CHECK(two_waves ==
        doctest::Approx(2.0 * 1537 * 1408 * 8192 / (1e15 * 0.8 * wave_efficiency * (8192.0 / 8448.0))));
  CHECK(two_waves / one_wave == doctest::Approx(1.99).epsilon(0.01));
}

TEST_CASE("roofline GEMM: a matrix-vector product is bound by HBM, a tiny GEMM by the launch floor") {
  const auto gpu = round_gpu();
  // m = 1, n = k = 16384: bytes (1*16384 + 16384^2) * 2 + 16384 * 2 = 536,936,448 at 2 TB/s.
  CHECK(predictor::gemm_time(1, 16384, 16384, 1, model::DType::kBf16, gpu) ==
        doctest::Approx(536936448.0 / 2e12));
  CHECK(predictor::gemm_time(8, 8, 8, 1, model::DType::kBf16, gpu) == doctest::Approx(4e-6));
  CHECK(predictor::memory_time(1e9, gpu) == doctest::Approx(0.5e-3));
  CHECK(predictor::memory_time(1.0, gpu) == doctest::Approx(4e-6));
}

TEST_CASE("roofline FlashAttention: executed FLOPs at the attention rate, backward 2.5x FLOPs at 3/4 rate") {
  model::Operator op;
  op.name = "attention_core";
  op.kind = model::OpKind::kAttention;
  // 8 heads of 4096 x 4096, d = 128, causal: 4 * 8 * 4096^2 * 128 = 68,719,476,736 dense FLOPs,
  // half of them executed.
  op.forward_flops = 4.0 * 8 * 4096.0 * 4096.0 * 128;
  op.backward_flops = 2.5 * op.forward_flops;
  op.executed_fraction = 0.5;
  const auto t = predictor::RooflineModel().time(op, model::DType::kBf16, round_gpu());
  const double forward = 0.5 * 68719476736.0 / (1e15 * 0.5);
  CHECK(t.forward_s == doctest::Approx(forward));
  CHECK(t.forward_s == doctest::Approx(68.72e-6).epsilon(1e-3));
  CHECK(t.backward_s == doctest::Approx(forward * 2.5 / 0.75));
}

TEST_CASE("roofline attention: a kernel with published rates runs at the table's rate, not the scalar") {
  // A two-point table: causal forward 0.40 at seq 1024 and 0.60 at seq 4096 (head dim 128),
  // backward 0.50 / 0.70; the GPU's scalar efficiency (0.5) must not be used.
  auto rates = std::make_shared<hardware::AttentionRates>();
  hardware::AttentionRateTable table;
  table.seq = {1024, 4096};
  table.forward_causal[128] = {0.40, 0.60};
  table.forward_noncausal[128] = {0.50, 0.70};
  table.backward_causal[128] = {0.50, 0.70};
  table.backward_noncausal[128] = {0.60, 0.80};
  rates->kernels["flash2"] = table;
  hardware::GpuSpec gpu = round_gpu();
  gpu.attention_rates = rates;
  gpu.attention_rate_scale = 0.9;

  model::Operator op;
  op.name = "attention";
  op.kind = model::OpKind::kAttention;
  op.forward_flops = 4.0 * 8 * 2048.0 * 2048.0 * 128;
  op.backward_flops = 2.0 * op.forward_flops;
  op.executed_fraction = 0.5;
  op.attention = model::AttentionShape{1, 8, 2048, 128, true, model::AttentionKernel::kFlash2};
  const auto t = predictor::RooflineModel().time(op, model::DType::kBf16, gpu);
  // seq 2048 lies halfway in log2 between 1024 and 4096: forward 0.50, backward 0.60.
  const double executed = 0.5 * op.forward_flops;
  CHECK(t.forward_s == doctest::Approx(executed / (1e15 * 0.9 * 0.50)));
  CHECK(t.backward_s == doctest::Approx(2.5 * executed / (1e15 * 0.9 * 0.60)));

  // TE's fused attention (kFlash) without a cuDNN table takes the FlashAttention-2 one; an
  // unpublished kernel (FlashAttention-3 here) falls back to the scalar efficiency.
  op.attention->kernel = model::AttentionKernel::kFlash;
  CHECK(predictor::RooflineModel().time(op, model::DType::kBf16, gpu).forward_s == doctest::Approx(t.forward_s));
  op.attention->kernel = model::AttentionKernel::kFlash3;
  CHECK(predictor::RooflineModel().time(op, model::DType::kBf16, gpu).forward_s ==
        doctest::Approx(executed / (1e15 * 0.5)));
}
