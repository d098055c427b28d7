#include "search_space.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "perfplan/model/step_config.hpp"

namespace perfplan::planner::detail {
namespace {

std::vector<int64_t> divisors(int64_t n, int64_t limit) {
  std::vector<int64_t> out;
  for (int64_t d = 1; d <= n && d <= limit; ++d) {
    if (n % d == 0) out.push_back(d);
  }
  return out;
}

bool allowed(const PlanRequest::Constraints& k, int64_t tp, int64_t pp, int64_t cp, int64_t ep, int64_t dp, int zero) {
  const auto ok = [](int64_t fixed, int64_t cap, int64_t v) { return (fixed <= 0 || v == fixed) && (cap <= 0 || v <= cap); };
  return ok(k.tp, k.max_tp, tp) && ok(k.pp, k.max_pp, pp) && ok(k.cp, k.max_cp, cp) && ok(k.ep, k.max_ep, ep) &&
         ok(k.dp, 0, dp) && !(k.no_fsdp && zero == 3);
}

// How far the planner moves a global batch that dp x mbs does not divide (users choose a batch to
// the nearest few percent; the layout states the batch it was predicted with).
constexpr double kBatchRounding = 0.10;

// The framework's pipeline schedules for a layout (all the predictor has without a declared
// capability section).
std::vector<predictor::PipelineSchedule> schedules_for(const hardware::FrameworkCapabilities& caps, int64_t pp, int64_t vp) {
  using predictor::PipelineSchedule;
  if (pp == 1) return {PipelineSchedule::kOneFOneB};
  std::vector<PipelineSchedule> candidates =
      vp > 1 ? std::vector<PipelineSchedule>{PipelineSchedule::kInterleaved}
             : std::vector<PipelineSchedule>{PipelineSchedule::kOneFOneB, PipelineSchedule::kZeroBubbleH1};
  if (!caps.declared) return candidates;
  std::vector<PipelineSchedule> out;
  for (auto s : candidates) {
    const std::string name = predictor::to_string(s);
    if (std::find(caps.pipeline_schedules.begin(), caps.pipeline_schedules.end(), name) != caps.pipeline_schedules.end()) {
      out.push_back(s);
    }
  }
  if (out.empty() && vp == 1 &&
      std::find(caps.pipeline_schedules.begin(), caps.pipeline_schedules.end(), "gpipe") != caps.pipeline_schedules.end()) {
    out.push_back(PipelineSchedule::kGpipe);
  }
  return out;
}

}  // namespace

// How a framework splits `layers` over pp x vp chunks: evenly, evenly with the embedding and
// the loss as one slot each, or (vp = 1, where the framework takes an explicit per-stage
// layout) unevenly; nullopt where it cannot.
std::optional<Split> pipeline_split(const hardware::FrameworkCapabilities& caps, int64_t layers, int64_t pp, int64_t vp) {
  const int64_t chunks = pp * vp;
  if (layers % chunks == 0) return Split{};
  if (caps.embedding_and_loss_in_split && (layers + 2) % chunks == 0 && (layers + 2) / chunks >= 2) {
    return Split{true, {}};
  }
  if (vp > 1) return std::nullopt;  // interleaving needs equal chunks
  // One layer more on the middle stages first (the first holds the embedding, the last the head):
  // Megatron-LM --pipeline-model-parallel-layout, torchtitan's module split, DeepSpeed partitions.
  Split split;
  split.stage_layers.assign(static_cast<size_t>(pp), layers / pp);
  int64_t extra = layers % pp;
  for (int64_t s = 1; s < pp - 1 && extra > 0; ++s, --extra) split.stage_layers[static_cast<size_t>(s)] += 1;
  for (int64_t s : {pp - 1, int64_t{0}}) {
    if (extra > 0) split.stage_layers[static_cast<size_t>(s)] += 1, --extra;
  }
  return split;
}

std::string pipeline_unsupported(const PlanRequest& r) {
  const auto& caps = r.framework.capabilities;
  if (caps.declared && caps.pipeline_schedules.empty()) return r.framework.name + " has no pipeline parallelism";
  const auto& types = caps.no_pipeline_model_types;
  if (std::find(types.begin(), types.end(), r.architecture.model_type) != types.end()) {
    return r.framework.name + " cannot pipeline " + r.architecture.model_type + " models";
  }
  return "";
}

std::vector<int64_t> powers_of_two_up_to(int64_t limit) {
  std::vector<int64_t> out;
  for (int64_t v = 1; v <= limit; v *= 2) out.push_back(v);
  return out;
}

predictor::ParallelConfig planner_layout(const PlanRequest& r, int64_t tp, int64_t cp, int64_t mbs,
                                         model::Recompute recompute, int zero) {
  predictor::ParallelConfig c;
  c.tp = tp;
  c.sequence_parallel = tp > 1;
  c.cp = cp;
  c.micro_batch_size = mbs;
  c.global_batch_size = r.global_batch_size;
  c.seq_len = r.seq_len;
  c.dtype = r.dtype;
  c.attention = r.attention;
  c.recompute = recompute;
  c.zero_stage = zero;
  c.distributed_optimizer = zero >= 1;
  c.overlap_tp_comm = tp > 1;
  return c;
}

Enumeration enumerate_layouts(const PlanRequest& r, bool representatives) {
  Enumeration e;
  const model::Architecture& a = r.architecture;
  const int64_t gpus = r.cluster.num_gpus;
  const int64_t domain = std::max<int64_t>(1, r.cluster.nvlink_domain_size);
  const std::vector<int64_t> mbs_options = !r.micro_batch_sizes.empty() ? r.micro_batch_sizes
                                           : representatives            ? std::vector<int64_t>{1, 4}
                                                                        : std::vector<int64_t>{1, 2, 4, 8};
  const std::vector<model::Recompute> recomputes = {model::Recompute::kNone, model::Recompute::kSelective,
                                                    model::Recompute::kFull};
  auto cut = [&](const std::string& reason, int64_t count = 1) { e.pruned[reason] += count; };
  const hardware::FrameworkCapabilities& caps = r.framework.capabilities;
  // Optimizer sharding the framework runs: DDP, distributed optimizer / ZeRO-1, ZeRO-2, FSDP.
  std::vector<int> zero_options = {0, 1, 2, 3};
  if (caps.declared) zero_options = caps.zero_stages;
  const auto hsdp_for = [&](int zero) {
    if (!caps.declared) return zero >= 1;
    return std::find(caps.hsdp_zero_stages.begin(), caps.hsdp_zero_stages.end(), zero) != caps.hsdp_zero_stages.end();
  };
  const bool expert_tp = !caps.declared || caps.expert_tensor_parallel;
  const std::string no_pipeline = pipeline_unsupported(r);

  // TP stays inside the NVLink domain and at most 16 ranks.
  for (int64_t tp : powers_of_two_up_to(std::min<int64_t>(domain, 16))) {
    // CP only splits sequences long enough to keep 2048 tokens per rank.
    for (int64_t cp : powers_of_two_up_to(std::max<int64_t>(1, r.seq_len / 2048))) {
      if (gpus % (tp * cp) != 0) {
        cut("tp x cp does not divide the GPUs");
        continue;
      }
      for (int64_t pp : divisors(gpus / (tp * cp), a.num_layers)) {
        const int64_t dp = gpus / (tp * cp * pp);
        std::vector<int64_t> vps = {1};
        if (pp > 1) {
          for (int64_t vp = 2; vp <= 24 && pp * vp <= a.num_layers; ++vp) vps.push_back(vp);
        }
        std::vector<int64_t> eps = {1};
        if (a.moe) eps = divisors(a.moe->num_experts, 256);
        // Layouts a framework-level cut removes at once, counted as enumerated and cut.
        const int64_t combinations = static_cast<int64_t>(eps.size() * mbs_options.size() * recomputes.size() * zero_options.size());
        const auto cut_all = [&](const std::string& reason, int64_t count) {
          e.enumerated += count;
          cut(reason, count);
        };
        if (pp > 1 && !no_pipeline.empty()) {
          cut_all(no_pipeline, combinations * static_cast<int64_t>(vps.size()));
          continue;
        }
        bool other_vp_taken = false;
        for (int64_t vp : vps) {
          if (representatives && vp > 1 && other_vp_taken) continue;
          std::optional<Split> split;
          if (caps.even_split_only) {
            split = pipeline_split(caps, a.num_layers, pp, vp);
          } else if (vp == 1 || a.num_layers % (pp * vp) == 0) {
            split = Split{};  // the predictor costs an uneven split by its slowest stage
          }
          if (!split) {
            cut_all("the layers do not split into pp x vp chunks the framework accepts", combinations);
            continue;
          }
          const auto schedules = schedules_for(caps, pp, vp);
          if (schedules.empty()) {
            cut_all("pipeline schedule the framework lacks", combinations);
            continue;
          }
          other_vp_taken = other_vp_taken || vp > 1;
          for (int64_t ep : eps) {
            for (int64_t mbs : mbs_options) {
              for (model::Recompute recompute : recomputes) {
                for (int zero : zero_options) {
                  for (auto schedule : schedules) {
                    ++e.enumerated;
                    if (zero >= 2 && pp > 1 && !(zero == 3 && caps.fsdp_with_pipeline)) {
                      cut(zero == 3 ? "FSDP with pipeline parallelism" : "ZeRO-2 with pipeline parallelism");
                      continue;
                    }
                    // A global batch dp x mbs does not divide is rounded to the nearest multiple
                    // within kBatchRounding (stated with the layout); beyond that the layout is cut.
                    const int64_t step = dp * mbs;
                    const int64_t rounded =
                        std::max<int64_t>(step, (r.global_batch_size + step / 2) / step * step);
                    if (std::abs(static_cast<double>(rounded - r.global_batch_size)) >
                        kBatchRounding * static_cast<double>(r.global_batch_size)) {
                      cut("dp x mbs does not divide the global batch within 10%");
                      continue;
                    }
                    if (a.moe && (tp * cp * dp) % ep != 0) {
                      cut("ep does not divide the folded tp x cp x dp ranks");
                      continue;
                    }
                    if (!allowed(r.constraints, tp, pp, cp, ep, dp, zero)) {
                      cut("outside the degrees asked for (--tp/--pp/--cp/--ep/--dp, --max-*, --no-fsdp)");
                      continue;
                    }
                    predictor::ParallelConfig c = planner_layout(r, tp, cp, mbs, recompute, zero);
                    c.pp = pp;
                    c.vp = vp;
                    c.dp = dp;
                    c.ep = ep;
                    c.schedule = schedule;
                    c.global_batch_size = rounded;
                    // Megatron-Core overlaps the EP all-to-all of one micro-batch with another's
                    // compute only with interleaving when pipelined and without full recompute
                    // (transformer_config.py overlap_moe_expert_parallel_comm checks).
                    c.overlap_moe_comm = ep > 1 && (pp == 1 || vp > 1) && recompute != model::Recompute::kFull;
                    c.embedding_in_split = c.loss_in_split = split->embedding_and_loss;
                    c.stage_layers = split->stage_layers;
                    if (!model::sharding_problems(a, c.step_config()).empty()) {
                      cut("degree does not divide heads, KV heads, FFN, experts or sequence");
                      continue;
                    }
                    e.layouts.push_back(c);
                    // Expert TP equal to the dense TP (Megatron-Core's default when unset).
                    if (!representatives && a.moe && ep > 1 && tp > 1 && expert_tp && (tp * cp * dp) % (ep * tp) == 0) {
                      predictor::ParallelConfig with_etp = c;
                      with_etp.etp = tp;
                      ++e.enumerated;
                      if (model::sharding_problems(a, with_etp.step_config()).empty()) {
                        e.layouts.push_back(with_etp);
                      } else {
                        cut("degree does not divide heads, KV heads, FFN, experts or sequence");
                      }
                    }
                    // HSDP: the sharded state within one NVLink domain's DP ranks (or 2, 4, 8
                    // domains'), replicated across; only where the DP group spans more.
                    if (!representatives && zero >= 1 && hsdp_for(zero)) {
                      for (int64_t shard = std::max<int64_t>(2, domain / tp); shard <= 8 * std::max<int64_t>(2, domain / tp) &&
                                                                                shard < dp * cp;
                           shard *= 2) {
                        if ((dp * cp) % shard != 0) continue;
                        ++e.enumerated;
                        predictor::ParallelConfig hybrid = c;
                        hybrid.shard_size = shard;
                        e.layouts.push_back(hybrid);
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return e;
}

}  // namespace perfplan::planner::detail
