#pragma once
// How a training job is laid out over the GPUs: the parallel degrees, batch, precision,
// recomputation, optimizer sharding, pipeline schedule and which communication overlaps.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "perfplan/model/architecture.hpp"
#include "perfplan/model/step_config.hpp"
#include "perfplan/predictor/pipeline_schedule.hpp"

namespace perfplan::predictor {

// How MoE tokens travel to their experts: NCCL all-to-all with one copy per (token, expert)
// (Megatron's "alltoall" dispatcher), or a node-aware dispatcher (DeepEP / HybridEP, Megatron's
// "flex") that sends a token once per destination node and dispatches FP8 tokens in FP8.
enum class MoeDispatcher { kAllToAll, kFlex };
MoeDispatcher parse_moe_dispatcher(const std::string& text);
std::string to_string(MoeDispatcher dispatcher);

// Parallel dimensions in the global rank order, innermost first.
enum class Dim { kTp, kCp, kEp, kDp, kPp };

struct ParallelConfig {
  int64_t tp = 1;
  int64_t pp = 1;
  int64_t dp = 1;
  int64_t cp = 1;
  int64_t ep = 1;   // expert parallelism, folded into the TP x CP x DP ranks of MoE layers
  int64_t etp = 1;  // tensor parallelism inside each expert
  int64_t vp = 1;   // virtual pipeline chunks per stage (interleaved 1F1B when > 1)
  bool sequence_parallel = false;
  int zero_stage = 0;                  // 0..3 (3 = FSDP full shard)
  bool distributed_optimizer = false;  // Megatron's (= ZeRO-1 over the DP x CP group)
  model::Recompute recompute = model::Recompute::kNone;
  PipelineSchedule schedule = PipelineSchedule::kOneFOneB;
  int64_t micro_batch_size = 1;
  int64_t global_batch_size = 1;  // sequences per optimizer step
  int64_t seq_len = 4096;
  model::DType dtype = model::DType::kBf16;
  model::AttentionKernel attention = model::AttentionKernel::kFlash;
  double capacity_factor = 1.0;
  bool overlap_tp_comm = false;       // TP/SP collectives hidden behind GEMMs (Megatron --tp-comm-overlap)
  bool overlap_grad_reduce = true;    // DP gradient reduction overlapped with backward
  bool overlap_param_gather = true;   // distributed-optimizer / ZeRO-3 parameter gathers overlapped with forward
  bool overlap_moe_comm = false;      // EP all-to-all overlapped with computation
  MoeDispatcher moe_dispatcher = MoeDispatcher::kAllToAll;
  std::array<Dim, 5> rank_order = {Dim::kTp, Dim::kCp, Dim::kEp, Dim::kDp, Dim::kPp};
  // Explicit layers of each pipeline stage (size pp, vp = 1); empty: an even split.
  std::vector<int64_t> stage_layers;
  // On a heterogeneous cluster, the part (index into hardware::ClusterSpec::parts) each stage runs on.
  std::vector<int64_t> stage_part;

  int64_t num_gpus() const { return tp * pp * dp * cp; }
  int64_t micro_batches() const;  // per pipeline per step: gbs / (dp * mbs)
  // The operators' view of this layout.
  model::StepConfig step_config() const;
};

// Every reason the layout does not fit the model and GPU count, each saying what is accepted.
std::vector<std::string> layout_problems(const model::Architecture& arch, const ParallelConfig& config,
                                         int64_t num_gpus);
void validate_layout(const model::Architecture& arch, const ParallelConfig& config, int64_t num_gpus);

// Parses "tp-cp-ep-dp-pp" style orders.
std::array<Dim, 5> parse_rank_order(const std::string& text);

// Layers of each pipeline stage (pp * vp chunks, in order): an even split, the first chunks
// taking one more layer where it does not divide.
std::vector<int64_t> layers_per_chunk(int64_t num_layers, int64_t pp, int64_t vp);
// The same, honouring config.stage_layers when given.
std::vector<int64_t> layers_per_chunk(int64_t num_layers, const ParallelConfig& config);

}  // namespace perfplan::predictor
