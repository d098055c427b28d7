#include "search_space.hpp"

#include <algorithm>

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

}  // namespace

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

Enumeration enumerate_layouts(const PlanRequest& r) {
  Enumeration e;
  const model::Architecture& a = r.architecture;
  const int64_t gpus = r.cluster.num_gpus;
  const int64_t domain = std::max<int64_t>(1, r.cluster.nvlink_domain_size);
  const std::vector<int64_t> mbs_options =
      r.micro_batch_sizes.empty() ? std::vector<int64_t>{1, 2, 4, 8} : r.micro_batch_sizes;
  const std::vector<model::Recompute> recomputes = {model::Recompute::kNone, model::Recompute::kSelective,
                                                    model::Recompute::kFull};
  auto cut = [&](const std::string& reason, int64_t count = 1) { e.pruned[reason] += count; };

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
        for (int64_t ep : eps) {
          for (int64_t vp : vps) {
            for (int64_t mbs : mbs_options) {
              for (model::Recompute recompute : recomputes) {
                // Optimizer sharding: DDP, distributed optimizer, FSDP (without PP).
                for (int zero : {0, 1, 3}) {
                  std::vector<predictor::PipelineSchedule> schedules;
                  if (pp == 1) schedules = {predictor::PipelineSchedule::kOneFOneB};
                  else if (vp > 1) schedules = {predictor::PipelineSchedule::kInterleaved};
                  else schedules = {predictor::PipelineSchedule::kOneFOneB, predictor::PipelineSchedule::kZeroBubbleH1};
                  for (auto schedule : schedules) {
                    ++e.enumerated;
                    if (zero == 3 && pp > 1) {
                      cut("FSDP with pipeline parallelism");
                      continue;
                    }
                    if (r.global_batch_size % (dp * mbs) != 0) {
                      cut("dp x mbs does not divide the global batch");
                      continue;
                    }
                    if (a.moe && (tp * cp * dp) % ep != 0) {
                      cut("ep does not divide the folded tp x cp x dp ranks");
                      continue;
                    }
                    predictor::ParallelConfig c = planner_layout(r, tp, cp, mbs, recompute, zero);
                    c.pp = pp;
                    c.vp = vp;
                    c.dp = dp;
                    c.ep = ep;
                    c.schedule = schedule;
                    c.overlap_moe_comm = ep > 1;
                    if (!model::sharding_problems(a, c.step_config()).empty()) {
                      cut("degree does not divide heads, KV heads, FFN, experts or sequence");
                      continue;
                    }
                    e.layouts.push_back(c);
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
