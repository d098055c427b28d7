#include "perfplan/common/units.hpp"
#include "perfplan/planner/plan.hpp"

#include "perfplan/predictor/gpu_support.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <numeric>
#include <atomic>
#include <chrono>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/limits.hpp"
#include "perfplan/model/step_operators.hpp"
#include "perfplan/predictor/memory.hpp"
#include "perfplan/predictor/stage_layout.hpp"
#include "heterogeneous.hpp"
#include "search_space.hpp"

namespace perfplan::planner {
namespace {

using units::kGiB;

// Parameters of the whole model, split into dense and expert weights (they shard differently).
predictor::ParameterSplit model_parameters(const model::Architecture& arch) {
  model::StepConfig unsharded;
  unsharded.seq_len = 2;
  unsharded.vocab_multiple = 1;
  const auto step = model::build_step_operators(arch, unsharded);
  predictor::ParameterSplit total = predictor::split_parameters(step.embedding);
  const auto head = predictor::split_parameters(step.head);
  total.dense += head.dense;
  for (const auto& kind : step.layer_kinds) {
    const auto split = predictor::split_parameters(kind.ops);
    total.dense += split.dense * static_cast<double>(kind.count);
    total.expert += split.expert * static_cast<double>(kind.count);
  }
  return total;
}

// A lower bound on model-state bytes per GPU: the average pipeline stage, before activations.
double model_state_lower_bound(const predictor::ParameterSplit& params, const predictor::ParallelConfig& c,
                               const hardware::FrameworkSpec& framework) {
  const double pp = static_cast<double>(c.pp);
  const double dense = params.dense / (static_cast<double>(c.tp) * pp);
  const double expert = params.expert / (static_cast<double>(c.ep * c.etp) * pp);
  const double dense_shards = static_cast<double>(c.dense_shard_size());
  const double expert_shards = static_cast<double>(c.expert_shard_size());
  const double state_bytes = framework.optimizer_state_bytes_per_parameter;
  return predictor::model_state(dense, dense_shards, c, state_bytes).total() +
         predictor::model_state(expert, expert_shards, c, state_bytes).total();
}

auto layout_key(const predictor::ParallelConfig& c) {
  return std::make_tuple(c.tp, c.pp, c.vp, c.dp, c.cp, c.ep, c.etp, c.micro_batch_size, static_cast<int>(c.recompute),
                         c.zero_stage, c.shard_size, static_cast<int>(c.schedule));
}

// A layout without its vp, micro-batch, HSDP shard size and 1F1B / interleaved choice: rows that differ only
// there fold into one when the model cannot tell them apart.
auto family_key(const predictor::ParallelConfig& c) {
  const bool one_f_one_b = c.schedule == predictor::PipelineSchedule::kOneFOneB ||
                           c.schedule == predictor::PipelineSchedule::kInterleaved;
  return std::make_tuple(c.tp, c.pp, c.dp, c.cp, c.ep, c.etp, static_cast<int>(c.recompute), c.zero_stage,
                         one_f_one_b ? -1 : static_cast<int>(c.schedule));
}

std::string range_text(const char* name, std::vector<int64_t> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  if (values.size() <= 1) return "";
  std::string out = name;
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "/" : " ") + std::to_string(values[i]);
  return out;
}

// The component of the step that differs most between a row and the next one.
std::string beats(const predictor::Prediction& a, const predictor::Prediction& b, size_t next_rank) {
  const auto& x = a.time;
  const auto& y = b.time;
  const std::vector<std::pair<const char*, double>> parts = {
      {"compute", y.compute_s - x.compute_s},       {"recompute", y.recompute_s - x.recompute_s},
      {"TP comm", y.tp_comm_s - x.tp_comm_s},       {"CP comm", y.cp_comm_s - x.cp_comm_s},
      {"EP all-to-all", y.ep_comm_s - x.ep_comm_s}, {"bubble", y.pp_bubble_s - x.pp_bubble_s},
      {"p2p", y.pp_p2p_s - x.pp_p2p_s},             {"DP sync", y.dp_comm_s - x.dp_comm_s},
      {"optimizer", y.optimizer_s - x.optimizer_s}, {"host", y.host_s - x.host_s}};
  const auto most = std::max_element(parts.begin(), parts.end(), [](const auto& l, const auto& r) { return l.second < r.second; });
  if (most->second <= 0) return "";
  return fmt::format("beats #{}: {} {:.3g} s less", next_rank, most->first, most->second);
}

std::string explain(const predictor::Prediction& p) {
  const auto& t = p.time;
  const double total = p.iteration_time_s;
  auto pct = [&](double s) { return 100.0 * s / total; };
  std::string why = fmt::format("compute {:.0f}%", pct(t.compute_s));
  auto add = [&](const char* what, double s) {
    if (pct(s) >= 1.0) why += fmt::format(", {} {:.0f}%", what, pct(s));
  };
  add("recompute", t.recompute_s);
  add("TP comm", t.tp_comm_s);
  add("CP comm", t.cp_comm_s);
  add("EP all-to-all", t.ep_comm_s);
  add("bubble", t.pp_bubble_s);
  add("p2p", t.pp_p2p_s);
  add("DP sync", t.dp_comm_s);
  add("optimizer", t.optimizer_s);
  add("host", t.host_s);
  why += fmt::format("; {:.1f} GiB/GPU", p.memory.peak.total_bytes() / kGiB);
  return why;
}

Candidate make_candidate(const PlanRequest& r, const predictor::ParallelConfig& c, predictor::Prediction p) {
  Candidate out;
  out.config = c;
  out.time_to_train_s = r.training_tokens / p.tokens_per_s;
  double dollars_per_hour = static_cast<double>(r.cluster.num_gpus) * r.cluster.gpu.price_per_gpu_hour_usd;
  if (!r.cluster.parts.empty()) {
    dollars_per_hour = 0;
    for (const auto& part : r.cluster.parts) {
      dollars_per_hour += static_cast<double>(part.num_gpus) * part.gpu.price_per_gpu_hour_usd;
    }
  }
  out.cost_usd = dollars_per_hour * out.time_to_train_s / 3600.0;
  out.why = explain(p);
  if (c.global_batch_size != r.global_batch_size) {
    out.why += fmt::format("; global batch {} rounded to {} ({:+.1f}%) for dp x mbs", r.global_batch_size,
                           c.global_batch_size,
                           100.0 * static_cast<double>(c.global_batch_size - r.global_batch_size) /
                               static_cast<double>(r.global_batch_size));
  }
  out.prediction = std::move(p);
  return out;
}

void mark_pareto(std::vector<FeasiblePoint>& points) {
  std::vector<size_t> order(points.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (points[a].memory_bytes != points[b].memory_bytes) return points[a].memory_bytes < points[b].memory_bytes;
    return points[a].tokens_per_s > points[b].tokens_per_s;
  });
  double best = -1;
  for (size_t i : order) {
    if (points[i].tokens_per_s > best) {
      points[i].pareto = true;
      best = points[i].tokens_per_s;
    }
  }
}

// What model::build_step_operators reads of a layout (its StepConfig, without recompute_keep).
auto step_key(const predictor::ParallelConfig& c) {
  return std::make_tuple(c.micro_batch_size, c.seq_len, static_cast<int>(c.dtype), c.tp, c.sequence_parallel, c.cp, c.ep,
                         c.etp, static_cast<int>(c.recompute), static_cast<int>(c.attention), c.capacity_factor,
                         c.vocab_multiple);
}

// A layout family for the quick search: what stays when vp, micro-batch, HSDP shard size and
// expert TP are left out.
auto coarse_key(const predictor::ParallelConfig& c) {
  const bool one_f_one_b = c.schedule == predictor::PipelineSchedule::kOneFOneB ||
                           c.schedule == predictor::PipelineSchedule::kInterleaved;
  return std::make_tuple(c.tp, c.pp, c.dp, c.cp, c.ep, static_cast<int>(c.recompute), c.zero_stage,
                         one_f_one_b ? -1 : static_cast<int>(c.schedule));
}

}  // namespace

double rank_score(const Candidate& c, RankBy rank) {
  switch (rank) {
    case RankBy::kThroughput: return c.prediction.tokens_per_s;
    case RankBy::kTime: return -c.time_to_train_s;
    case RankBy::kCost: return -c.cost_usd;
  }
  return c.prediction.tokens_per_s;
}

RankBy parse_rank_by(const std::string& text) {
  if (text == "throughput") return RankBy::kThroughput;
  if (text == "time") return RankBy::kTime;
  if (text == "cost") return RankBy::kCost;
  throw InputError("unknown ranking '" + text + "': accepted are throughput, time, cost");
}

std::string to_string(RankBy rank) {
  switch (rank) {
    case RankBy::kThroughput: return "throughput";
    case RankBy::kTime: return "time";
    case RankBy::kCost: return "cost";
  }
  return "?";
}

PlanResult plan(const PlanRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  // The request's numbers, each within its documented bound (common/limits.hpp), before any
  // search multiplies them.
  const auto bounded = [](const char* what, int64_t v, int64_t low, int64_t high) {
    if (v < low || v > high) {
      throw InputError(fmt::format("the plan's {} is {}; accepted: {} to {}", what, v, low, high));
    }
  };
  bounded("number of GPUs", request.cluster.num_gpus, 1, limits::kMaxGpus);
  bounded("global batch (--gbs)", request.global_batch_size, 1, limits::kMaxGlobalBatch);
  bounded("sequence length (--seq)", request.seq_len, 1, limits::kMaxSeqLen);
  bounded("number of layouts to show (--top)", request.top_k, 1, int64_t{1} << 20);
  bounded("thread count (--threads; 0: all cores)", request.threads, 0, limits::kMaxThreads);
  if (!(request.training_tokens > 0 && request.training_tokens <= limits::kMaxTokens)) {
    throw InputError(fmt::format("the plan's training tokens (--tokens) are {}; accepted: a number above 0, at most {:g}",
                                 request.training_tokens, limits::kMaxTokens));
  }
  if (!(request.memory_headroom_bytes >= 0 && request.memory_headroom_bytes < 1e15)) {
    throw InputError("the plan's memory headroom must be a finite number of bytes >= 0");
  }
  for (int64_t mbs : request.micro_batch_sizes) bounded("micro-batch size", mbs, 1, limits::kMaxMicroBatch);
  if (const auto problems = request.framework.problems(); !problems.empty()) {
    throw InputError("the plan's framework spec is incomplete (load one with HardwareCatalog::framework): " +
                     problems.front());
  }
  // A dtype or attention kernel the GPUs cannot run at all is the request's fault, not a
  // property of each layout: say so instead of "no layout fits".
  if (const auto why = predictor::check_gpu_support(request.cluster, request.dtype, request.attention)) {
    throw InputError(why->detail);
  }
  PlanResult result;
  std::vector<detail::HeteroLayout> items;
  const bool mixed = !request.cluster.parts.empty();
  if (mixed) {
    items = detail::enumerate_heterogeneous(request, result.stats.pruned, result.stats.enumerated);
    // Every generated layout plus every combination cut while generating.
    result.stats.enumerated = static_cast<int64_t>(items.size());
    for (const auto& [reason, count] : result.stats.pruned) result.stats.enumerated += count;
  } else {
    detail::Enumeration space = detail::enumerate_layouts(request, request.search == PlanRequest::Search::kQuick);
    result.stats.enumerated = space.enumerated;
    result.stats.pruned = space.pruned;
    items.reserve(space.layouts.size());
    for (auto& c : space.layouts) items.push_back({std::move(c), {}, {}});
  }
  const predictor::ParameterSplit params = model_parameters(request.architecture);

  const unsigned threads = std::max(1u, request.threads ? request.threads : std::thread::hardware_concurrency());
  struct Local {
    std::vector<Candidate> feasible;
    std::map<std::string, int64_t> pruned;
    std::map<predictor::InfeasibleKind, int64_t> rejected;
    std::map<predictor::InfeasibleKind, int64_t> rejected_by_predictor;  // named at the merge
    int64_t evaluated = 0;
    std::map<decltype(step_key(predictor::ParallelConfig{})), model::StepOperators> steps;
  };
  std::vector<Local> locals(threads);
  std::atomic<int64_t> done{0};
  const int64_t total = static_cast<int64_t>(items.size());
  // The items to predict in this pass (all of them, unless a quick search).
  std::vector<size_t> pass;
  auto work = [&](unsigned t) {
    Local& local = locals[t];
    for (size_t k = t; k < pass.size(); k += threads) {
      const size_t i = pass[k];
      const detail::HeteroLayout& item = items[i];
      const predictor::ParallelConfig& c = item.config;
      const int64_t finished = ++done;
      if (request.progress && finished % 256 == 0) request.progress(finished, total);
      if (!mixed && model_state_lower_bound(params, c, request.framework) > request.cluster.gpu.hbm_bytes) {
        local.pruned["weights, gradients and optimizer state alone exceed GPU memory"] += 1;
        local.rejected[predictor::InfeasibleKind::kMemory] += 1;
        continue;
      }
      // Layouts that shard a micro-batch alike share its operators (built once per thread).
      predictor::PredictOptions options;
      options.compute = request.compute.get();
      if (item.per_part.empty() && c.recompute_keep.empty()) {
        const auto key = step_key(c);
        auto it = local.steps.find(key);
        if (it == local.steps.end() && model::sharding_problems(request.architecture, c.step_config()).empty()) {
          it = local.steps.emplace(key, model::build_step_operators(request.architecture, c.step_config())).first;
        }
        if (it != local.steps.end()) options.step = &it->second;
      }
      predictor::Outcome<predictor::Prediction> outcome =
          item.per_part.empty() ? predictor::predict(request.architecture, request.cluster, request.framework, c, options)
                                : detail::predict_split_dp(request, item);
      if (!outcome.feasible()) {
        local.rejected_by_predictor[outcome.infeasible().kind] += 1;
        local.rejected[outcome.infeasible().kind] += 1;
        continue;
      }
      predictor::Prediction& p = outcome.value();
      ++local.evaluated;
      if (!p.memory.fits) {
        local.pruned["does not fit in GPU memory (with activations)"] += 1;
        local.rejected[predictor::InfeasibleKind::kMemory] += 1;
        continue;
      }
      if (p.memory.peak.total_bytes() > request.cluster.gpu.hbm_bytes - request.memory_headroom_bytes) {
        local.pruned[fmt::format("leaves less than the {:.3g} GiB memory headroom", request.memory_headroom_bytes / kGiB)] += 1;
        local.rejected[predictor::InfeasibleKind::kMemory] += 1;
        continue;
      }
      Candidate candidate = make_candidate(request, c, std::move(p));
      candidate.placement = item.placement;
      candidate.per_part = item.per_part;
      local.feasible.push_back(std::move(candidate));
    }
  };
  const auto run_pass = [&]() {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
  };
  if (request.search == PlanRequest::Search::kQuick && !mixed) {
    // Pass 1 predicted the families' representatives (enumerated so); pass 2 every variant of
    // the best few, enumerated with their degrees fixed.
    // Recomputation only where less does not fit: none, then selective, then full, each for the
    // layouts whose lighter variant did not fit (the lighter one is the faster when it fits).
    const auto without_recompute = [](const predictor::ParallelConfig& c) {
      auto k = layout_key(c);
      std::get<8>(k) = -1;
      return k;
    };
    std::set<decltype(layout_key(predictor::ParallelConfig{}))> fitted;
    int64_t skipped = 0;
    for (model::Recompute rc : {model::Recompute::kNone, model::Recompute::kSelective, model::Recompute::kFull}) {
      pass.clear();
      for (size_t i = 0; i < items.size(); ++i) {
        if (items[i].config.recompute != rc) continue;
        if (fitted.count(without_recompute(items[i].config))) ++skipped;
        else pass.push_back(i);
      }
      run_pass();
      for (const auto& local : locals) {
        for (const auto& c : local.feasible) fitted.insert(without_recompute(c.config));
      }
    }
    if (skipped > 0) result.stats.pruned["quick search: more recomputation than a layout needs to fit"] += skipped;
    std::vector<std::pair<double, decltype(coarse_key(predictor::ParallelConfig{}))>> scored;
    for (const auto& local : locals) {
      for (const auto& c : local.feasible) scored.emplace_back(rank_score(c, request.rank_by), coarse_key(c.config));
    }
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::set<decltype(coarse_key(predictor::ParallelConfig{}))> best;
    for (const auto& [score, key] : scored) {
      if (static_cast<int>(best.size()) >= std::max(1, request.quick_families)) break;
      best.insert(key);
    }
    std::set<decltype(layout_key(predictor::ParallelConfig{}))> seen;
    for (const auto& item : items) seen.insert(layout_key(item.config));
    const size_t first = items.size();
    std::set<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>> degrees;
    for (const auto& key : best) {
      const auto [tp, pp, dp, cp, ep, recompute, zero, schedule] = key;
      if (!degrees.insert({tp, pp, dp, cp, ep}).second) continue;
      PlanRequest fixed = request;
      fixed.constraints.tp = tp;
      fixed.constraints.pp = pp;
      fixed.constraints.dp = dp;
      fixed.constraints.cp = cp;
      fixed.constraints.ep = ep;
      for (auto& c : detail::enumerate_layouts(fixed).layouts) {
        if (best.count(coarse_key(c)) && seen.insert(layout_key(c)).second) items.push_back({std::move(c), {}, {}});
      }
    }
    pass.clear();
    for (size_t i = first; i < items.size(); ++i) pass.push_back(i);
    result.stats.enumerated += static_cast<int64_t>(pass.size());
    run_pass();
  } else {
    pass.resize(items.size());
    std::iota(pass.begin(), pass.end(), size_t{0});
    run_pass();
  }
  if (request.progress) request.progress(total, total);

  std::vector<Candidate> feasible;
  for (auto& local : locals) {
    result.stats.evaluated += local.evaluated;
    for (const auto& [reason, count] : local.pruned) result.stats.pruned[reason] += count;
    for (const auto& [kind, count] : local.rejected) result.stats.rejected[kind] += count;
    for (const auto& [kind, count] : local.rejected_by_predictor) {
      result.stats.pruned["rejected by the predictor: " + predictor::to_string(kind)] += count;
    }
    std::move(local.feasible.begin(), local.feasible.end(), std::back_inserter(feasible));
  }
  result.stats.feasible = static_cast<int64_t>(feasible.size());
  if (feasible.empty()) {
    std::string why;
    for (const auto& [reason, count] : result.stats.pruned) why += fmt::format("; {} x {}", count, reason);
    result.stats.nothing_fits = fmt::format("no layout of {} fits {} x {} at global batch {} x seq {}{}",
                                            request.architecture.name, request.cluster.num_gpus,
                                            request.cluster.gpu.name, request.global_batch_size, request.seq_len, why);
    result.search_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  }
  // Best first; ties by lower memory, then by layout, so the order never depends on threads.
  std::sort(feasible.begin(), feasible.end(), [&](const Candidate& a, const Candidate& b) {
    const double sa = rank_score(a, request.rank_by), sb = rank_score(b, request.rank_by);
    if (sa != sb) return sa > sb;
    const double ma = a.prediction.memory.peak.total_bytes(), mb = b.prediction.memory.peak.total_bytes();
    if (ma != mb) return ma < mb;
    if (layout_key(a.config) != layout_key(b.config)) return layout_key(a.config) < layout_key(b.config);
    return a.placement < b.placement;
  });
  for (const auto& c : feasible) {
    FeasiblePoint point;
    point.tokens_per_s = c.prediction.tokens_per_s;
    point.memory_bytes = c.prediction.memory.peak.total_bytes();
    point.tp = c.config.tp;
    point.pp = c.config.pp;
    point.dp = c.config.dp;
    point.cp = c.config.cp;
    point.ep = c.config.ep;
    point.vp = c.config.vp;
    point.micro_batch_size = c.config.micro_batch_size;
    result.feasible.push_back(point);
  }
  mark_pareto(result.feasible);
  const size_t k = static_cast<size_t>(std::max<int64_t>(1, request.top_k));
  // Rows: the best of each layout family; a variant (other vp / micro-batch) within the model's
  // error of its family's row folds into it instead of taking a row of its own.
  std::vector<Candidate> rows;
  std::vector<std::vector<int64_t>> vps, mbss, shards;
  const auto shard_of = [](const predictor::ParallelConfig& c) { return c.dense_shard_size(); };
  const auto within_error = [&](double row_s, double variant_s) {
    if (request.band) return variant_s * request.band->low_ratio <= row_s * request.band->high_ratio;
    return variant_s <= 1.01 * row_s;
  };
  for (auto& c : feasible) {
    bool folded = false;
    for (size_t i = 0; i < rows.size() && !folded; ++i) {
      if (family_key(rows[i].config) == family_key(c.config) &&
          within_error(rows[i].prediction.iteration_time_s, c.prediction.iteration_time_s)) {
        vps[i].push_back(c.config.vp);
        mbss[i].push_back(c.config.micro_batch_size);
        shards[i].push_back(shard_of(c.config));
        folded = true;
      }
    }
    if (folded) continue;
    if (rows.size() == k) continue;
    vps.push_back({c.config.vp});
    mbss.push_back({c.config.micro_batch_size});
    shards.push_back({shard_of(c.config)});
    rows.push_back(std::move(c));
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string text = range_text("vp", vps[i]);
    const std::string mbs = range_text("mbs", mbss[i]);
    if (!mbs.empty()) text += (text.empty() ? "" : ", ") + mbs;
    const std::string shard = rows[i].config.shards_optimizer() ? range_text("shard size", shards[i]) : "";
    if (!shard.empty()) text += (text.empty() ? "" : ", ") + shard;
    if (!text.empty()) rows[i].equivalents = text + " equivalent";
    if (i + 1 < rows.size()) rows[i].beats_next = beats(rows[i].prediction, rows[i + 1].prediction, i + 2);
  }
  feasible = std::move(rows);
  if (request.band) {
    const double best_s = feasible.front().prediction.iteration_time_s;
    for (size_t i = 0; i < feasible.size(); ++i) {
      Candidate& c = feasible[i];
      c.prediction.band = predictor::band_of(c.prediction.iteration_time_s, *request.band);
      // Intervals [t lo, t hi] overlap the best's: t_i * lo <= t_best * hi (t_i >= t_best).
      c.ties_best = i > 0 && c.prediction.iteration_time_s * request.band->low_ratio <= best_s * request.band->high_ratio;
    }
  }
  // The best layout's timeline, for the report's Gantt chart.
  if (feasible.front().per_part.empty()) {
    predictor::PredictOptions with_timeline;
    with_timeline.timeline = true;
    with_timeline.band = request.band;
    with_timeline.compute = request.compute.get();
    feasible.front().prediction =
        predictor::predict(request.architecture, request.cluster, request.framework, feasible.front().config,
                           with_timeline)
            .value();
  }
  result.top = std::move(feasible);
  result.search_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

LayoutRank rank_of(const PlanRequest& request, const PlanResult& result, const predictor::ParallelConfig& layout,
                   double memory_tolerance) {
  LayoutRank out;
  out.feasible = static_cast<int64_t>(result.feasible.size());
  predictor::PredictOptions options;
  options.compute = request.compute.get();
  const auto outcome = predictor::predict(request.architecture, request.cluster, request.framework, layout, options);
  if (!outcome.feasible()) {
    out.why_pruned = outcome.infeasible().detail;
    return out;
  }
  const predictor::Prediction& p = outcome.value();
  out.tokens_per_s = p.tokens_per_s;
  if (p.memory.peak.total_bytes() > (1.0 + memory_tolerance) * request.cluster.gpu.hbm_bytes) {
    out.why_pruned = p.memory.reason;
    return out;
  }
  out.rank = 1;
  for (const auto& point : result.feasible) {
    if (point.tokens_per_s > out.tokens_per_s) ++out.rank;
  }
  return out;
}

std::vector<CountBest> best_at_each_count(const PlanRequest& request, int64_t max_gpus) {
  std::vector<CountBest> out;
  const int64_t node = std::max<int64_t>(1, request.cluster.gpus_per_node);
  for (int64_t gpus = node; gpus <= max_gpus; gpus *= 2) {
    PlanRequest at = request;
    at.cluster.num_gpus = gpus;
    at.top_k = 1;
    at.progress = nullptr;
    PlanResult r = plan(at);
    if (r.top.empty()) continue;  // nothing fits at this size
    out.push_back({gpus, std::move(r.top.front())});
  }
  return out;
}

std::vector<ScalingPoint> scaling_curve(const PlanRequest& request, int64_t max_gpus) {
  std::vector<ScalingPoint> out;
  for (const auto& [gpus, best] : best_at_each_count(request, max_gpus)) {
    out.push_back({gpus, best.prediction.tokens_per_s, best.prediction.mfu, best.config});
  }
  return out;
}

}  // namespace perfplan::planner
