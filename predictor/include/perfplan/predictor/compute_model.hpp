#pragma once
// Time of one operator's kernels on one GPU. Roofline by default; a measured kernel database can
// serve the same interface.
#include "perfplan/model/dtype.hpp"
#include "perfplan/model/operator.hpp"
#include "perfplan/hardware/hardware.hpp"

namespace perfplan::predictor {

struct OperatorTime {
  double forward_s = 0;
  double backward_s = 0;      // input and weight gradients
  double weight_grad_s = 0;   // the weight-gradient part of backward_s
};

class ComputeModel {
 public:
  virtual ~ComputeModel() = default;
  // `dtype` is the training precision; FP8 applies to the weight GEMMs only.
  virtual OperatorTime time(const model::Operator& op, model::DType dtype, const hardware::GpuSpec& gpu) const = 0;
};

// Roofline with tile and wave quantisation:
// - GEMMs: FLOPs / (peak * achievable efficiency * wave efficiency), where a GEMM is cut into
//   128 x 128 output tiles spread over the SMs in waves, bounded below by the HBM traffic; FP8
//   adds the cast of each input to FP8 (Transformer Engine's current scaling).
// - Grouped expert GEMMs: the same per expert, so few tokens per expert fill few tiles.
// - Flash attention: executed FLOPs at the GPU's attention efficiency; backward runs 5 of the
//   forward's 2 GEMM-sized products (FlashAttention-2, Dao 2023, Sec. 3.1.2) at the GPU's
//   measured backward / forward rate ratio (~3/4: 3.3x the forward time).
// - Memory-bound operators: bytes / (HBM bandwidth * efficiency).
// Every kernel costs at least the GPU's launch floor.
class RooflineModel final : public ComputeModel {
 public:
  RooflineModel() = default;
  // `fused_fp8_casts`: the framework's compiler folds the FP8 quantisation of GEMM inputs into
  // the producing kernel (XLA), so no separate amax / cast passes run.
  explicit RooflineModel(bool fused_fp8_casts) : fused_fp8_casts_(fused_fp8_casts) {}
  OperatorTime time(const model::Operator& op, model::DType dtype, const hardware::GpuSpec& gpu) const override;

 private:
  bool fused_fp8_casts_ = false;
};

// FlashAttention backward: 5 GEMM-sized products to the forward's 2 (Dao 2023, Sec. 3.1.2).
inline constexpr double kAttentionBackwardFlopRatio = 2.5;
// Backward seconds from forward seconds at the GPU's backward / forward rate ratio.
double attention_backward_time(double forward_s, const hardware::GpuSpec& gpu);

// Seconds of one GEMM (m x n x k, `count` of them) with operands in `dtype`.
// `efficiency_scale` multiplies the GPU's GEMM efficiency (grouped expert GEMMs).
double gemm_time(double m, double n, double k, double count, model::DType dtype, const hardware::GpuSpec& gpu,
                 double efficiency_scale = 1.0);
// Seconds to stream `bytes` through HBM (at least one launch).
double memory_time(double bytes, const hardware::GpuSpec& gpu);

}  // namespace perfplan::predictor
