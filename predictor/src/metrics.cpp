#include "perfplan/predictor/metrics.hpp"

namespace perfplan::predictor {

void finish_metrics(Prediction& p, double tokens_per_step, double gpus, double peak_flops_per_s) {
  p.tokens_per_s = tokens_per_step / p.iteration_time_s;
  p.tokens_per_s_per_gpu = p.tokens_per_s / gpus;
  p.model_tflops_per_gpu = p.model_flops_per_step / p.iteration_time_s / gpus / 1e12;
  p.mfu = p.model_flops_per_step / p.iteration_time_s / gpus / peak_flops_per_s;
  p.hfu = p.hardware_flops_per_step / p.iteration_time_s / gpus / peak_flops_per_s;
}

double peak_flops_per_gpu(const hardware::ClusterSpec& cluster, model::DType dtype, double gpus) {
  if (cluster.parts.empty()) return cluster.gpu.peak_flops_per_s(dtype);
  double peak = 0;
  for (const auto& part : cluster.parts) {
    peak += part.gpu.peak_flops_per_s(dtype) * static_cast<double>(part.num_gpus) / gpus;
  }
  return peak;
}

}  // namespace perfplan::predictor
