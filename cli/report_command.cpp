// `perfplan report`: the plan as one self-contained HTML file.
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "perfplan/common/version.hpp"
#include "commands.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/web/report.hpp"
#include "perfplan/report/plan_report.hpp"
#include "plan_arguments.hpp"

namespace perfplan::cli {

int run_report_command(const std::vector<std::string>& args) {
  const PlanArguments a =
      parse_plan_arguments(args, "perfplan report --model M --cluster C --gpus N [options] -o report.html", true);
  if (a.help) return 0;
  const planner::PlanResult result = planner::plan(a.request);
  if (result.top.empty()) throw InputError(result.stats.nothing_fits);
  web::ReportInput input;
  input.title = fmt::format("perfplan: {} on {} x {}", a.request.architecture.name, a.request.cluster.num_gpus,
                            a.request.cluster.gpu.name);
  input.model_name = a.request.architecture.name;
  input.cluster_name = a.request.cluster.name;
  input.gpu_name = a.request.cluster.gpu.name;
  input.gpus = a.request.cluster.num_gpus;
  input.global_batch_size = a.request.global_batch_size;
  input.seq_len = a.request.seq_len;
  input.gpu_memory_bytes = a.request.cluster.gpu.hbm_bytes;
  input.training_tokens = a.request.training_tokens;
  if (a.request.cluster.parts.empty()) {
    input.price_per_gpu_hour_usd = a.request.cluster.gpu.price_per_gpu_hour_usd;
    input.price_source = a.request.cluster.gpu.price_source;
  }
  input.rank_by = planner::to_string(a.request.rank_by);
  input.plan = &result;
  // A mixed cluster has one size (its parts): no curve whose every point would be the whole cluster.
  if (a.request.cluster.parts.empty()) input.scaling = planner::scaling_curve(a.request, a.request.cluster.num_gpus);
  input.band = a.request.band;
  input.launch = best_launch_config(a, result);
  input.perfplan_version = kPerfplanVersion;
  std::ofstream out(a.output);
  if (!out) throw InputError(a.output + ": cannot write the report");
  out << web::render_report_html(input);
  out.close();
  if (!out) throw InputError(a.output + ": cannot write the report (disk full?)");
  std::cout << report::render_plan_text(a.request, result) << fmt::format("\nreport written to {}\n", a.output);
  return 0;
}

}  // namespace perfplan::cli
