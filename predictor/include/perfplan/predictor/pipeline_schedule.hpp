#pragma once
// Pipeline-parallel schedules: GPipe, 1F1B, interleaved 1F1B (virtual stages) and zero-bubble
// ZB-H1, as closed forms over per-micro-batch stage times.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace perfplan::predictor {

enum class PipelineSchedule { kGpipe, kOneFOneB, kInterleaved, kZeroBubbleH1, kZeroBubbleH2 };
PipelineSchedule parse_pipeline_schedule(std::string_view text);  // gpipe | 1f1b | interleaved | zb-h1 | zb-h2
std::string to_string(PipelineSchedule schedule);

// Per micro-batch and per stage (one model chunk of one stage when interleaved):
struct StageTimes {
  double forward_s = 0;         // forward of all this stage's layers for one micro-batch
  double backward_s = 0;        // backward (input + weight gradients, + recompute)
  double weight_grad_s = 0;     // the weight-gradient part of backward_s (ZB-H1 defers it)
  double p2p_s = 0;             // one activation send/recv between stages
};

struct PipelineTiming {
  double total_s = 0;       // from the first forward to the last backward of the step
  double bubble_s = 0;      // idle time per stage
  double bubble_fraction = 0;  // bubble_s / total_s
  double p2p_exposed_s = 0;    // send/recv time on the critical path
};

// Ideal bubble fractions (Narayanan et al. SC21, Sec. 2.2): (p-1)/m over busy time, i.e.
// (p-1)/(m+p-1) of the step for GPipe and 1F1B; interleaving with v chunks divides the bubble
// by v; ZB-H1 (Qi et al. 2023) cuts it to (p-1)(F+B-W) of idle per stage... see the .cpp.
double bubble_fraction(PipelineSchedule schedule, int64_t stages, int64_t micro_batches, int64_t virtual_stages);

// Step time of one pipeline: p stages, m micro-batches, v virtual chunks per stage (times in
// `stage` are for one chunk when v > 1; schedules other than interleaved run a stage's v chunks
// back to back, as one stage). `across_iterations`: no barrier between iterations (ZB's
// optimizer post-validation), the step is the steady state's period.
PipelineTiming pipeline_time(PipelineSchedule schedule, int64_t stages, int64_t micro_batches,
                             int64_t virtual_stages, const StageTimes& stage, bool across_iterations = false);

// Micro-batches whose activations the first stage holds at its peak (Korthikanti et al. 2022,
// Sec. 4.2.3): GPipe m; 1F1B p; interleaved p * (1 + (p-1)/(p*v)) in units of a full-stage
// micro-batch; ZB-H1 p. Never more than m.
double in_flight_micro_batches(PipelineSchedule schedule, int64_t stages, int64_t micro_batches,
                               int64_t virtual_stages);

// Per-rank events of one pipeline for a timeline: (stage, micro-batch, chunk, kind, start, end).
struct PipelineEvent {
  int64_t stage = 0;
  int64_t micro_batch = 0;
  int64_t chunk = 0;
  char kind = 'F';  // 'F' forward, 'B' backward (input grad), 'W' weight grad
  double start_s = 0;
  double end_s = 0;
};
std::vector<PipelineEvent> pipeline_events(PipelineSchedule schedule, int64_t stages, int64_t micro_batches,
                                           int64_t virtual_stages, const StageTimes& stage);

}  // namespace perfplan::predictor
