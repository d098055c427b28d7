#include "heterogeneous.hpp"

#include "perfplan/predictor/metrics.hpp"
#include "search_space.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "perfplan/common/input_error.hpp"
#include "perfplan/predictor/collectives.hpp"
#include "perfplan/predictor/memory.hpp"

namespace perfplan::planner::detail {
namespace {

// Integer shares of `total` in proportion to `weights`, each at least `minimum` (largest
// remainders get the leftovers).
std::vector<int64_t> proportional_split(int64_t total, const std::vector<double>& weights, int64_t minimum) {
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<int64_t> out(weights.size(), minimum);
  int64_t left = total - minimum * static_cast<int64_t>(weights.size());
  if (left < 0) return {};
  std::vector<std::pair<double, size_t>> remainders;
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const double exact = static_cast<double>(left) * weights[i] / sum;
    const auto whole = static_cast<int64_t>(std::floor(exact));
    out[i] += whole;
    given += whole;
    remainders.emplace_back(exact - static_cast<double>(whole), i);
  }
  std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (int64_t i = 0; i < left - given; ++i) out[remainders[static_cast<size_t>(i) % remainders.size()].second] += 1;
  return out;
}

// Moves `shift` layers onto each of the first `first` stages (or off, when negative) and takes
// them back evenly from the others; empty when a stage would be left without a layer.
std::vector<int64_t> shifted_split(std::vector<int64_t> layers, size_t first, int shift) {
  if (shift == 0) return layers;
  if (first == 0 || first >= layers.size()) return {};
  int64_t moved = 0;
  for (size_t s = 0; s < first; ++s) {
    if (layers[s] + shift < 1) return {};
    layers[s] += shift;
    moved += shift;
  }
  const size_t others = layers.size() - first;
  for (int64_t i = 0; moved != 0 && i < 4 * static_cast<int64_t>(others) * std::abs(moved); ++i) {
    int64_t& l = layers[first + static_cast<size_t>(i) % others];
    const int64_t step = moved > 0 ? -1 : 1;
    if (l + step < 1) continue;
    l += step;
    moved += step;
  }
  return moved == 0 ? layers : std::vector<int64_t>{};
}

}  // namespace

double gpu_speed(const hardware::GpuSpec& gpu, model::DType dtype) {
  return gpu.peak_flops_per_s(dtype) * gpu.gemm_efficiency_for(dtype);
}

// Expert-parallel degrees for a stage of `ranks` ranks: 1 for a dense model, else the powers of
// two that divide both the experts and the ranks.
std::vector<int64_t> expert_degrees(const model::Architecture& a, int64_t ranks) {
  if (!a.moe || a.moe->num_experts <= 1) return {1};
  std::vector<int64_t> out;
  for (int64_t ep = 1; ep <= a.moe->num_experts && ep <= ranks; ep *= 2) {
    if (a.moe->num_experts % ep == 0 && ranks % ep == 0) out.push_back(ep);
  }
  return out;
}

std::vector<HeteroLayout> enumerate_heterogeneous(const PlanRequest& r, std::map<std::string, int64_t>& pruned,
                                                  int64_t& enumerated) {
  std::vector<HeteroLayout> out;
  const auto& parts = r.cluster.parts;
  const model::Architecture& a = r.architecture;
  int64_t smallest_domain = INT64_MAX;
  for (const auto& part : parts) smallest_domain = std::min(smallest_domain, part.nvlink_domain_size);
  // Stage order: the part with the most memory first (the first stage keeps the most activations).
  std::vector<size_t> order(parts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return parts[x].gpu.hbm_bytes > parts[y].gpu.hbm_bytes; });
  const std::vector<int64_t> mbs_options =
      r.micro_batch_sizes.empty() ? std::vector<int64_t>{1, 2, 4, 8} : r.micro_batch_sizes;
  const std::string no_pipeline = pipeline_unsupported(r);
  // DDP and the distributed optimizer, where the framework runs them (no FSDP across parts here).
  std::vector<int> zero_options;
  for (int zero : {0, 1}) {
    const auto& stages = r.framework.capabilities.zero_stages;
    if (!r.framework.capabilities.declared || std::find(stages.begin(), stages.end(), zero) != stages.end()) {
      zero_options.push_back(zero);
    }
  }
  if (zero_options.empty()) zero_options.push_back(0);

  for (int64_t tp : powers_of_two_up_to(std::min<int64_t>(smallest_domain, 16))) {
    for (int64_t cp : powers_of_two_up_to(std::max<int64_t>(1, r.seq_len / 2048))) {
      for (int64_t mbs : mbs_options) {
        for (model::Recompute rc : {model::Recompute::kNone, model::Recompute::kSelective, model::Recompute::kFull}) {
          for (int zero : zero_options) {
            // (1) Pipeline across the parts: the same tp x cp x dp in every stage.
            for (int64_t dp = 1; dp <= r.cluster.num_gpus; dp *= 2) {
              ++enumerated;
              const int64_t width = tp * cp * dp;
              std::vector<int64_t> stages_on;
              bool divides = true;
              for (const auto& part : parts) {
                divides = divides && part.num_gpus % width == 0;
                stages_on.push_back(divides ? part.num_gpus / width : 0);
              }
              const int64_t pp = std::accumulate(stages_on.begin(), stages_on.end(), int64_t{0});
              if (pp > 1 && !no_pipeline.empty()) {
                pruned[no_pipeline] += 1;
                continue;
              }
              if (!divides || pp > a.num_layers || r.global_batch_size % (dp * mbs) != 0) {
                pruned["mixed pipeline: tp x cp x dp does not divide each part, or the batch"] += 1;
                continue;
              }
              predictor::ParallelConfig c = planner_layout(r, tp, cp, mbs, rc, zero);
              c.dp = dp;
              c.pp = pp;
              c.schedule = predictor::PipelineSchedule::kOneFOneB;
              // MoE: experts folded over each stage's tp x cp x dp ranks (Megatron-Core).
              for (int64_t ep : expert_degrees(a, tp * cp * dp)) {
                c.ep = ep;
                c.stage_part.clear();
                std::vector<double> speed;
                for (size_t k : order) {
                  for (int64_t s = 0; s < stages_on[k]; ++s) {
                    c.stage_part.push_back(static_cast<int64_t>(k));
                    speed.push_back(gpu_speed(parts[k].gpu, r.dtype));
                  }
                }
                const auto proportional = proportional_split(a.num_layers, speed, 1);
                if (proportional.empty() || !model::sharding_problems(a, c.step_config()).empty()) {
                  pruned["mixed pipeline: degree does not divide the model"] += 1;
                  continue;
                }
                // Layers in proportion to speed, and shifted towards the first part in steps of one
                // layer per stage for memory.
                for (int shift = -2; shift <= 2; ++shift) {
                  const auto layers = shifted_split(proportional, static_cast<size_t>(stages_on[order.front()]), shift);
                  if (layers.empty()) continue;
                  HeteroLayout h;
                  h.config = c;
                  h.config.stage_layers = layers;
                  std::string placement = "pipeline across parts:";
                  size_t s = 0;
                  for (size_t k : order) {
                    placement += fmt::format(" {} stages on {} (", stages_on[k], parts[k].name);
                    for (int64_t i = 0; i < stages_on[k]; ++i, ++s) placement += fmt::format("{}{}", i ? "," : "", layers[s]);
                    placement += " layers)";
                  }
                  h.placement = placement;
                  out.push_back(std::move(h));
                }
              }
            }
            // (2) Data-parallel replicas on each part, the batch split by speed.
            for (int64_t pp = 1; pp <= a.num_layers && pp <= 64; pp *= 2) {
              ++enumerated;
              if (pp > 1 && !no_pipeline.empty()) {
                pruned[no_pipeline] += 1;
                continue;
              }
              const int64_t width = tp * cp * pp;
              std::vector<predictor::ParallelConfig> per_part;
              std::vector<double> replica_speed;
              std::vector<int64_t> replicas;
              bool divides = true;
              for (const auto& part : parts) {
                if (part.num_gpus % width != 0) {
                  divides = false;
                  break;
                }
                replicas.push_back(part.num_gpus / width);
                replica_speed.push_back(gpu_speed(part.gpu, r.dtype));
              }
              if (!divides || r.global_batch_size % mbs != 0) {
                pruned["split DP: tp x cp x pp does not divide each part"] += 1;
                continue;
              }
              // Micro-batches per replica in proportion to speed: sum_k replicas_k * m_k = gbs / mbs.
              const int64_t micro_batches = r.global_batch_size / mbs;
              std::vector<double> weights;
              for (size_t k = 0; k < parts.size(); ++k) weights.push_back(replica_speed[k] * static_cast<double>(replicas[k]));
              const auto per_part_mb = proportional_split(micro_batches, weights, 1);
              bool even = !per_part_mb.empty();
              for (size_t k = 0; even && k < parts.size(); ++k) even = per_part_mb[k] % replicas[k] == 0;
              if (!even) {
                pruned["split DP: the batch does not split evenly over each part's replicas"] += 1;
                continue;
              }
              std::optional<Split> split = Split{};
              if (r.framework.capabilities.even_split_only) split = pipeline_split(r.framework.capabilities, a.num_layers, pp, 1);
              if (!split) {
                pruned["split DP: the layers do not split over pp the way the framework accepts"] += 1;
                continue;
              }
              HeteroLayout h;
              h.placement = "data parallel across parts:";
              for (size_t k = 0; k < parts.size(); ++k) {
                predictor::ParallelConfig c = planner_layout(r, tp, cp, mbs, rc, zero);
                c.pp = pp;
                c.dp = replicas[k];
                c.global_batch_size = per_part_mb[k] * mbs;
                c.schedule = predictor::PipelineSchedule::kOneFOneB;
                c.embedding_in_split = c.loss_in_split = split->embedding_and_loss;
                if (pp > 1) c.stage_layers = split->stage_layers;
                per_part.push_back(c);
                h.placement += fmt::format(" {} x dp{} with {} sequences", parts[k].name, replicas[k], c.global_batch_size);
              }
              if (!model::sharding_problems(a, per_part.front().step_config()).empty()) {
                pruned["split DP: degree does not divide the model"] += 1;
                continue;
              }
              h.config = per_part.front();
              h.config.dp = r.cluster.num_gpus / width;
              h.config.global_batch_size = r.global_batch_size;
              h.per_part = std::move(per_part);
              out.push_back(std::move(h));
            }
          }
        }
      }
    }
  }
  return out;
}

predictor::Outcome<predictor::Prediction> predict_split_dp(const PlanRequest& r, const HeteroLayout& layout) {
  const auto& parts = r.cluster.parts;
  predictor::Prediction slowest;
  double worst_memory_ratio = -1;
  predictor::MemoryFit memory;
  double model_flops = 0, hardware_flops = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    predictor::PredictOptions options;
    options.compute = r.compute.get();  // a KernelDbModel answers for its own GPU's part only
    auto outcome = predictor::predict(r.architecture, parts[k], r.framework, layout.per_part[k], options);
    if (!outcome.feasible()) return outcome.infeasible();
    predictor::Prediction p = std::move(outcome).value();
    model_flops += p.model_flops_per_step;
    hardware_flops += p.hardware_flops_per_step;
    const double ratio = p.memory.peak.total_bytes() / parts[k].gpu.hbm_bytes;
    if (ratio > worst_memory_ratio) {
      worst_memory_ratio = ratio;
      memory = p.memory;
    }
    if (k == 0 || p.iteration_time_s > slowest.iteration_time_s) slowest = std::move(p);
  }
  // The replicas of all parts average their gradients: an all-reduce of one replica's (stage's)
  // gradients between the parts over the slower scale-out network (after each part's own
  // reduction, which its prediction holds).
  const auto& cfg = layout.per_part.front();
  const double params_per_gpu = static_cast<double>(predictor::weight_bytes_per_parameter(cfg.dtype)) > 0
                                    ? memory.peak.weights_bytes / predictor::weight_bytes_per_parameter(cfg.dtype)
                                    : 0.0;
  predictor::GroupPlacement across{static_cast<int64_t>(parts.size()), 1};
  const double shards = cfg.shards_optimizer() ? static_cast<double>(cfg.dense_shard_size()) : 1.0;
  const double cross_s = predictor::collective_time(model::CommKind::kAllReduce,
                                                    params_per_gpu / shards * predictor::gradient_bytes_per_parameter(cfg.dtype),
                                                    across, r.cluster);
  predictor::Prediction out = std::move(slowest);
  out.iteration_time_s += cross_s;
  out.time.dp_comm_s += cross_s;
  out.memory = memory;
  out.model_flops_per_step = model_flops;
  out.hardware_flops_per_step = hardware_flops;
  const double gpus = static_cast<double>(r.cluster.num_gpus);
  predictor::finish_metrics(out, static_cast<double>(r.global_batch_size * r.seq_len), gpus,
                            predictor::peak_flops_per_gpu(r.cluster, cfg.dtype, gpus));
  return out;
}

}  // namespace perfplan::planner::detail
