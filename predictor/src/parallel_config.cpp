#include "perfplan/predictor/parallel_config.hpp"

#include <algorithm>
#include <cstdint>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/limits.hpp"

namespace perfplan::predictor {

MoeDispatcher parse_moe_dispatcher(const std::string& text) {
  if (text == "alltoall") return MoeDispatcher::kAllToAll;
  if (text == "flex") return MoeDispatcher::kFlex;
  throw InputError("unknown MoE dispatcher '" + text + "': accepted are alltoall, flex");
}

std::string to_string(MoeDispatcher dispatcher) {
  return dispatcher == MoeDispatcher::kAllToAll ? "alltoall" : "flex";
}

int64_t ParallelConfig::micro_batches() const {
  const int64_t per_step = dp * micro_batch_size;
  return per_step > 0 ? global_batch_size / per_step : 0;
}

ParallelConfig ParallelConfig::with_defaults(int64_t num_gpus) const {
  ParallelConfig c = *this;
  // Saturating products: absurd degrees are refused by layout_problems, not wrapped around here.
  const auto times = [](int64_t a, int64_t b) { return limits::checked_mul(a, b).value_or(INT64_MAX); };
  if (c.dp == 0) c.dp = std::max<int64_t>(1, num_gpus / std::max<int64_t>(1, times(times(c.tp, c.pp), c.cp)));
  if (c.global_batch_size == 0) c.global_batch_size = times(c.dp, c.micro_batch_size);
  return c;
}

std::string to_string(const ParallelConfig& c) {
  std::string out = "tp" + std::to_string(c.tp) + (c.sequence_parallel ? "+sp" : "");
  out += " pp" + std::to_string(c.pp) + (c.vp > 1 ? "x" + std::to_string(c.vp) : "");
  out += " dp" + std::to_string(c.dp);
  if (c.cp > 1) out += " cp" + std::to_string(c.cp);
  if (c.ep > 1) out += " ep" + std::to_string(c.ep);
  if (c.etp > 1) out += " etp" + std::to_string(c.etp);
  out += " mbs" + std::to_string(c.micro_batch_size) + " " + model::to_string(c.recompute);
  if (c.pp > 1) out += " " + to_string(c.schedule) + (c.optimizer_post_validation ? "+pv" : "");
  out += c.zero_stage == 3 ? " fsdp" : c.zero_stage == 2 ? " zero2" : c.shards_optimizer() ? " dist-opt" : " ddp";
  if (c.shard_replicas() > 1) out += " hsdp" + std::to_string(c.dense_shard_size()) + "x" + std::to_string(c.shard_replicas());
  return out;
}

std::vector<Infeasible> layout_problems(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus) {
  std::vector<Infeasible> out;
  auto add = [&](InfeasibleKind kind, std::string detail) { out.push_back({kind, std::move(detail)}); };
  // tp, cp, ep, etp, mbs and seq are checked with the sharding (model::sharding_problems).
  auto positive = [&](const char* name, int64_t v) {
    if (v <= 0) add(InfeasibleKind::kInvalidDegree, std::string(name) + " must be a positive integer, got " + std::to_string(v));
  };
  positive("pp", c.pp);
  positive("dp", c.dp);
  positive("vp", c.vp);
  positive("gbs", c.global_batch_size);
  // Documented bounds (common/limits.hpp) before any product of them is formed.
  const auto bounded = [&](const char* name, int64_t v, int64_t bound) {
    if (v > bound) add(InfeasibleKind::kInvalidDegree, std::string(name) + " = " + std::to_string(v) + " is beyond perfplan's bound of " + std::to_string(bound));
  };
  for (const auto& [name, v] : {std::pair<const char*, int64_t>{"tp", c.tp}, {"pp", c.pp}, {"dp", c.dp}, {"cp", c.cp},
                                {"ep", c.ep}, {"etp", c.etp}, {"vp", c.vp}}) {
    bounded(name, v, limits::kMaxDegree);
  }
  bounded("mbs", c.micro_batch_size, limits::kMaxMicroBatch);
  bounded("gbs", c.global_batch_size, limits::kMaxGlobalBatch);
  bounded("seq", c.seq_len, limits::kMaxSeqLen);
  bounded("number of GPUs", num_gpus, limits::kMaxGpus);
  if (!out.empty()) return out;
  if (!limits::checked_mul(c.tp, c.pp).has_value() || !limits::checked_mul(c.tp * c.pp, c.dp).has_value() ||
      !limits::checked_mul(c.tp * c.pp * c.dp, c.cp).has_value() || c.tp * c.pp * c.dp * c.cp > limits::kMaxGpus) {
    add(InfeasibleKind::kGpuCount, "tp x pp x dp x cp exceeds perfplan's bound of " + std::to_string(limits::kMaxGpus) + " GPUs");
    return out;
  }
  if (c.zero_stage < 0 || c.zero_stage > 3) add(InfeasibleKind::kInvalidDegree, "zero stage must be 0, 1, 2 or 3, got " + std::to_string(c.zero_stage));
  if (c.shard_size < 0) add(InfeasibleKind::kInvalidDegree, "shard size must be 0 (all DP ranks) or positive, got " + std::to_string(c.shard_size));
  if (!out.empty() || c.tp <= 0 || c.cp <= 0 || c.ep <= 0 || c.etp <= 0 || c.micro_batch_size <= 0) return out;
  if (c.shard_size > 0) {
    if (!c.shards_optimizer()) {
      add(InfeasibleKind::kUnsupported, "a shard size (HSDP) needs sharded state: ZeRO 1-3 or the distributed optimizer");
    } else if (c.dense_dp_size() % c.shard_size != 0) {
      add(InfeasibleKind::kDivisibility, "shard size " + std::to_string(c.shard_size) + " must divide dp x cp = " +
                                             std::to_string(c.dense_dp_size()));
    }
  }
  if (c.num_gpus() != num_gpus) {
    add(InfeasibleKind::kGpuCount, "tp x pp x dp x cp = " + std::to_string(c.tp) + " x " + std::to_string(c.pp) + " x " +
                  std::to_string(c.dp) + " x " + std::to_string(c.cp) + " = " + std::to_string(c.num_gpus()) +
                  " must equal the number of GPUs (" + std::to_string(num_gpus) + ")");
  }
  if (c.global_batch_size % (c.dp * c.micro_batch_size) != 0) {
    add(InfeasibleKind::kDivisibility, "global batch " + std::to_string(c.global_batch_size) + " must be a multiple of dp x mbs = " +
                  std::to_string(c.dp * c.micro_batch_size));
  }
  const int64_t chunks = c.pp * c.vp;
  const int64_t slots = arch.num_layers + (c.embedding_in_split ? 1 : 0) + (c.loss_in_split ? 1 : 0);
  if ((c.embedding_in_split || c.loss_in_split) && slots % chunks != 0) {
    add(InfeasibleKind::kDivisibility, "with the embedding / loss counted in the split, layers + " +
                                           std::to_string(slots - arch.num_layers) + " = " + std::to_string(slots) +
                                           " must divide by pp x vp = " + std::to_string(chunks));
  } else if (slots < chunks) {
    add(InfeasibleKind::kDivisibility, "pp x vp = " + std::to_string(chunks) + " exceeds the number of layers (" +
                  std::to_string(arch.num_layers) + ")");
  }
  if (c.vp > 1 && c.pp == 1) add(InfeasibleKind::kUnsupported, "vp > 1 (interleaving) needs pp > 1");
  const bool interleaved = c.schedule == PipelineSchedule::kInterleaved;
  if (c.vp > 1 && !interleaved) {
    add(InfeasibleKind::kUnsupported, "vp = " + std::to_string(c.vp) + " needs the interleaved schedule, not " +
                                          to_string(c.schedule));
  } else if (interleaved && c.vp == 1 && c.pp > 1) {
    add(InfeasibleKind::kUnsupported, "the interleaved schedule needs vp > 1 (virtual stages per GPU)");
  }
  // Megatron-Core's interleaved schedule (core_v0.14.0, pipeline_parallel/schedules.py,
  // forward_backward_pipelining_with_interleaving) groups micro-batches by
  // microbatch_group_size_per_vp_stage (default pp) and raises unless pp <= M and M % pp is 0 or
  // >= pp: with the default, M must be a multiple of pp.
  if (interleaved && c.vp > 1 && c.pp > 1 && c.global_batch_size % (c.dp * c.micro_batch_size) == 0) {
    const int64_t m = c.global_batch_size / (c.dp * c.micro_batch_size);
    if (m % c.pp != 0) {
      add(InfeasibleKind::kDivisibility, "the interleaved schedule needs the micro-batches per pipeline (gbs / (dp x mbs) = " +
                                             std::to_string(m) + ") to be a multiple of pp = " + std::to_string(c.pp));
    }
  }
  if (!c.stage_layers.empty()) {
    int64_t sum = 0;
    bool positive_layers = true;
    for (int64_t l : c.stage_layers) {
      sum += l;
      positive_layers = positive_layers && l >= 1;
    }
    if (static_cast<int64_t>(c.stage_layers.size()) != c.pp || c.vp != 1 || sum != arch.num_layers || !positive_layers) {
      add(InfeasibleKind::kDivisibility, "explicit stage layers must give pp = " + std::to_string(c.pp) + " positive counts summing to " +
                    std::to_string(arch.num_layers) + " layers, with vp = 1");
    }
  }
  if (arch.moe && (c.tp * c.cp * c.dp) % (c.ep * c.etp) != 0) {
    add(InfeasibleKind::kDivisibility, "ep x etp = " + std::to_string(c.ep * c.etp) + " must divide tp x cp x dp = " +
                  std::to_string(c.tp * c.cp * c.dp) + " (experts are folded over those ranks)");
  }
  return out;
}

std::optional<Infeasible> check_layout(const model::Architecture& arch, const ParallelConfig& config,
                                       int64_t num_gpus) {
  auto problems = layout_problems(arch, config, num_gpus);
  for (auto& text : model::sharding_problems(arch, config.step_config())) {
    problems.push_back({InfeasibleKind::kDivisibility, std::move(text)});
  }
  if (problems.empty()) return std::nullopt;
  Infeasible out{problems.front().kind, "invalid parallel layout for " + arch.name + ": "};
  for (size_t i = 0; i < problems.size(); ++i) out.detail += (i ? "; " : "") + problems[i].detail;
  return out;
}

void validate_layout(const model::Architecture& arch, const ParallelConfig& config, int64_t num_gpus) {
  if (auto why = check_layout(arch, config, num_gpus)) throw_infeasible(*why);
}

std::array<Dim, 5> parse_rank_order(const std::string& text) {
  std::array<Dim, 5> order{};
  size_t count = 0;
  size_t start = 0;
  bool seen[5] = {false, false, false, false, false};
  while (start <= text.size()) {
    const size_t end = std::min(text.find('-', start), text.size());
    const std::string part = text.substr(start, end - start);
    Dim d;
    if (part == "tp") d = Dim::kTp;
    else if (part == "cp") d = Dim::kCp;
    else if (part == "ep") d = Dim::kEp;
    else if (part == "dp") d = Dim::kDp;
    else if (part == "pp") d = Dim::kPp;
    else throw InputError("rank order '" + text + "': unknown dimension '" + part + "'; accepted: a permutation of tp-cp-ep-dp-pp");
    const auto index = static_cast<size_t>(d);
    if (seen[index] || count == 5) throw InputError("rank order '" + text + "' must name tp, cp, ep, dp, pp once each");
    seen[index] = true;
    order[count++] = d;
    start = end + 1;
  }
  if (count != 5) throw InputError("rank order '" + text + "' must name tp, cp, ep, dp, pp once each");
  return order;
}

std::string to_string(const std::array<Dim, 5>& order) {
  static constexpr const char* kNames[5] = {"tp", "cp", "ep", "dp", "pp"};
  std::string out;
  for (Dim d : order) out += (out.empty() ? "" : "-") + std::string(kNames[static_cast<int>(d)]);
  return out;
}

std::vector<int64_t> layers_per_chunk(int64_t num_layers, const ParallelConfig& config) {
  if (!config.stage_layers.empty()) return config.stage_layers;
  if (config.embedding_in_split || config.loss_in_split) {
    const int64_t extra = (config.embedding_in_split ? 1 : 0) + (config.loss_in_split ? 1 : 0);
    std::vector<int64_t> out = layers_per_chunk(num_layers + extra, config.pp, config.vp);
    if (config.embedding_in_split) out.front() = std::max<int64_t>(0, out.front() - 1);
    if (config.loss_in_split) out.back() = std::max<int64_t>(0, out.back() - 1);
    return out;
  }
  return layers_per_chunk(num_layers, config.pp, config.vp);
}

std::vector<int64_t> layers_per_chunk(int64_t num_layers, int64_t pp, int64_t vp) {
  const int64_t chunks = std::max<int64_t>(1, pp * vp);
  std::vector<int64_t> out(static_cast<size_t>(chunks), num_layers / chunks);
  for (int64_t i = 0; i < num_layers % chunks; ++i) out[static_cast<size_t>(i)] += 1;
  return out;
}

}  // namespace perfplan::predictor
