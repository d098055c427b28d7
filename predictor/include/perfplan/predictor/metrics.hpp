#pragma once
// The figures derived from an iteration time: throughput, model TFLOP/s, MFU and HFU. One home,
// shared by the homogeneous step and the planner's split-batch mixed-cluster path.
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/model/dtype.hpp"
#include "perfplan/predictor/predict.hpp"

namespace perfplan::predictor {

// Fills tokens_per_s, tokens_per_s_per_gpu, model_tflops_per_gpu, mfu and hfu of `p` from its
// iteration_time_s, model_flops_per_step and hardware_flops_per_step.
void finish_metrics(Prediction& p, double tokens_per_step, double gpus, double peak_flops_per_s);

// The dense peak of `dtype` per GPU: the GPU's, or on a mixed cluster the mean over its parts
// weighted by their GPU counts (out of `gpus`).
double peak_flops_per_gpu(const hardware::ClusterSpec& cluster, model::DType dtype, double gpus);

}  // namespace perfplan::predictor
