// Pipeline-parallel schedules: closed-form step time and bubble, and the per-stage event list
// from a dependency-driven simulation of each schedule's op order.
//
// Notation: p stages, m micro-batches, v chunks per stage (interleaved; the other schedules
// run a stage's v chunks back to back), F = forward_s, B = backward_s (input + weight gradients),
// W = weight_grad_s, B_in = B - W, T = F + B, d = p2p_s.
#include "perfplan/common/names.hpp"
#include "perfplan/predictor/pipeline_schedule.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "perfplan/common/input_error.hpp"

namespace perfplan::predictor {

namespace {

struct Shape {
  int64_t stages = 1;
  int64_t micro_batches = 0;
  int64_t chunks = 1;  // v for interleaved, 1 otherwise
};

Shape shape_of(PipelineSchedule schedule, int64_t stages, int64_t micro_batches, int64_t virtual_stages) {
  Shape shape;
  shape.stages = std::max<int64_t>(stages, 1);
  shape.micro_batches = std::max<int64_t>(micro_batches, 0);
  shape.chunks = schedule == PipelineSchedule::kInterleaved ? std::max<int64_t>(virtual_stages, 1) : 1;
  return shape;
}

// Times per op of the schedule's order. Only the interleaved schedule runs chunks separately;
// the others run a stage's v chunks back to back, as one stage of v times the chunk's work.
StageTimes op_times(PipelineSchedule schedule, int64_t virtual_stages, StageTimes stage) {
  if (schedule == PipelineSchedule::kInterleaved || virtual_stages <= 1) return stage;
  const double v = static_cast<double>(virtual_stages);
  stage.forward_s *= v;
  stage.backward_s *= v;
  stage.weight_grad_s *= v;
  return stage;
}

// ZB-H1 splits B into B_in (on the critical path) and W (deferrable).
double input_grad_s(const StageTimes& stage) { return std::max(stage.backward_s - stage.weight_grad_s, 0.0); }
double weight_grad_s(const StageTimes& stage) { return std::min(std::max(stage.weight_grad_s, 0.0), stage.backward_s); }

// End of each of `iterations` back-to-back iterations of the simulated order (defined below).
std::vector<double> iteration_ends(PipelineSchedule schedule, const Shape& s, const StageTimes& stage,
                                   int64_t iterations);

// Compute makespan (no p2p) of one pipeline, per schedule.
double compute_makespan(PipelineSchedule schedule, const Shape& s, const StageTimes& stage) {
  const double p = static_cast<double>(s.stages);
  const double m = static_cast<double>(s.micro_batches);
  const double v = static_cast<double>(s.chunks);
  const double t = stage.forward_s + stage.backward_s;
  switch (schedule) {
    case PipelineSchedule::kGpipe:
    case PipelineSchedule::kOneFOneB:
      // Narayanan et al. SC21, Sec. 2.2.1: (p-1) fill/drain slots around m busy slots of F+B.
      return (m + p - 1) * t;
    case PipelineSchedule::kInterleaved:
      // Narayanan et al. SC21, Sec. 2.2.2: the fill/drain is (p-1) chunk slots, so the bubble
      // is (p-1)/v of a full stage's. With m < p a micro-batch's walk through all p*v chunks
      // dominates instead: (p*v + m - 1) chunk slots (what the event simulation gives).
      return std::max(m * v + p - 1, p * v + m - 1) * t;
    case PipelineSchedule::kZeroBubbleH1: {
      // Qi et al. 2023 ("Zero Bubble Pipeline Parallelism", Sec. 2.1 ZB-H1): deferring W into
      // the drain leaves (p-1)(F + B_in - W) of bubble per stage, 1/3 of 1F1B's
      // (p-1)(F + B_in + W) when F = B_in = W. Their figure assumes equal passes; with unequal
      // ones a W hides at most one F or B_in slot per boundary, so the bubble is
      // (p-1)(F + B_in - min(W, F, B_in)) (the last stage still waits (p-1) F for its first
      // input, the first stage (p-1) B_in for its last gradient). With few micro-batches the
      // F/B_in chain of the first micro-batch, then m-1 more through stage 0, sets the step.
      // Both match the event list exactly whenever m >= p or W <= B_in.
      const double f = stage.forward_s;
      const double b_in = input_grad_s(stage);
      const double w = weight_grad_s(stage);
      const double drain = m * t + (p - 1) * (f + b_in - std::min({w, f, b_in}));
      const double chain = p * (f + b_in) + (m - 1) * std::max(f + b_in, b_in + w) + w;
      return std::max(drain, chain);
    }
    case PipelineSchedule::kZeroBubbleH2: {
      // No closed form for unequal passes: the makespan of the simulated order (p2p free).
      StageTimes no_p2p = stage;
      no_p2p.p2p_s = 0;
      double end = 0;
      for (const auto& e : pipeline_events(schedule, s.stages, s.micro_batches, 1, no_p2p)) end = std::max(end, e.end_s);
      return end;
    }
  }
  return 0;
}

// Send/recv on the critical path. Fill and drain cross the p-1 stage boundaries once each way;
// in steady state the transfers are taken to overlap compute. (The event list makes every
// transfer a hard dependency: it agrees for GPipe, but 1F1B's minimal warm-up leaves no slack,
// so there about 2(p-1)/p * d per micro-batch more shows, and ZB-H1 shows 4(p-1) d for m >= 2p.) Interleaved: the first
// micro-batch's forward and the last one's backward cross all p*v - 1 chunk boundaries (Megatron's doubled warm-up
// hides the rest; the event simulation gives exactly 2(p*v-1) d for m >= p).
double exposed_p2p(PipelineSchedule schedule, const Shape& s, double p2p_s) {
  if (s.stages <= 1) return 0;
  const double crossings = schedule == PipelineSchedule::kInterleaved
                               ? static_cast<double>(2 * (s.stages * s.chunks - 1))
                               : static_cast<double>(2 * (s.stages - 1));
  return crossings * p2p_s;
}

// One op of a stage's order: kind, micro-batch, chunk (virtual stage index = chunk * p + stage).
struct Op {
  char kind = 'F';
  int64_t micro_batch = 0;
  int64_t chunk = 0;
};

// GPipe (Huang et al. 2019): all forwards, then all backwards.
std::vector<Op> gpipe_order(const Shape& s) {
  std::vector<Op> ops;
  for (int64_t i = 0; i < s.micro_batches; ++i) ops.push_back({'F', i, 0});
  for (int64_t i = 0; i < s.micro_batches; ++i) ops.push_back({'B', i, 0});
  return ops;
}

// 1F1B (PipeDream-Flush, Narayanan et al. SC21 Fig. 4 top): p-s-1 warm-up forwards, then
// one forward / one backward, then the remaining backwards. ZB-H1 (Qi et al. 2023, Sec. 2.1)
// keeps that order for F and B_in and delays each stage's W by s micro-batches, so every stage
// holds p micro-batches in flight (stage 0's 1F1B peak); the pending W fill the drain.
// `extra_warmup`: ZB-H2 (Qi et al. 2023, Sec. 2.1, Fig. 3) runs p - 1 - stage more forwards in
// warm-up, which the doubled activation memory (2p micro-batches on stage 0) allows, so the
// first stage has work while the first gradients travel back; the weight gradients of those
// extra micro-batches then fill the drain.
std::vector<Op> one_f_one_b_order(const Shape& s, int64_t stage, bool split_weight_grad, bool extra_warmup = false) {
  const int64_t m = s.micro_batches;
  const int64_t base = s.stages - stage - 1;
  const int64_t warmup = std::min(extra_warmup ? 2 * base : base, m);
  const int64_t w_delay = extra_warmup ? 2 * stage : stage;
  std::vector<Op> ops;
  int64_t next_w = 0;
  for (int64_t i = 0; i < warmup; ++i) ops.push_back({'F', i, 0});
  for (int64_t i = 0; i < m - warmup; ++i) {
    ops.push_back({'F', warmup + i, 0});
    ops.push_back({'B', i, 0});
    if (split_weight_grad && i >= w_delay) ops.push_back({'W', next_w++, 0});
  }
  for (int64_t i = m - warmup; i < m; ++i) {
    ops.push_back({'B', i, 0});
    if (split_weight_grad && next_w <= i) ops.push_back({'W', next_w++, 0});
  }
  while (split_weight_grad && next_w < m) ops.push_back({'W', next_w++, 0});
  return ops;
}

// Interleaved 1F1B (Narayanan et al. SC21 Sec. 2.2.2; Megatron-LM's
// forward_backward_pipelining_with_interleaving): micro-batches go in groups of p, each group
// through chunk 0, 1, ..., v-1 forward and v-1, ..., 0 backward; stage s runs
// 2(p-s-1) + (v-1) * (first group size) warm-up forwards, then 1F1B. Megatron wants m % p == 0;
// otherwise the remainder joins the first group, which keeps the order deadlock-free.
std::vector<Op> interleaved_order(const Shape& s, int64_t stage) {
  const int64_t p = s.stages;
  const int64_t m = s.micro_batches;
  const int64_t v = s.chunks;
  std::vector<int64_t> group_sizes;
  if (m < p) {
    group_sizes.push_back(m);
  } else {
    group_sizes.assign(static_cast<size_t>(m / p), p);
    group_sizes.front() += m % p;
  }
  std::vector<Op> forwards;
  std::vector<Op> backwards;
  int64_t first = 0;
  for (const int64_t size : group_sizes) {
    for (int64_t c = 0; c < v; ++c)
      for (int64_t j = 0; j < size; ++j) forwards.push_back({'F', first + j, c});
    for (int64_t c = v - 1; c >= 0; --c)
      for (int64_t j = 0; j < size; ++j) backwards.push_back({'B', first + j, c});
    first += size;
  }
  const int64_t total = m * v;
  const int64_t warmup = std::min(2 * (p - stage - 1) + (v - 1) * group_sizes.front(), total);
  std::vector<Op> ops(forwards.begin(), forwards.begin() + warmup);
  for (int64_t i = 0; i < total - warmup; ++i) {
    ops.push_back(forwards[static_cast<size_t>(warmup + i)]);
    ops.push_back(backwards[static_cast<size_t>(i)]);
  }
  ops.insert(ops.end(), backwards.begin() + (total - warmup), backwards.end());
  return ops;
}

std::vector<Op> stage_order(PipelineSchedule schedule, const Shape& s, int64_t stage) {
  switch (schedule) {
    case PipelineSchedule::kGpipe:
      return gpipe_order(s);
    case PipelineSchedule::kOneFOneB:
      return one_f_one_b_order(s, stage, false);
    case PipelineSchedule::kInterleaved:
      return interleaved_order(s, stage);
    case PipelineSchedule::kZeroBubbleH1:
      return one_f_one_b_order(s, stage, true);
    case PipelineSchedule::kZeroBubbleH2:
      return one_f_one_b_order(s, stage, true, true);
  }
  return {};
}

// End times of finished ops, indexed by (kind, micro-batch, stage, chunk); < 0 while pending.
class EndTimes {
 public:
  explicit EndTimes(const Shape& s)
      : shape_(s), ends_(static_cast<size_t>(3 * s.micro_batches * s.stages * s.chunks), -1.0) {}
  double& at(char kind, int64_t micro_batch, int64_t stage, int64_t chunk) {
    const int64_t k = kind == 'F' ? 0 : kind == 'B' ? 1 : 2;
    const int64_t index = ((k * shape_.micro_batches + micro_batch) * shape_.stages + stage) * shape_.chunks + chunk;
    return ends_[static_cast<size_t>(index)];
  }

 private:
  Shape shape_;
  std::vector<double> ends_;
};

// Earliest start of `op` on `stage` from its data dependency, or < 0 if that is not done yet.
// F needs the previous virtual stage's F, B the next virtual stage's B (and its own F); W its
// own B. A dependency on another stage arrives p2p_s after it ends.
double ready_time(const Op& op, int64_t stage, const Shape& s, double p2p_s, EndTimes& ends) {
  const int64_t virtual_stage = op.chunk * s.stages + stage;
  const int64_t last_virtual_stage = s.stages * s.chunks - 1;
  auto from = [&](char kind, int64_t other_virtual_stage) {
    const int64_t other_stage = other_virtual_stage % s.stages;
    const double end = ends.at(kind, op.micro_batch, other_stage, other_virtual_stage / s.stages);
    if (end < 0) return -1.0;
    return end + (other_stage == stage ? 0.0 : p2p_s);
  };
  if (op.kind == 'F') return virtual_stage == 0 ? 0.0 : from('F', virtual_stage - 1);
  if (op.kind == 'W') return from('B', virtual_stage);
  const double own_forward = from('F', virtual_stage);
  if (own_forward < 0 || virtual_stage == last_virtual_stage) return own_forward;
  const double next_backward = from('B', virtual_stage + 1);
  return next_backward < 0 ? -1.0 : std::max(own_forward, next_backward);
}

}  // namespace

PipelineSchedule parse_pipeline_schedule(std::string_view text) {
  const std::string t = to_lower(text);
  if (t == "gpipe") return PipelineSchedule::kGpipe;
  if (t == "1f1b") return PipelineSchedule::kOneFOneB;
  if (t == "interleaved") return PipelineSchedule::kInterleaved;
  if (t == "zb-h1") return PipelineSchedule::kZeroBubbleH1;
  if (t == "zb-h2") return PipelineSchedule::kZeroBubbleH2;
  std::string message = "unknown pipeline schedule '";
  message += text;
  message += "': accepted are gpipe, 1f1b, interleaved, zb-h1, zb-h2";
  throw InputError(message);
}

std::string to_string(PipelineSchedule schedule) {
  switch (schedule) {
    case PipelineSchedule::kGpipe:
      return "gpipe";
    case PipelineSchedule::kOneFOneB:
      return "1f1b";
    case PipelineSchedule::kInterleaved:
      return "interleaved";
    case PipelineSchedule::kZeroBubbleH1:
      return "zb-h1";
    case PipelineSchedule::kZeroBubbleH2:
      return "zb-h2";
  }
  return "unknown";
}

// Unit times with F = B_in = W (B = 2F, W = F), p2p free: the schedules' textbook fractions.
double bubble_fraction(PipelineSchedule schedule, int64_t stages, int64_t micro_batches, int64_t virtual_stages) {
  StageTimes unit;
  unit.forward_s = 1;
  unit.backward_s = 2;
  unit.weight_grad_s = 1;
  return pipeline_time(schedule, stages, micro_batches, virtual_stages, unit).bubble_fraction;
}

PipelineTiming pipeline_time(PipelineSchedule schedule, int64_t stages, int64_t micro_batches, int64_t virtual_stages,
                             const StageTimes& chunk_times, bool across_iterations) {
  const Shape s = shape_of(schedule, stages, micro_batches, virtual_stages);
  const StageTimes stage = op_times(schedule, virtual_stages, chunk_times);
  PipelineTiming timing;
  if (s.micro_batches == 0) return timing;
  const double busy = static_cast<double>(s.micro_batches * s.chunks) * (stage.forward_s + stage.backward_s);
  double makespan = 0;
  if (across_iterations && s.stages > 1) {
    // No barrier between iterations (Qi et al. 2024, Sec. 4, optimizer post-validation): each
    // stage starts the next iteration when its own work allows, so a step takes the period of the
    // steady state: the second simulated iteration's end minus the first's (a third repeats it).
    StageTimes no_p2p = stage;
    no_p2p.p2p_s = 0;
    const std::vector<double> ends = iteration_ends(schedule, s, no_p2p, 2);
    makespan = ends[1] - ends[0];
    // The closed forms are cheap; the ZB-H2 one is this simulation's single iteration.
    if (schedule != PipelineSchedule::kZeroBubbleH2) makespan = std::min(makespan, compute_makespan(schedule, s, stage));
  } else {
    makespan = compute_makespan(schedule, s, stage);
  }
  timing.bubble_s = std::max(makespan - busy, 0.0);
  timing.p2p_exposed_s = exposed_p2p(schedule, s, stage.p2p_s);
  timing.total_s = makespan + timing.p2p_exposed_s;
  timing.bubble_fraction = timing.total_s > 0 ? timing.bubble_s / timing.total_s : 0.0;
  return timing;
}

// Peak micro-batches of activations on stage 0 (Korthikanti et al. 2022, Sec. 4.2.3), never more
// than the m there are. Interleaved: 2(p-1) + (v-1)p + 1 chunk forwards in flight, i.e.
// p (1 + (p-1)/(p v)) full-stage micro-batches. ZB-H1 keeps 1F1B's p (Qi et al. 2023, Sec. 2.1).
double in_flight_micro_batches(PipelineSchedule schedule, int64_t stages, int64_t micro_batches,
                               int64_t virtual_stages) {
  const Shape s = shape_of(schedule, stages, micro_batches, virtual_stages);
  const double p = static_cast<double>(s.stages);
  const double m = static_cast<double>(s.micro_batches);
  const double v = static_cast<double>(s.chunks);
  switch (schedule) {
    case PipelineSchedule::kGpipe:
      return m;
    case PipelineSchedule::kOneFOneB:
    case PipelineSchedule::kZeroBubbleH1:
      return std::min(p, m);
    case PipelineSchedule::kZeroBubbleH2:
      return std::min(2.0 * p - 1.0, m);  // p - 1 extra warm-up forwards on stage 0
    case PipelineSchedule::kInterleaved:
      return std::min(m, p * (1 + (p - 1) / (p * v)));
  }
  return m;
}

namespace {

// List scheduling of every stage's op order, `iterations` back to back with no barrier between
// them (iteration k's micro-batches are k*m .. k*m + m - 1): an op starts when its stage is free
// and its data dependency has arrived. Sweeps the stages until every op is placed.
std::vector<PipelineEvent> simulate(PipelineSchedule schedule, const Shape& s, const StageTimes& stage,
                                    int64_t iterations) {
  std::vector<std::vector<Op>> orders;
  size_t total_ops = 0;
  for (int64_t st = 0; st < s.stages; ++st) {
    std::vector<Op> order;
    const std::vector<Op> one = stage_order(schedule, s, st);
    for (int64_t k = 0; k < iterations; ++k) {
      for (Op op : one) {
        op.micro_batch += k * s.micro_batches;
        order.push_back(op);
      }
    }
    total_ops += order.size();
    orders.push_back(std::move(order));
  }
  const bool split = schedule == PipelineSchedule::kZeroBubbleH1 || schedule == PipelineSchedule::kZeroBubbleH2;
  // Negative times would read as "not finished yet" in EndTimes.
  auto duration = [&](char kind) {
    if (kind == 'F') return std::max(stage.forward_s, 0.0);
    if (kind == 'W') return std::max(weight_grad_s(stage), 0.0);
    return std::max(split ? input_grad_s(stage) : stage.backward_s, 0.0);
  };
  const double p2p_s = std::max(stage.p2p_s, 0.0);

  Shape all = s;
  all.micro_batches = s.micro_batches * iterations;
  EndTimes ends(all);
  std::vector<std::vector<PipelineEvent>> per_stage(static_cast<size_t>(s.stages));
  std::vector<size_t> next(static_cast<size_t>(s.stages), 0);
  std::vector<double> free_at(static_cast<size_t>(s.stages), 0.0);
  size_t placed = 0;
  while (placed < total_ops) {
    bool progress = false;
    for (int64_t st = 0; st < s.stages; ++st) {
      const auto i = static_cast<size_t>(st);
      while (next[i] < orders[i].size()) {
        const Op& op = orders[i][next[i]];
        const double ready = ready_time(op, st, all, p2p_s, ends);
        if (ready < 0) break;
        const double start = std::max(free_at[i], ready);
        const double end = start + duration(op.kind);
        ends.at(op.kind, op.micro_batch, st, op.chunk) = end;
        free_at[i] = end;
        per_stage[i].push_back({st, op.micro_batch, op.chunk, op.kind, start, end});
        ++next[i];
        ++placed;
        progress = true;
      }
    }
    if (!progress) {
      std::string message = "pipeline_events: the ";
      message += to_string(schedule);
      message += " op order deadlocks";
      throw std::logic_error(message);
    }
  }

  std::vector<PipelineEvent> events;
  events.reserve(placed);
  for (const auto& stage_events : per_stage) events.insert(events.end(), stage_events.begin(), stage_events.end());
  return events;
}

std::vector<double> iteration_ends(PipelineSchedule schedule, const Shape& s, const StageTimes& stage,
                                   int64_t iterations) {
  std::vector<double> ends(static_cast<size_t>(iterations), 0.0);
  for (const auto& e : simulate(schedule, s, stage, iterations)) {
    auto& end = ends[static_cast<size_t>(e.micro_batch / std::max<int64_t>(s.micro_batches, 1))];
    end = std::max(end, e.end_s);
  }
  return ends;
}

}  // namespace

std::vector<PipelineEvent> pipeline_events(PipelineSchedule schedule, int64_t stages, int64_t micro_batches,
                                           int64_t virtual_stages, const StageTimes& chunk_times) {
  const Shape s = shape_of(schedule, stages, micro_batches, virtual_stages);
  return simulate(schedule, s, op_times(schedule, virtual_stages, chunk_times), 1);
}

}  // namespace perfplan::predictor
