#pragma once
// The predictor: model + cluster + parallel layout -> iteration time, throughput, MFU, memory
// per GPU and a timeline. A pure function: no I/O, no shared state; safe to call concurrently.
#include <optional>
#include <string>
#include <vector>

#include "perfplan/model/architecture.hpp"
#include "perfplan/predictor/compute_model.hpp"
#include "perfplan/predictor/infeasible.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/predictor/memory.hpp"
#include "perfplan/predictor/parallel_config.hpp"
#include "perfplan/predictor/pipeline_schedule.hpp"

namespace perfplan::predictor {

// Where the time of one iteration goes (seconds, on the critical path).
struct TimeBreakdown {
  double compute_s = 0;        // forward + backward kernels of all micro-batches (slowest stage)
  double recompute_s = 0;      // forward kernels run again in backward
  double tp_comm_s = 0;        // exposed TP / SP collectives
  double cp_comm_s = 0;        // exposed CP ring exchange
  double ep_comm_s = 0;        // exposed MoE all-to-all
  double pp_bubble_s = 0;      // pipeline fill and drain
  double pp_p2p_s = 0;         // exposed stage-to-stage sends
  double dp_comm_s = 0;        // exposed gradient reduction and parameter gathers
  double optimizer_s = 0;      // optimizer step
  double host_s = 0;           // GPU waiting on the host to launch kernels (eager execution)
};

struct TimelineEvent {
  int64_t stage = 0;
  std::string name;  // "F3.1" = forward of micro-batch 3, chunk 1
  std::string category;  // forward | backward | weight_grad | dp_comm | optimizer
  double start_s = 0;
  double end_s = 0;
};

// Where the measured time is likely to lie: the prediction scaled by the 10th and 90th
// percentiles of measured / predicted over comparable published runs, out of sample.
struct TimeBand {
  double low_s = 0;
  double high_s = 0;
  hardware::PredictionBand from;
};

struct PredictOptions {
  const ComputeModel* compute = nullptr;  // nullptr: roofline
  bool timeline = false;                  // fill Prediction::timeline
  std::optional<hardware::PredictionBand> band;  // fill Prediction::band (HardwareCatalog::prediction_band)
  // The operators of config.step_config(), when the caller has them (the planner reuses them
  // across layouts that shard a micro-batch alike); nullptr: built here.
  const model::StepOperators* step = nullptr;
};

struct Prediction {
  std::string framework;  // the stack and release predicted, e.g. "pytorch-fsdp 2.2"
  double iteration_time_s = 0;
  std::optional<TimeBand> band;  // when PredictOptions::band was given
  double tokens_per_s = 0;
  double tokens_per_s_per_gpu = 0;
  // FLOP convention: model FLOPs = forward + backward of every operator under the dense
  // convention (GEMM 2mnk, attention's full s x s as in Megatron), no recompute; hardware FLOPs
  // are those the kernels execute: the recomputed forward added, causal attention's masked half
  // and other skipped work left out (so HFU <= 1 where a dense-convention MFU at long causal
  // sequences need not be).
  double model_flops_per_step = 0;
  double hardware_flops_per_step = 0;
  double model_tflops_per_gpu = 0;
  double mfu = 0;  // model FLOP/s per GPU / dense peak of the training dtype
  double hfu = 0;
  int64_t micro_batches = 0;
  double bubble_fraction = 0;
  TimeBreakdown time;
  MemoryFit memory;
  std::vector<TimelineEvent> timeline;
  // Events the timeline of this step holds (one per pass of each micro-batch, chunk and stage,
  // plus the DP sync and optimizer of each stage), counted even when none is built; beyond
  // limits::kMaxTimelineEvents the timeline is left empty.
  int64_t timeline_events = 0;
};

TimeBand band_of(double iteration_time_s, const hardware::PredictionBand& band);

// The prediction of `config` as `framework` runs it (host costs, overlaps, buckets, optimizer
// and runtime memory from the framework's spec), or Infeasible when the layout does not fit the model, the GPU count or the
// parts of a mixed cluster (checked once, here). A layout that does not fit in memory is still
// predicted, with memory.fits false and the reason.
Outcome<Prediction> predict(const model::Architecture& arch, const hardware::ClusterSpec& cluster,
                            const hardware::FrameworkSpec& framework, const ParallelConfig& config,
                            const PredictOptions& options = {});

}  // namespace perfplan::predictor
