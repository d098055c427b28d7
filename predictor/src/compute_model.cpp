#include "perfplan/predictor/compute_model.hpp"

#include <algorithm>
#include <cmath>

namespace perfplan::predictor {
namespace {

// CUTLASS / cuBLAS pick output tiles of about 128 x 128 for large GEMMs on Ampere and Hopper.
constexpr double kTileM = 128.0;
constexpr double kTileN = 128.0;

double wave_efficiency(double m, double n, double count, int64_t sm_count) {
  const double tiles = std::ceil(m / kTileM) * std::ceil(n / kTileN) * count;
  const double sms = static_cast<double>(std::max<int64_t>(sm_count, 1));
  const double waves = std::ceil(tiles / sms);
  // Useful work over the work of all tiles in all waves (tile edges padded, last wave partial).
  const double useful = (m * n * count) / (kTileM * kTileN);
  return std::min(1.0, useful / (waves * sms));
}

}  // namespace

double attention_backward_time(double forward_s, const hardware::GpuSpec& gpu) {
  return kAttentionBackwardFlopRatio / gpu.attention_backward_rate_ratio * forward_s;
}

double memory_time(double bytes, const hardware::GpuSpec& gpu) {
  return std::max(gpu.kernel_launch_s, bytes / (gpu.hbm_bytes_per_s * gpu.hbm_efficiency));
}

double gemm_time(double m, double n, double k, double count, model::DType dtype, const hardware::GpuSpec& gpu,
                 double efficiency_scale) {
  if (m <= 0 || n <= 0 || k <= 0 || count <= 0) return 0.0;
  const double flops = 2.0 * m * n * k * count;
  const double efficiency = efficiency_scale * gpu.gemm_efficiency_for(dtype) *
                            wave_efficiency(m, n, count, gpu.sm_count) *
                            (k / (k + gpu.gemm_tile_overhead_k));
  const double compute_s = flops / (gpu.peak_flops_per_s(dtype) * efficiency);
  const double operand = model::bytes_per_element(dtype);
  const double bytes = count * ((m * k + k * n) * operand + m * n * 2.0);
  return std::max({compute_s, bytes / (gpu.hbm_bytes_per_s * gpu.hbm_efficiency), gpu.kernel_launch_s});
}

OperatorTime RooflineModel::time(const model::Operator& op, model::DType dtype, const hardware::GpuSpec& gpu) const {
  using model::OpKind;
  OperatorTime t;
  switch (op.kind) {
    case OpKind::kGemm:
    case OpKind::kGroupedGemm: {
      const auto& g = *op.gemm;
      if (dtype == model::DType::kFp8 && !op.fp8_capable) dtype = model::DType::kBf16;
      const double m = static_cast<double>(g.m), n = static_cast<double>(g.n), k = static_cast<double>(g.k);
      const double count = static_cast<double>(g.count);
      // Grouped expert GEMMs run as one GEMM per expert (Transformer Engine's GroupedLinear):
      // each has its own tile waves and launch floor.
      // Grouped expert GEMMs reach a fraction of a dense GEMM's rate (the GPU's measured ratio).
      const double scale = op.kind == OpKind::kGroupedGemm ? gpu.grouped_gemm_efficiency_ratio : 1.0;
      t.forward_s = count * gemm_time(m, n, k, 1.0, dtype, gpu, scale);
      // dgrad: (m x k) = (m x n)(n x k); wgrad: (k x n) = (k x m)(m x n).
      const double dgrad = count * gemm_time(m, k, n, 1.0, dtype, gpu, scale);
      t.weight_grad_s = count * gemm_time(k, n, m, 1.0, dtype, gpu, scale);
      t.backward_s = dgrad + t.weight_grad_s;
      if (dtype == model::DType::kFp8 && !fused_fp8_casts_) {
        // Quantising the input (forward) and the output gradient (backward) to FP8, per GEMM
        // (Transformer Engine current scaling): an amax pass over bf16 (2 bytes), the cast (read
        // 2, write 1) and the transposed copy the weight-gradient GEMM needs (1): 6 bytes per
        // element.
        t.forward_s += count * memory_time(m * k * 6.0, gpu);
        t.backward_s += count * memory_time(m * n * 6.0, gpu);
      }
      break;
    }
    case OpKind::kBatchedGemm: {
      const auto& g = *op.gemm;
      const double m = static_cast<double>(g.m), n = static_cast<double>(g.n), k = static_cast<double>(g.k);
      const double count = static_cast<double>(g.count);
      const model::DType precision = dtype == model::DType::kFp8 ? model::DType::kBf16 : dtype;
      t.forward_s = gemm_time(m, n, k, count, precision, gpu);
      t.backward_s = gemm_time(m, k, n, count, precision, gpu) + gemm_time(k, n, m, count, precision, gpu);
      break;
    }
    case OpKind::kAttention: {
      const model::DType precision = dtype == model::DType::kFp8 ? model::DType::kBf16 : dtype;
      const double peak = gpu.peak_flops_per_s(precision);
      const hardware::AttentionRateTable* table =
          op.attention ? gpu.attention_table(op.attention->kernel) : nullptr;
      if (table) {
        // Published rates of this kernel at this shape (FLOPs as the papers count them: the
        // executed causal half; backward 2.5x forward).
        const auto& a = *op.attention;
        const double seq = static_cast<double>(a.seq), head_dim = static_cast<double>(a.head_dim);
        const double scale = gpu.attention_rate_scale * peak;
        t.forward_s = std::max(gpu.kernel_launch_s,
                               op.executed_forward_flops() / (scale * table->forward(seq, head_dim, a.causal)));
        t.backward_s = std::max(gpu.kernel_launch_s, kAttentionBackwardFlopRatio * op.executed_forward_flops() /
                                                         (scale * table->backward(seq, head_dim, a.causal)));
        break;
      }
      t.forward_s = std::max(gpu.kernel_launch_s, op.executed_forward_flops() / (peak * gpu.attention_efficiency));
      // Backward recomputes the scores: 5 GEMM-sized products to the forward's 2, at the GPU's
      // measured backward / forward rate ratio.
      t.backward_s = attention_backward_time(t.forward_s, gpu);
      break;
    }
    default:
      t.forward_s = memory_time(op.forward_bytes, gpu);
      t.backward_s = memory_time(op.backward_bytes, gpu);
      break;
  }
  return t;
}

}  // namespace perfplan::predictor
