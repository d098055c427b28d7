// The best layout of a plan as the launch configuration of its framework (plan --emit, plan
// --json, report), with the rank map of a mixed cluster.
#include <optional>
#include <string>

#include "perfplan/launch/launch_config.hpp"
#include "plan_arguments.hpp"

namespace perfplan::cli {
namespace {

std::string launch_text(launch::LaunchFramework framework, const PlanArguments& a, const planner::PlanResult& r) {
  const auto& best = r.top.front();
  std::string text = launch::render_launch_config(framework, a.request.architecture, best.config,
                                                  a.request.cluster.num_gpus, a.request.cluster.gpus_per_node);
  if (a.request.cluster.parts.empty()) return text;
  // A mixed cluster: which nodes hold which GPUs, in rank order (pipeline stage s holds ranks
  // s x tp x cp x dp onwards under Megatron's tp-cp-ep-dp-pp order), and where the stages run.
  const auto& parts = a.request.cluster.parts;
  std::string header = "# mixed cluster, ranks in this order:";
  const auto& c = best.config;
  if (!c.stage_part.empty()) {
    const int64_t per_stage = c.tp * c.cp * c.dp;
    for (size_t s = 0; s < c.stage_part.size(); ++s) {
      const auto& part = parts[static_cast<size_t>(c.stage_part[s])];
      header += " " + std::to_string(static_cast<int64_t>(s) * per_stage) + "-" +
                std::to_string(static_cast<int64_t>(s + 1) * per_stage - 1) + " (stage " + std::to_string(s) + ") on " +
                part.name + " (" + part.gpu.name + ")";
    }
  } else {
    int64_t first = 0;
    for (const auto& part : parts) {
      header += " " + std::to_string(first) + "-" + std::to_string(first + part.num_gpus - 1) + " on " + part.name +
                " (" + part.gpu.name + ")";
      first += part.num_gpus;
    }
  }
  header += "\n# " + best.placement + "\n";
  const size_t after_first_line = text.find('\n') + 1;
  return text.insert(after_first_line, header);
}

}  // namespace

report::LaunchSection best_launch_config(const PlanArguments& a, const planner::PlanResult& r) {
  report::LaunchSection section;
  const std::optional<launch::LaunchFramework> writer =
      a.emit.empty() ? launch::launch_framework_for(a.request.framework.name) : launch::parse_launch_framework(a.emit);
  if (!writer) {
    section.unavailable = "perfplan writes launch configs for megatron-core / megatron-lm, megatron-bridge, nemo and "
                          "torchtitan, not for " + a.request.framework.name;
    return section;
  }
  section.framework = launch::to_string(*writer);
  section.target = std::string(launch::launch_target(*writer).name) + " " + launch::launch_target(*writer).version;
  section.text = launch_text(*writer, a, r);
  return section;
}

}  // namespace perfplan::cli
