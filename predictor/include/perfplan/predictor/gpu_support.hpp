#pragma once
// Whether every GPU of a cluster can run a training dtype and attention kernel at all.
#include <optional>

#include "perfplan/hardware/hardware.hpp"
#include "perfplan/model/attention_kernel.hpp"
#include "perfplan/model/dtype.hpp"
#include "perfplan/predictor/infeasible.hpp"

namespace perfplan::predictor {

// What every GPU must support: the training dtype needs tensor cores of that type (Transformer
// Engine's FP8 needs compute capability 8.9+: Ada, Hopper, Blackwell; bf16 needs 8.0+, Ampere);
// a spec without that peak has none. FlashAttention-3 runs on Hopper only, FlashAttention-2 on
// Ampere and newer (Dao-AILab/flash-attention README: "FlashAttention-3 ... for Hopper GPUs",
// FlashAttention-2 "Ampere, Ada, or Hopper GPUs"). Nothing is silently run another way.
std::optional<Infeasible> check_gpu_support(const hardware::ClusterSpec& cluster, model::DType dtype,
                                           model::AttentionKernel attention);

}  // namespace perfplan::predictor
