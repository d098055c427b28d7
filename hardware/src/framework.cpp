#include "perfplan/hardware/framework.hpp"

#include <algorithm>
#include <cmath>

namespace perfplan::hardware {

KernelCount FrameworkSpec::kernels(const std::string& op_name, KernelCount model_count) const {
  const auto it = kernels_per_op.find(op_name);
  return it == kernels_per_op.end() ? model_count : it->second;
}

double FrameworkSpec::dp_bucket_params(int64_t dp_size) const {
  return std::max(dp_bucket_min_params, dp_bucket_params_per_rank * static_cast<double>(dp_size));
}

std::vector<std::string> FrameworkSpec::problems() const {
  std::vector<std::string> lines;
  const auto require = [&](bool ok, const char* path, const char* what) {
    if (!ok) lines.push_back(std::string(path) + ": " + what);
  };
  const auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  const auto non_negative = [](double v) { return std::isfinite(v) && v >= 0; };
  require(!name.empty(), "name", "missing");
  require(non_negative(host_launch_s), "host.launch_us", "must be >= 0 microseconds");
  require(non_negative(host_sync_s), "host.sync_us", "must be >= 0 microseconds");
  require(collective_sm_count > 0, "communication.collective_sm_count", "must be > 0 SMs");
  require(positive(dp_bucket_min_params), "data_parallel.bucket_min_params", "must be > 0 parameters");
  require(non_negative(dp_bucket_params_per_rank), "data_parallel.bucket_params_per_rank", "must be >= 0 parameters");
  require(!optimizer.empty(), "optimizer.name", "missing");
  require(std::isfinite(eager_elementwise_factor) && eager_elementwise_factor >= 1.0 && eager_elementwise_factor <= 10.0,
          "elementwise.eager_factor", "must be between 1 and 10");
  require(defaults.micro_batch_size > 0, "defaults.micro_batch_size", "must be > 0");
  require(non_negative(optimizer_state_bytes_per_parameter), "optimizer.state_bytes_per_parameter",
          "must be >= 0 bytes");
  require(non_negative(optimizer_step_bytes_per_parameter), "optimizer.step_bytes_per_parameter",
          "must be >= 0 bytes");
  require(non_negative(runtime_reserve_bytes), "memory.runtime_reserve_gib", "must be >= 0 GiB");
  for (const auto& [op, count] : kernels_per_op) {
    if (count.forward < 0 || count.backward < 0) lines.push_back("kernels_per_op." + op + ": counts must be >= 0");
  }
  return lines;
}

}  // namespace perfplan::hardware
