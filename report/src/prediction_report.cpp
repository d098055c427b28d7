#include "perfplan/report/prediction_report.hpp"
#include "band_format.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/common/units.hpp"
#include "perfplan/common/version.hpp"
#include "perfplan/report/layout_json.hpp"

namespace perfplan::report {
namespace {

using units::kGiB;

// The workload beside the layout: batch, sequence, dtype and the optimizer's ZeRO stage.
std::string workload_text(const predictor::ParallelConfig& c) {
  return fmt::format("gbs {} seq {} {}", c.global_batch_size, c.seq_len, model::to_string(c.dtype));
}

}  // namespace

std::string render_prediction_text(const predictor::Prediction& p, const model::Architecture& arch,
                                   const hardware::ClusterSpec& cluster, const predictor::ParallelConfig& c) {
  std::string out;
  out += fmt::format("model      {}\n", arch.name);
  out += fmt::format("cluster    {}: {} x {} ({} per node)\n", cluster.name, cluster.num_gpus, cluster.gpu.name,
                     cluster.gpus_per_node);
  if (!p.framework.empty()) out += fmt::format("framework  {}\n", p.framework);
  out += fmt::format("layout     {} | {}\n\n", predictor::to_string(c), workload_text(c));
  out += fmt::format("iteration time        {:>10.4f} s   ({} micro-batches per pipeline)\n", p.iteration_time_s, p.micro_batches);
  if (p.band) {
    out += fmt::format("  likely              {:>10} s   ({})\n", detail::band_range(p.band, "{:.3g}-{:.3g}"),
                       detail::band_basis(*p.band));
  }
  out += fmt::format("throughput            {:>10.0f} tokens/s   ({:.0f} per GPU)\n", p.tokens_per_s, p.tokens_per_s_per_gpu);
  out += fmt::format("model TFLOP/s per GPU {:>10.1f}   MFU {:.1f}%   HFU {:.1f}%\n", p.model_tflops_per_gpu, 100 * p.mfu,
                     100 * p.hfu);
  out += "  (model FLOPs: forward + backward, GEMM 2mnk, attention full s x s as Megatron; HFU: FLOPs as executed, causal half, + recompute)\n\n";
  const auto& t = p.time;
  out += "time breakdown (critical path)\n";
  out += fmt::format("  compute               {:>10.4f} s\n", t.compute_s);
  out += fmt::format("  recompute             {:>10.4f} s\n", t.recompute_s);
  out += fmt::format("  TP/SP communication   {:>10.4f} s\n", t.tp_comm_s);
  out += fmt::format("  CP communication      {:>10.4f} s\n", t.cp_comm_s);
  out += fmt::format("  EP all-to-all         {:>10.4f} s\n", t.ep_comm_s);
  out += fmt::format("  pipeline bubble       {:>10.4f} s   ({:.1f}% of the pipeline)\n", t.pp_bubble_s, 100 * p.bubble_fraction);
  out += fmt::format("  pipeline send/recv    {:>10.4f} s\n", t.pp_p2p_s);
  out += fmt::format("  DP synchronisation    {:>10.4f} s\n", t.dp_comm_s);
  out += fmt::format("  optimizer step        {:>10.4f} s\n", t.optimizer_s);
  out += fmt::format("  host launch stalls    {:>10.4f} s\n\n", t.host_s);
  const auto& m = p.memory.peak;
  out += fmt::format("memory per GPU (stage {})\n", m.stage);
  out += fmt::format("  weights               {:>10.2f} GiB\n", m.weights_bytes / kGiB);
  out += fmt::format("  gradients             {:>10.2f} GiB\n", m.gradients_bytes / kGiB);
  out += fmt::format("  optimizer states      {:>10.2f} GiB\n", m.optimizer_bytes / kGiB);
  out += fmt::format("  activations           {:>10.2f} GiB\n", m.activations_bytes / kGiB);
  out += fmt::format("  runtime reserve       {:>10.2f} GiB\n", m.runtime_bytes / kGiB);
  out += fmt::format("  total                 {:>10.2f} GiB of {:.1f} GiB: {}\n", m.total_bytes() / kGiB,
                     cluster.gpu.hbm_bytes / kGiB, p.memory.fits ? "fits" : "DOES NOT FIT");
  if (!p.memory.fits) out += "  " + p.memory.reason + "\n";
  return out;
}

std::string render_prediction_json(const predictor::Prediction& p, const model::Architecture& arch,
                                   const hardware::ClusterSpec& cluster, const predictor::ParallelConfig& c,
                                   const std::string& version) {
  using json = nlohmann::ordered_json;
  json doc;
  doc["context"] = {{"schema_version", kSchemaVersion},
                    {"perfplan_version", version},
                    {"command", "predict"},
                    {"inputs",
                     {{"model", arch.name},
                      {"cluster", cluster.name},
                      {"framework", p.framework},
                      {"gpu", cluster.gpu.name},
                      {"gpus", cluster.num_gpus},
                      {"layout", layout_to_json(c)}}},
                    {"flop_convention",
                     "model FLOPs = forward + backward, GEMM 2mnk, attention full s x s (Megatron); hardware FLOPs as the kernels execute them (causal attention's masked half skipped) plus recompute"}};
  doc["iteration_time_s"] = p.iteration_time_s;
  doc["iteration_time_band"] = detail::band_json(p.band);
  doc["tokens_per_s"] = p.tokens_per_s;
  doc["tokens_per_s_per_gpu"] = p.tokens_per_s_per_gpu;
  doc["model_tflops_per_gpu"] = p.model_tflops_per_gpu;
  doc["mfu"] = p.mfu;
  doc["hfu"] = p.hfu;
  doc["micro_batches"] = p.micro_batches;
  doc["bubble_fraction"] = p.bubble_fraction;
  const auto& t = p.time;
  doc["time_breakdown_s"] = {{"compute", t.compute_s},         {"recompute", t.recompute_s},
                             {"tp_comm", t.tp_comm_s},         {"cp_comm", t.cp_comm_s},
                             {"ep_comm", t.ep_comm_s},         {"pp_bubble", t.pp_bubble_s},
                             {"pp_p2p", t.pp_p2p_s},           {"dp_comm", t.dp_comm_s},
                             {"optimizer", t.optimizer_s},        {"host", t.host_s}};
  const auto& m = p.memory.peak;
  doc["memory_bytes"] = {{"stage", m.stage},
                         {"weights", m.weights_bytes},
                         {"gradients", m.gradients_bytes},
                         {"optimizer", m.optimizer_bytes},
                         {"activations", m.activations_bytes},
                         {"runtime", m.runtime_bytes},
                         {"total", m.total_bytes()},
                         {"capacity", cluster.gpu.hbm_bytes},
                         {"fits", p.memory.fits},
                         {"reason", p.memory.reason}};
  return doc.dump(2) + "\n";
}

std::string render_chrome_trace(const predictor::Prediction& p, const std::string& model_name) {
  using json = nlohmann::ordered_json;
  json events = json::array();
  for (const auto& e : p.timeline) {
    events.push_back({{"name", e.name},
                      {"cat", e.category},
                      {"ph", "X"},
                      {"pid", 0},
                      {"tid", e.stage},
                      {"ts", e.start_s * 1e6},
                      {"dur", (e.end_s - e.start_s) * 1e6}});
  }
  json doc = {{"traceEvents", events}, {"displayTimeUnit", "ms"}, {"otherData", {{"model", model_name}}}};
  return doc.dump() + "\n";
}

}  // namespace perfplan::report
