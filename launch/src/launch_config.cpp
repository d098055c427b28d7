#include "perfplan/launch/launch_config.hpp"

#include <algorithm>
#include <cctype>

#include "launch_common.hpp"
#include "perfplan/common/input_error.hpp"

namespace perfplan::launch {

LaunchFramework parse_launch_framework(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (lower == "megatron") return LaunchFramework::kMegatron;
  if (lower == "megatron-bridge" || lower == "bridge") return LaunchFramework::kMegatronBridge;
  if (lower == "nemo") return LaunchFramework::kNemo;
  if (lower == "torchtitan") return LaunchFramework::kTorchtitan;
  throw InputError("unknown launch framework '" + text + "': accepted are megatron, megatron-bridge, nemo, torchtitan");
}

std::string to_string(LaunchFramework framework) {
  switch (framework) {
    case LaunchFramework::kMegatron:
      return "megatron";
    case LaunchFramework::kMegatronBridge:
      return "megatron-bridge";
    case LaunchFramework::kNemo:
      return "nemo";
    case LaunchFramework::kTorchtitan:
      return "torchtitan";
  }
  return "?";
}

// The releases whose sources the schemas were read from (launch/schemas/*.json name the commits).
const LaunchTarget& launch_target(LaunchFramework framework) {
  static const LaunchTarget megatron{"Megatron-LM", "core_v0.14.0", "megatron-lm-core_v0.14.0.json"};
  static const LaunchTarget bridge{"Megatron-Bridge", "v0.6.0", "megatron-bridge-v0.6.0.json"};
  static const LaunchTarget nemo{"NeMo", "v2.4.0", "nemo-v2.4.0.json"};
  static const LaunchTarget torchtitan{"torchtitan", "v0.2.2", "torchtitan-v0.2.2.json"};
  switch (framework) {
    case LaunchFramework::kMegatron:
      return megatron;
    case LaunchFramework::kMegatronBridge:
      return bridge;
    case LaunchFramework::kNemo:
      return nemo;
    case LaunchFramework::kTorchtitan:
      return torchtitan;
  }
  return megatron;
}

std::optional<LaunchFramework> launch_framework_for(const std::string& profile_name) {
  if (profile_name == "megatron-core" || profile_name == "megatron-lm") return LaunchFramework::kMegatron;
  if (profile_name == "megatron-bridge") return LaunchFramework::kMegatronBridge;
  if (profile_name == "nemo") return LaunchFramework::kNemo;
  if (profile_name == "torchtitan") return LaunchFramework::kTorchtitan;
  return std::nullopt;
}

std::string render_launch_config(LaunchFramework framework, const model::Architecture& arch,
                                 const predictor::ParallelConfig& config, int64_t num_gpus, int64_t gpus_per_node) {
  predictor::validate_layout(arch, config, num_gpus);
  const detail::Nodes nodes = detail::nodes_for(num_gpus, gpus_per_node);
  switch (framework) {
    case LaunchFramework::kMegatron:
      return detail::render_megatron_lm(arch, config, num_gpus, nodes);
    case LaunchFramework::kMegatronBridge:
      return detail::render_megatron_bridge(arch, config, num_gpus, nodes);
    case LaunchFramework::kNemo:
      return detail::render_nemo(arch, config, num_gpus, nodes);
    case LaunchFramework::kTorchtitan:
      return detail::render_torchtitan(arch, config, num_gpus, nodes);
  }
  return "";
}

}  // namespace perfplan::launch
