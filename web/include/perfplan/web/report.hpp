#pragma once
// The HTML report of a planner run: one self-contained file (inline CSS, JS and SVG; nothing
// fetched from the network) with the top configurations, the throughput-vs-memory scatter of
// every feasible layout and its Pareto front, time and memory breakdowns of the best few, the
// pipeline timeline of the best, the scaling curve and the best layout's launch configuration.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perfplan/planner/plan.hpp"
#include "perfplan/report/plan_report.hpp"

namespace perfplan::web {

struct ReportInput {
  std::string title = "perfplan report";
  std::string model_name;
  std::string cluster_name;
  std::string gpu_name;  // optional, shown beside the GPU count
  int64_t gpus = 0;
  int64_t global_batch_size = 0;  // sequences per step
  int64_t seq_len = 0;
  double gpu_memory_bytes = 0;                 // HBM per GPU; 0: unknown (no capacity line in the charts)
  std::string rank_by;                         // optional, e.g. "throughput"
  double training_tokens = 0;                  // the token budget behind days and cost; 0: not stated
  double price_per_gpu_hour_usd = 0;           // the price behind the cost, with its source
  std::string price_source;
  const planner::PlanResult* plan = nullptr;   // required; the best candidate's timeline feeds the Gantt chart
  std::vector<planner::ScalingPoint> scaling;  // empty: no scaling chart
  // The model's out-of-sample error band (measured / predicted time): every time in the report
  // carries it (iteration, days, cost, the breakdown bars and the scaling curve).
  std::optional<hardware::PredictionBand> band;
  report::LaunchSection launch;  // empty: no launch section
  std::string perfplan_version;
};

// The whole HTML document. The data travels as a JSON blob (starting with a `context` object)
// in <script type="application/json" id="data">; an inline script draws the SVG charts from it.
// The top-configurations table and the summary are static HTML, readable without JavaScript.
// Throws perfplan::InputError when `plan` is null.
std::string render_report_html(const ReportInput& input);

// The JSON blob alone (what the report embeds), for tools and tests.
std::string render_report_json(const ReportInput& input);

}  // namespace perfplan::web
