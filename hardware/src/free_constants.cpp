// The constants `perfplan calibrate` fits: declared free by the bounds in their spec files,
// read and set by key on a catalog (a value type: callers fit on their own copy).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "perfplan/common/input_error.hpp"
#include "perfplan/hardware/hardware.hpp"

namespace perfplan::hardware {
namespace {

constexpr const char* kHostLaunch = "host.launch_us";
constexpr double kMicrosecond = 1e-6;

// The GPU field a free constant names (the same member, const or not).
template <typename Gpu>
auto* gpu_field(Gpu& gpu, const std::string& field) {
  if (field == "fp8_gemm_efficiency") return &gpu.fp8_gemm_efficiency;
  if (field == "attention_efficiency") return &gpu.attention_efficiency;
  if (field == "grouped_gemm_efficiency_ratio") return &gpu.grouped_gemm_efficiency_ratio;
  if (field == "attention_rate_scale") return &gpu.attention_rate_scale;
  return &gpu.gemm_efficiency;  // the loader accepts no other field in calibration.bounds
}

// "GROUP.field" of a GPU constant, split at the last '.'.
std::pair<std::string, std::string> split_key(const std::string& key) {
  const size_t dot = key.rfind('.');
  if (dot == std::string::npos) return {key, ""};
  return {key.substr(0, dot), key.substr(dot + 1)};
}

std::string value_text(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

}  // namespace

std::vector<FreeConstant> HardwareCatalog::free_constants() const {
  std::vector<FreeConstant> out;
  for (const auto& gpu : gpus_) {
    if (gpu.fit_group != gpu.name) continue;  // fits as another GPU, which declares the constants
    for (const auto& [field, range] : gpu.fit_bounds) {
      // A GPU without FP8 has no FP8 constant of its own.
      if (field == "fp8_gemm_efficiency" && gpu.peak_fp8_flops_per_s <= 0) continue;
      out.push_back({gpu.name + "." + field, *gpu_field(gpu, field), range.first, range.second, gpu.fit_bounds_source});
    }
  }
  for (const auto& f : frameworks_) {
    if (f.host_launch_us_bounds && f.fit_group == f.name) {
      out.push_back({f.name + "." + kHostLaunch, f.host_launch_s / kMicrosecond, f.host_launch_us_bounds->first,
                     f.host_launch_us_bounds->second, f.host_launch_bounds_source});
    }
  }
  std::sort(out.begin(), out.end(), [](const FreeConstant& a, const FreeConstant& b) { return a.key < b.key; });
  return out;
}

double HardwareCatalog::constant(const std::string& key) const {
  for (const auto& c : free_constants()) {
    if (c.key == key) return c.prior;  // free_constants() reads the current values
  }
  throw InputError("unknown free constant '" + key + "'");
}

void HardwareCatalog::set_constant(const std::string& key, double value) {
  const auto constants = free_constants();
  const auto it = std::find_if(constants.begin(), constants.end(), [&](const FreeConstant& c) { return c.key == key; });
  if (it == constants.end()) {
    std::string accepted;
    for (const auto& c : constants) accepted += " " + c.key;
    throw InputError("unknown free constant '" + key + "'; accepted:" + accepted);
  }
  if (!std::isfinite(value) || value < it->low || value > it->high) {
    throw InputError("constant " + key + " = " + value_text(value) + " lies outside its bounds [" +
                     value_text(it->low) + ", " + value_text(it->high) + "] (" + it->bound_source + ")");
  }
  const std::string suffix = std::string(".") + kHostLaunch;
  if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
    const std::string name = key.substr(0, key.size() - suffix.size());
    for (auto& f : frameworks_) {
      if (f.fit_group == name) f.host_launch_s = value * kMicrosecond;
    }
    return;
  }
  // Named copies: a lambda may not capture structured bindings before C++20 compilers all do.
  const auto parts = split_key(key);
  const auto& group = parts.first;
  const auto& field = parts.second;
  auto set = [&](GpuSpec& gpu) {
    if (gpu.fit_group == group) *gpu_field(gpu, field) = value;
  };
  for (auto& gpu : gpus_) set(gpu);
  for (auto& cluster : clusters_) {
    set(cluster.gpu);
    for (auto& part : cluster.parts) set(part.gpu);
  }
}

void HardwareCatalog::set_calibration(Calibration calibration) {
  for (const auto& [key, value] : calibration.constants) set_constant(key, value);
  calibration_ = std::move(calibration);
}

std::optional<PredictionBand> HardwareCatalog::prediction_band(const std::string& gpu_name,
                                                               const std::string& framework_family) const {
  const std::string family = gpu_family(gpu_name);
  for (const auto& [g, f] : std::vector<std::pair<std::string, std::string>>{
           {family, framework_family}, {family, ""}, {"", framework_family}, {"", ""}}) {
    for (const auto& e : calibration_.bands) {
      if (e.gpu_family == g && e.framework_family == f && e.band.cases > 0) return e.band;
    }
  }
  return std::nullopt;
}

}  // namespace perfplan::hardware
