#pragma once
// Memory per GPU: model state (weights, gradients, optimizer states, sharded as configured),
// activations of the micro-batches in flight, and what the runtime reserves.
#include <string>

#include "perfplan/common/units.hpp"

#include "perfplan/model/architecture.hpp"
#include "perfplan/model/step_operators.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/predictor/parallel_config.hpp"

namespace perfplan::predictor {

struct MemoryBreakdown {
  double weights_bytes = 0;
  double gradients_bytes = 0;
  double optimizer_bytes = 0;
  double activations_bytes = 0;
  double runtime_bytes = 0;  // CUDA context, cuBLAS workspaces, NCCL buffers, allocator slack
  int64_t stage = 0;         // the pipeline stage with the largest need
  double capacity_bytes = 0; // that stage's GPU memory

  double model_state_bytes() const { return weights_bytes + gradients_bytes + optimizer_bytes; }
  double total_bytes() const { return model_state_bytes() + activations_bytes + runtime_bytes; }
};

struct MemoryFit {
  MemoryBreakdown peak;
  bool fits = true;
  std::string reason;  // why it does not fit, empty when it does
};

// Memory of every pipeline stage; the peak is the stage that needs the most.
// `stage_hbm_bytes` gives each stage's GPU memory on a mixed cluster (empty: gpu.hbm_bytes for
// every stage); the peak is then the stage closest to (or furthest over) its capacity.
MemoryFit memory_per_gpu(const model::Architecture& arch, const model::StepOperators& step,
                         const ParallelConfig& config, const hardware::GpuSpec& gpu,
                         const hardware::FrameworkSpec& framework, const std::vector<double>& stage_hbm_bytes = {});

// Bytes per parameter before sharding of low-precision weights and of gradients (fp32 main
// gradients); the optimizer's state bytes come from the framework spec.
double weight_bytes_per_parameter(model::DType dtype);
double gradient_bytes_per_parameter(model::DType dtype);

// Weights, gradients and optimizer state of `params` parameters on one GPU, sharded over
// `shards` data-parallel ranks as the layout says: ZeRO-1 / distributed optimizer shards the
// optimizer state, ZeRO-2 also the gradients, ZeRO-3 (FSDP) also the weights.
struct ModelState {
  double weights = 0, gradients = 0, optimizer = 0;
  double total() const { return weights + gradients + optimizer; }
};
ModelState model_state(double params, double shards, const ParallelConfig& config,
                       double optimizer_state_bytes_per_parameter);

}  // namespace perfplan::predictor
