#include "perfplan/common/units.hpp"
#include "perfplan/web/report.hpp"

#include "perfplan/report/layout_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <optional>
#include <utility>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"
#include "report_assets.hpp"

namespace perfplan::web {
namespace {

using json = nlohmann::ordered_json;

using units::kGiB;
constexpr int kSchemaVersion = 1;
// Above this many feasible layouts the scatter keeps every Pareto point and an even sample of
// the rest, so that the report stays a few MB and the browser draws it in well under a second.
constexpr std::size_t kMaxScatterPoints = 20000;

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// JSON inside <script> must not contain "</script" or "<!--": every '<' (only ever inside a JSON
// string) becomes the equivalent escape \u003c.
std::string json_for_script(const json& doc) {
  const std::string text = doc.dump();
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

// 1234567 -> "1,234,567"
std::string with_thousands(double value) {
  const std::string digits = fmt::format("{:.0f}", std::abs(value));
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[i];
    if ((n - i - 1) % 3 == 0 && i + 1 < n) out += ',';
  }
  return value < 0 ? "-" + out : out;
}

std::string duration_text(double seconds) {
  if (seconds <= 0 || !std::isfinite(seconds)) return "n/a";
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  if (seconds < 3600) return fmt::format("{:.1f} min", seconds / 60);
  if (seconds < 48 * 3600) return fmt::format("{:.1f} h", seconds / 3600);
  return fmt::format("{:.1f} days", seconds / 86400);
}

std::string cost_text(double usd) {
  if (usd <= 0 || !std::isfinite(usd)) return "n/a";
  if (usd >= 1e6) return fmt::format("${:.2f}M", usd / 1e6);
  if (usd >= 1e4) return fmt::format("${:.1f}k", usd / 1e3);
  return "$" + with_thousands(usd);
}

std::string zero_text(const predictor::ParallelConfig& c) {
  std::string out = std::to_string(c.zero_stage);
  if (c.distributed_optimizer) out += " + DO";
  return out;
}

// The candidate's time-to-train and cost scaled by its iteration band (both are proportional to
// the iteration time); nullopt without a band.
std::optional<std::pair<double, double>> scaled_band(const planner::Candidate& c, double value) {
  const auto& p = c.prediction;
  if (!p.band || p.iteration_time_s <= 0 || value <= 0) return std::nullopt;
  return std::make_pair(value * p.band->low_s / p.iteration_time_s, value * p.band->high_s / p.iteration_time_s);
}

json pair_json(const std::optional<std::pair<double, double>>& range) {
  return range ? json::array({range->first, range->second}) : json(nullptr);
}

json candidate_json(const planner::Candidate& candidate, std::size_t rank) {
  const auto& p = candidate.prediction;
  const auto& t = p.time;
  const auto& m = p.memory.peak;
  return {{"rank", rank},
          {"label", predictor::to_string(candidate.config)},
          {"layout", report::layout_to_json(candidate.config)},
          {"tokens_per_s", p.tokens_per_s},
          {"tokens_per_s_per_gpu", p.tokens_per_s_per_gpu},
          {"mfu", p.mfu},
          {"iteration_time_s", p.iteration_time_s},
          {"iteration_time_band_s", p.band ? nlohmann::ordered_json::array({p.band->low_s, p.band->high_s})
                                           : nlohmann::ordered_json(nullptr)},
          {"ties_best", candidate.ties_best},
          {"bubble_fraction", p.bubble_fraction},
          {"time_to_train_s", candidate.time_to_train_s},
          {"time_to_train_band_s", pair_json(scaled_band(candidate, candidate.time_to_train_s))},
          {"cost_usd", candidate.cost_usd},
          {"cost_band_usd", pair_json(scaled_band(candidate, candidate.cost_usd))},
          {"why", candidate.why},
          {"equivalents", candidate.equivalents},
          {"beats_next", candidate.beats_next},
          {"time_breakdown_s",
           {{"compute", t.compute_s},
            {"recompute", t.recompute_s},
            {"tp_comm", t.tp_comm_s},
            {"cp_comm", t.cp_comm_s},
            {"ep_comm", t.ep_comm_s},
            {"pp_bubble", t.pp_bubble_s},
            {"pp_p2p", t.pp_p2p_s},
            {"dp_comm", t.dp_comm_s},
            {"optimizer", t.optimizer_s},
            {"host", t.host_s}}},
          {"memory_bytes",
           {{"weights", m.weights_bytes},
            {"gradients", m.gradients_bytes},
            {"optimizer", m.optimizer_bytes},
            {"activations", m.activations_bytes},
            {"runtime", m.runtime_bytes},
            {"total", m.total_bytes()},
            {"stage", m.stage}}}};
}

json feasible_json(const std::vector<planner::FeasiblePoint>& points) {
  json rows = json::array();
  const std::size_t others =
      static_cast<std::size_t>(std::count_if(points.begin(), points.end(), [](const auto& p) { return !p.pareto; }));
  const std::size_t pareto = points.size() - others;
  const std::size_t other_budget = kMaxScatterPoints > pareto ? kMaxScatterPoints - pareto : 0;
  // Keep every k-th non-Pareto point, k chosen so that at most other_budget remain.
  const std::size_t stride =
      others <= other_budget ? 1 : (others + other_budget - 1) / std::max<std::size_t>(other_budget, 1);
  std::size_t other_index = 0;
  for (const auto& p : points) {
    if (!p.pareto && (other_index++ % stride) != 0) continue;
    rows.push_back(json::array(
        {p.tokens_per_s, p.memory_bytes, p.tp, p.pp, p.vp, p.dp, p.cp, p.ep, p.micro_batch_size, p.pareto ? 1 : 0}));
  }
  return {
      {"columns", {"tokens_per_s", "memory_bytes", "tp", "pp", "vp", "dp", "cp", "ep", "micro_batch_size", "pareto"}},
      {"total", points.size()},
      {"shown", rows.size()},
      {"points", std::move(rows)}};
}

json timeline_json(const planner::PlanResult& plan) {
  json events = json::array();
  int64_t stages = 0;
  if (!plan.top.empty()) {
    for (const auto& e : plan.top.front().prediction.timeline) {
      stages = std::max(stages, e.stage + 1);
      events.push_back(json::array({e.stage, e.name, e.category, e.start_s, e.end_s}));
    }
  }
  return {{"rank", plan.top.empty() ? 0 : 1},
          {"stages", stages},
          {"columns", {"stage", "name", "category", "start_s", "end_s"}},
          {"events", std::move(events)}};
}

json report_json(const ReportInput& input) {
  if (input.plan == nullptr)
    throw InputError("render_report_html: ReportInput::plan is null; pass the planner's result");
  const planner::PlanResult& plan = *input.plan;
  json doc;
  doc["context"] = {{"schema_version", kSchemaVersion},
                    {"perfplan_version", input.perfplan_version},
                    {"command", "report"},
                    {"inputs",
                     {{"model", input.model_name},
                      {"cluster", input.cluster_name},
                      {"gpu", input.gpu_name},
                      {"gpus", input.gpus},
                      {"global_batch_size", input.global_batch_size},
                      {"seq_len", input.seq_len},
                      {"rank_by", input.rank_by}}}};
  doc["title"] = input.title;
  doc["gpu_memory_bytes"] = input.gpu_memory_bytes;
  json candidates = json::array();
  for (std::size_t i = 0; i < plan.top.size(); ++i) candidates.push_back(candidate_json(plan.top[i], i + 1));
  doc["candidates"] = std::move(candidates);
  doc["feasible"] = feasible_json(plan.feasible);
  doc["timeline"] = timeline_json(plan);
  json scaling = json::array();
  for (const auto& s : input.scaling) {
    scaling.push_back(
        {{"gpus", s.gpus}, {"tokens_per_s", s.tokens_per_s}, {"mfu", s.mfu}, {"label", predictor::to_string(s.config)}});
  }
  doc["scaling"] = std::move(scaling);
  doc["band"] = input.band ? json{{"low_ratio", input.band->low_ratio},
                                  {"high_ratio", input.band->high_ratio},
                                  {"basis", input.band->basis}}
                           : json(nullptr);
  doc["launch"] = input.launch.text.empty() && input.launch.unavailable.empty()
                      ? json(nullptr)
                      : json{{"framework", input.launch.framework},
                             {"target", input.launch.target},
                             {"config", input.launch.text},
                             {"unavailable", input.launch.unavailable}};
  json pruned = json::object();
  for (const auto& [reason, count] : plan.stats.pruned) pruned[reason] = count;
  doc["stats"] = {{"enumerated", plan.stats.enumerated},
                  {"evaluated", plan.stats.evaluated},
                  {"feasible", plan.stats.feasible},
                  {"pruned", std::move(pruned)},
                  {"search_seconds", plan.search_seconds}};
  return doc;
}

std::string metric(std::string_view label, const std::string& value, const std::string& detail) {
  return fmt::format(
      "<div class=\"metric\"><div class=\"metric-label\">{}</div><div class=\"metric-value\">{}</div>"
      "<div class=\"metric-detail\">{}</div></div>\n",
      label, escape_html(value), escape_html(detail));
}

std::string header_html(const ReportInput& input) {
  std::string gpus = fmt::format("{} GPUs", input.gpus);
  if (!input.gpu_name.empty()) gpus += " \u00d7 " + input.gpu_name;
  std::string facts;
  const auto fact = [&facts](std::string_view label, const std::string& value) {
    if (value.empty()) return;
    facts +=
        fmt::format("<span class=\"fact\"><span class=\"fact-label\">{}</span> {}</span>", label, escape_html(value));
  };
  fact("model", input.model_name);
  fact("cluster", input.cluster_name);
  fact("GPUs", gpus);
  if (input.global_batch_size > 0) fact("global batch", fmt::format("{} sequences", input.global_batch_size));
  if (input.seq_len > 0) fact("sequence", fmt::format("{} tokens", input.seq_len));
  fact("ranked by", input.rank_by);
  return fmt::format("<header class=\"page-header\">\n<h1>{}</h1>\n<div class=\"facts\">{}</div>\n</header>\n",
                     escape_html(input.title), facts);
}

std::string summary_html(const ReportInput& input) {
  const planner::PlanResult& plan = *input.plan;
  std::string out = "<section class=\"card summary\" id=\"summary\">\n<h2>Best configuration</h2>\n";
  if (plan.top.empty()) return out + "<p class=\"empty\">No feasible configuration.</p>\n</section>\n";
  const planner::Candidate& best = plan.top.front();
  const predictor::Prediction& p = best.prediction;
  out += fmt::format("<p class=\"best-layout\">{}</p>\n", escape_html(predictor::to_string(best.config)));
  out += "<div class=\"metrics\">\n";
  out += metric("throughput", with_thousands(p.tokens_per_s) + " tok/s",
                with_thousands(p.tokens_per_s_per_gpu) + " tok/s per GPU");
  out += metric("MFU (model FLOPs utilisation)", fmt::format("{:.1f}%", 100 * p.mfu),
                fmt::format("{:.0f} model TFLOP/s per GPU", p.model_tflops_per_gpu));
  out += metric("iteration time", fmt::format("{:.3f} s", p.iteration_time_s),
                (p.band ? fmt::format("likely {:.3g}-{:.3g} s; ", p.band->low_s, p.band->high_s) : std::string()) +
                    fmt::format("{} micro-batches, pipeline bubble {:.1f}%", p.micro_batches, 100 * p.bubble_fraction));
  const double memory = p.memory.peak.total_bytes();
  out += metric("memory / GPU", fmt::format("{:.1f} GiB", memory / kGiB),
                input.gpu_memory_bytes > 0 ? fmt::format("of {:.0f} GiB ({:.0f}%)", input.gpu_memory_bytes / kGiB,
                                                         100 * memory / input.gpu_memory_bytes)
                                           : std::string("peak stage ") + std::to_string(p.memory.peak.stage));
  const std::string tokens =
      input.training_tokens > 0 ? fmt::format("{:.3g} tokens at this throughput", input.training_tokens) : "at this throughput";
  const auto days_band = scaled_band(best, best.time_to_train_s);
  out += metric("time to train", duration_text(best.time_to_train_s),
                (days_band ? "likely " + duration_text(days_band->first) + "\u2013" + duration_text(days_band->second) + "; "
                           : std::string()) + tokens);
  const auto cost_band = scaled_band(best, best.cost_usd);
  out += metric("cost", cost_text(best.cost_usd),
                (cost_band ? "likely " + cost_text(cost_band->first) + "\u2013" + cost_text(cost_band->second) + "; "
                           : std::string()) +
                    (best.cost_usd > 0 && input.price_per_gpu_hour_usd > 0
                         ? fmt::format("GPU-hours \u00d7 ${:.2f} per GPU-hour", input.price_per_gpu_hour_usd)
                         : best.cost_usd > 0 ? "GPU-hours \u00d7 price" : "no GPU price given"));
  out += "</div>\n";
  if (p.band) {
    out += fmt::format("<p class=\"band-note\">likely: the {} of measured over predicted time ({:.2f}-{:.2f}) "
                       "over {}; days and cost scale with it.</p>\n",
                       "10th-90th percentile", p.band->from.low_ratio, p.band->from.high_ratio,
                       escape_html(p.band->from.basis));
  }
  if (!best.why.empty()) out += fmt::format("<p class=\"why\">{}</p>\n", escape_html(best.why));
  if (input.training_tokens > 0 || input.price_per_gpu_hour_usd > 0) {
    out += fmt::format("<p class=\"budget-note\">Days and cost are for a budget of {:.3g} training tokens{}.</p>\n",
                       input.training_tokens,
                       input.price_per_gpu_hour_usd > 0
                           ? fmt::format(" at ${:.2f} per GPU-hour ({})", input.price_per_gpu_hour_usd,
                                         escape_html(input.price_source))
                           : std::string());
  }
  return out + "</section>\n";
}

std::string stats_html(const planner::PlanResult& plan) {
  const auto& s = plan.stats;
  std::string out = "<section class=\"card stats\" id=\"search\">\n<h2>Search</h2>\n<dl class=\"stat-list\">\n";
  out += fmt::format("<dt>layouts enumerated</dt><dd>{}</dd>\n", with_thousands(static_cast<double>(s.enumerated)));
  out += fmt::format("<dt>predicted in full</dt><dd>{}</dd>\n", with_thousands(static_cast<double>(s.evaluated)));
  out += fmt::format("<dt>feasible</dt><dd>{}</dd>\n", with_thousands(static_cast<double>(s.feasible)));
  out += fmt::format("<dt>search time</dt><dd>{:.2f} s</dd>\n", plan.search_seconds);
  out += "</dl>\n";
  if (!s.pruned.empty()) {
    std::vector<std::pair<std::string, int64_t>> reasons(s.pruned.begin(), s.pruned.end());
    std::stable_sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    out += "<h3>Pruned</h3>\n<ul class=\"pruned\">\n";
    for (const auto& [reason, count] : reasons) {
      out += fmt::format("<li><span class=\"count\">{}</span><span class=\"reason\">{}</span></li>\n",
                         with_thousands(static_cast<double>(count)), escape_html(reason));
    }
    out += "</ul>\n";
  }
  return out + "</section>\n";
}

// A column header with its abbreviation spelled out on hover and in the glossary below.
struct Column {
  const char* label;
  const char* meaning;  // empty: the label is a word
  bool numeric;
};

constexpr Column kColumns[] = {
    {"#", "rank (~: within the best layout's prediction band, a tie)", true},
    {"TP", "tensor parallel degree (+SP: sequence parallelism)", true},
    {"PP", "pipeline-parallel stages", true},
    {"VP", "virtual pipeline chunks per stage (interleaved schedule)", true},
    {"DP", "data-parallel replicas", true},
    {"CP", "context-parallel degree (sequence split across GPUs)", true},
    {"EP", "expert-parallel degree (MoE experts split across GPUs)", true},
    {"mbs", "micro-batch size, sequences", true},
    {"recompute", "", false},
    {"ZeRO", "optimizer-state sharding stage (DO: distributed optimizer; HSDP: sharded within groups, replicated across)", false},
    {"schedule", "", false},
    {"tokens/s", "", true},
    {"MFU", "model FLOPs utilisation: model FLOPs per second over the GPUs' peak", true},
    {"iteration", "predicted time of one optimizer step", true},
    {"likely", "10th-90th percentile of the time, from the model's out-of-sample error", true},
    {"days", "time to train the token budget, likely range below", true},
    {"cost", "GPU-hours x price, likely range below", true},
    {"memory/GPU", "peak memory of the most loaded pipeline stage", true},
    {"why", "", false},
};

std::string table_html(const planner::PlanResult& plan) {
  std::string out =
      "<section class=\"card\" id=\"top\">\n<h2>Top configurations</h2>\n"
      "<p class=\"scroll-hint\" id=\"scroll-hint\">The table is wider than the window: scroll it sideways.</p>\n"
      "<div class=\"table-wrap\" id=\"table-wrap\" tabindex=\"0\">\n<table class=\"candidates\">\n<thead><tr>";
  for (const Column& c : kColumns) {
    const std::string cls = c.numeric ? " class=\"num\"" : "";
    out += *c.meaning ? fmt::format("<th{}><abbr title=\"{}\">{}</abbr></th>", cls, escape_html(c.meaning), escape_html(c.label))
                      : fmt::format("<th{}>{}</th>", cls, escape_html(c.label));
  }
  out += "</tr></thead>\n<tbody>\n";
  const std::size_t columns = std::size(kColumns);
  if (plan.top.empty()) {
    out += fmt::format("<tr><td colspan=\"{}\" class=\"empty\">No feasible configuration.</td></tr>\n", columns);
  }
  for (std::size_t i = 0; i < plan.top.size(); ++i) {
    const auto& candidate = plan.top[i];
    const auto& c = candidate.config;
    const auto& p = candidate.prediction;
    const std::size_t rank = i + 1;
    out += fmt::format("<tr class=\"candidate\" data-rank=\"{0}\" id=\"candidate-{0}\">", rank);
    out += fmt::format("<td class=\"num rank\"{}>{}{}</td>",
                       candidate.ties_best ? " title=\"within the best layout's prediction band: a tie\"" : "",
                       candidate.ties_best ? "~" : "", rank);
    out += fmt::format("<td class=\"num\">{}</td>", std::to_string(c.tp) + (c.sequence_parallel ? "+SP" : ""));
    out += fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>", c.pp, c.vp, c.dp);
    out += fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>", c.cp, c.ep,
                       c.micro_batch_size);
    std::string zero = zero_text(c);
    if (c.shard_replicas() > 1) zero += fmt::format(" HSDP {}x{}", c.dense_shard_size(), c.shard_replicas());
    out += fmt::format("<td>{}</td><td>{}</td><td>{}</td>", model::to_string(c.recompute), zero,
                       c.pp > 1 ? predictor::to_string(c.schedule) : std::string("\u2014"));
    out += fmt::format("<td class=\"num strong\">{}</td>", with_thousands(p.tokens_per_s));
    out += fmt::format("<td class=\"num\">{:.1f}%</td>", 100 * p.mfu);
    out += fmt::format("<td class=\"num\">{:.3f} s</td>", p.iteration_time_s);
    out += fmt::format("<td class=\"num\">{}</td>",
                       p.band ? fmt::format("{:.3g}-{:.3g} s", p.band->low_s, p.band->high_s) : std::string("\u2014"));
    const auto days = scaled_band(candidate, candidate.time_to_train_s);
    out += fmt::format("<td class=\"num\">{:.1f}{}</td>", candidate.time_to_train_s / 86400.0,
                       days ? fmt::format("<div class=\"range\">{:.1f}-{:.1f}</div>", days->first / 86400.0, days->second / 86400.0)
                            : std::string());
    const auto cost = scaled_band(candidate, candidate.cost_usd);
    out += fmt::format("<td class=\"num\">{}{}</td>", cost_text(candidate.cost_usd),
                       cost ? "<div class=\"range\">" + cost_text(cost->first) + "-" + cost_text(cost->second) + "</div>"
                            : std::string());
    out += fmt::format("<td class=\"num\">{:.1f} GiB</td>", p.memory.peak.total_bytes() / kGiB);
    std::string why = candidate.why;
    for (const std::string* extra : {&candidate.equivalents, &candidate.beats_next}) {
      if (!extra->empty()) why += "; " + *extra;
    }
    out += fmt::format("<td class=\"why-cell\">{}</td></tr>\n", escape_html(why));
  }
  out += "</tbody>\n</table>\n</div>\n<p class=\"glossary\" id=\"glossary\">";
  bool first = true;
  for (const Column& c : kColumns) {
    if (!*c.meaning || std::string_view(c.label) == "#") continue;
    out += fmt::format("{}<b>{}</b> {}", first ? "" : " \u00b7 ", escape_html(c.label), escape_html(c.meaning));
    first = false;
  }
  return out + "; <b>SP</b> sequence parallelism; <b>DO</b> distributed optimizer; <b>FSDP</b> fully sharded data "
               "parallel (ZeRO-3).</p>\n</section>\n";
}

std::string launch_html(const report::LaunchSection& launch) {
  if (launch.text.empty() && launch.unavailable.empty()) return "";
  std::string out = "<section class=\"card\" id=\"launch\">\n<h2>Launch configuration</h2>\n";
  if (!launch.unavailable.empty()) {
    return out + "<p class=\"empty\">" + escape_html(launch.unavailable) + ".</p>\n</section>\n";
  }
  out += "<p class=\"caption\">The best configuration as " + escape_html(launch.target) +
         " expects it, checked against that release's own flags and keys (launch/schemas).</p>\n";
  return out + "<pre class=\"launch-config\" id=\"launch-config\"><code>" + escape_html(launch.text) +
         "</code></pre>\n</section>\n";
}

std::string chart_html(std::string_view id, std::string_view title, std::string_view caption) {
  return fmt::format(
      "<section class=\"card chart-card\" id=\"section-{0}\">\n<h2>{1}</h2>\n<p class=\"caption\">{2}</p>\n"
      "<svg class=\"chart\" id=\"chart-{0}\" role=\"img\" aria-label=\"{1}\"></svg>\n"
      "<div class=\"legend\" id=\"legend-{0}\"></div>\n</section>\n",
      id, title, caption);
}

}  // namespace

std::string render_report_json(const ReportInput& input) { return report_json(input).dump(2) + "\n"; }

std::string render_report_html(const ReportInput& input) {
  const json doc = report_json(input);
  const planner::PlanResult& plan = *input.plan;
  std::string out;
  out.reserve(64 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"perfplan " + escape_html(input.perfplan_version) + "\">\n";
  out += "<title>" + escape_html(input.title) + "</title>\n";
  out += "<style>\n" + std::string(kReportCss) + "</style>\n";
  // Installed before any other script so that a failure anywhere below is visible in the page
  // (and to the browser test) rather than only in the console.
  out += "<script>\n" + std::string(kReportErrorHandlerJs) + "</script>\n";
  out += "</head>\n<body>\n<main class=\"page\">\n";
  out += header_html(input);
  out += "<div class=\"row\">\n" + summary_html(input) + stats_html(plan) + "</div>\n";
  out += table_html(plan);
  out += launch_html(input.launch);
  out += chart_html("scatter", "Throughput vs memory",
                    "Every feasible layout: tokens/s against peak memory per GPU. The Pareto front joins the layouts "
                    "that no other beats on both; rings mark the top configurations.");
  out += "<div class=\"row\">\n";
  out += chart_html("time", "Where the time goes",
                    "Iteration time of the best configurations, split by what is on the critical path; the "
                    "whisker is the likely range.");
  out +=
      chart_html("memory", "Memory per GPU", "Peak memory of the best configurations (the stage that needs the most).");
  out += "</div>\n";
  out += chart_html("gantt", "Pipeline timeline of the best configuration",
                    "One iteration, one row per pipeline stage: forward, backward and weight-gradient work of each "
                    "micro-batch, then gradient synchronisation and the optimizer step.");
  out += chart_html("scaling", "Scaling",
                    "Best layout at each GPU count, both axes logarithmic; the shaded band is the likely range and the "
                    "dashed line linear scaling from the smallest count.");
  out += "<footer class=\"page-footer\">Generated by perfplan " + escape_html(input.perfplan_version) +
         ". Self-contained: no network access needed.</footer>\n";
  out += "</main>\n";
  out += "<script type=\"application/json\" id=\"data\">" + json_for_script(doc) + "</script>\n";
  out += "<script>\n" + std::string(kReportJs) + "</script>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace perfplan::web
