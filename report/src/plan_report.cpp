// Text and JSON of a plan.
#include "perfplan/report/plan_report.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/common/units.hpp"
#include "perfplan/common/version.hpp"
#include "perfplan/report/layout_json.hpp"
#include "band_format.hpp"

namespace perfplan::report {

std::string render_plan_text(const planner::PlanRequest& req, const planner::PlanResult& r) {
  std::string gpus = fmt::format("{} x {}", req.cluster.num_gpus, req.cluster.gpu.name);
  if (!req.cluster.parts.empty()) {
    gpus.clear();
    for (const auto& part : req.cluster.parts) gpus += fmt::format("{}{} x {}", gpus.empty() ? "" : " + ", part.num_gpus, part.gpu.name);
  }
  std::string out = fmt::format("model      {}\ncluster    {}: {}\nbatch      {} sequences x {} tokens, {}; ranked by {}\n\n",
                                req.architecture.name, req.cluster.name, gpus, req.global_batch_size, req.seq_len,
                                model::to_string(req.dtype), planner::to_string(req.rank_by));
  out += fmt::format("searched {} layouts in {:.2f} s: {} predicted, {} fit\n", r.stats.enumerated, r.search_seconds,
                     r.stats.evaluated, r.stats.feasible);
  for (const auto& [reason, count] : r.stats.pruned) out += fmt::format("  cut {:>7}: {}\n", count, reason);
  out += fmt::format("\n{:>4}  {:<46} {:>12} {:>6} {:>9} {:>13} {:>8} {:>9} {:>10}  {}\n", "rank", "layout", "tokens/s",
                     "MFU", "iter s", "likely s", "GiB/GPU", "days", "cost $", "why");
  int rank = 1;
  for (const auto& c : r.top) {
    const auto& p = c.prediction;
    const std::string rank_text = (c.ties_best ? "~" : "") + std::to_string(rank++);
    out += fmt::format("{:>4}  {:<46} {:>12.0f} {:>5.1f}% {:>9.3f} {:>13} {:>8.1f} {:>9.1f} {:>10.3g}  {}\n", rank_text,
                       predictor::to_string(c.config), p.tokens_per_s, 100.0 * p.mfu, p.iteration_time_s,
                       detail::band_range(p.band),
                       p.memory.peak.total_bytes() / units::kGiB, c.time_to_train_s / units::kSecondsPerDay, c.cost_usd, c.why);
    if (!c.placement.empty()) out += fmt::format("      {}\n", c.placement);
    if (!c.equivalents.empty() || !c.beats_next.empty()) {
      out += fmt::format("      {}{}{}\n", c.equivalents, c.equivalents.empty() || c.beats_next.empty() ? "" : "; ",
                         c.beats_next);
    }
  }
  out += fmt::format("\ndays and cost: {:.3g} training tokens (--tokens)", req.training_tokens);
  if (req.cluster.parts.empty() && req.cluster.gpu.price_per_gpu_hour_usd > 0) {
    out += fmt::format(" at ${:.2f} per GPU-hour ({})", req.cluster.gpu.price_per_gpu_hour_usd, req.cluster.gpu.price_source);
  }
  out += "\n";
  if (!r.top.empty() && r.top.front().prediction.band) {
    out += fmt::format("\nlikely s: {}; ~ marks a layout whose band overlaps the best one's (a tie within the model's "
                       "error)\n",
                       detail::band_basis(*r.top.front().prediction.band));
  }
  return out;
}

std::string render_plan_json(const planner::PlanRequest& req, const planner::PlanResult& r, const LaunchSection* launch) {
  using json = nlohmann::ordered_json;
  json top = json::array();
  for (const auto& c : r.top) {
    top.push_back({{"layout", layout_to_json(c.config)},
                   {"iteration_time_s", c.prediction.iteration_time_s},
                   {"iteration_time_band", detail::band_json(c.prediction.band)},
                   {"ties_best", c.ties_best},
                   {"tokens_per_s", c.prediction.tokens_per_s},
                   {"mfu", c.prediction.mfu},
                   {"memory_bytes", c.prediction.memory.peak.total_bytes()},
                   {"time_to_train_s", c.time_to_train_s},
                   {"cost_usd", c.cost_usd},
                   {"why", c.why},
                   {"equivalents", c.equivalents},
                   {"beats_next", c.beats_next},
                   {"placement", c.placement}});
  }
  json pruned = json::object();
  for (const auto& [reason, count] : r.stats.pruned) pruned[reason] = count;
  json doc = {{"context",
               {{"schema_version", kSchemaVersion},
                {"perfplan_version", kPerfplanVersion},
                {"command", "plan"},
                {"inputs",
                 {{"model", req.architecture.name}, {"cluster", req.cluster.name}, {"gpus", req.cluster.num_gpus},
                  {"gbs", req.global_batch_size}, {"seq", req.seq_len}, {"dtype", model::to_string(req.dtype)},
                  {"rank", planner::to_string(req.rank_by)}, {"tokens", req.training_tokens},
                  {"framework", req.framework.release.empty() ? req.framework.name
                                                              : req.framework.name + " " + req.framework.release}}}}},
              {"search",
               {{"enumerated", r.stats.enumerated}, {"evaluated", r.stats.evaluated}, {"feasible", r.stats.feasible},
                {"pruned", pruned}, {"seconds", r.search_seconds}}},
              {"top", top}};
  if (launch) {
    doc["launch"] = launch->unavailable.empty()
                        ? json{{"framework", launch->framework}, {"target", launch->target}, {"config", launch->text}}
                        : json{{"framework", nullptr}, {"unavailable", launch->unavailable}};
  }
  return doc.dump(2) + "\n";
}

}  // namespace perfplan::report
