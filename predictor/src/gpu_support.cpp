#include "perfplan/predictor/gpu_support.hpp"

#include <string>
#include <vector>

namespace perfplan::predictor {

std::optional<Infeasible> check_gpu_support(const hardware::ClusterSpec& cluster, model::DType dtype,
                                           model::AttentionKernel attention) {
  std::vector<const hardware::GpuSpec*> gpus;
  if (cluster.parts.empty()) gpus.push_back(&cluster.gpu);
  for (const auto& part : cluster.parts) gpus.push_back(&part.gpu);
  for (const hardware::GpuSpec* gpu : gpus) {
    if (dtype == model::DType::kFp8 && !(gpu->peak_fp8_flops_per_s > 0)) {
      std::string accepted;
      if (gpu->peak_bf16_flops_per_s > 0) accepted += "bf16, ";
      if (gpu->peak_fp16_flops_per_s > 0) accepted += "fp16, ";
      return Infeasible{InfeasibleKind::kUnsupported,
                        gpu->name + " has no FP8 tensor cores (FP8 training needs compute capability 8.9+: Ada, "
                                    "Hopper, Blackwell); accepted dtypes there: " + accepted + "fp32"};
    }
    if (dtype == model::DType::kBf16 && !(gpu->peak_bf16_flops_per_s > 0)) {
      return Infeasible{InfeasibleKind::kUnsupported,
                        gpu->name + " has no bf16 tensor cores (bf16 needs compute capability 8.0+); train it in "
                                    "fp16 (--dtype fp16)"};
    }
    if (attention == model::AttentionKernel::kFlash3 && gpu->architecture != "hopper") {
      return Infeasible{InfeasibleKind::kUnsupported, "FlashAttention-3 runs on Hopper GPUs only, not " + gpu->name +
                                                          " (" + gpu->architecture + "); accepted there: flash, flash2, unfused"};
    }
    if (attention == model::AttentionKernel::kFlash2 && gpu->architecture == "volta") {
      return Infeasible{InfeasibleKind::kUnsupported, "FlashAttention-2 needs an Ampere or newer GPU, not " + gpu->name +
                                                          "; accepted there: flash, unfused"};
    }
  }
  return std::nullopt;
}

}  // namespace perfplan::predictor
