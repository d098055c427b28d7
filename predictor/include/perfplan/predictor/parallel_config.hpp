#pragma once
// How a training job is laid out over the GPUs: the parallel degrees, batch, precision,
// recomputation, optimizer sharding, pipeline schedule and which communication overlaps.
#include <algorithm>
#include <array>
#include <optional>
#include <cstdint>
#include <string>
#include <vector>

#include "perfplan/model/architecture.hpp"
#include "perfplan/model/step_config.hpp"
#include "perfplan/predictor/infeasible.hpp"
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

// The one layout type. The sharding of one micro-batch's operators (TP, SP, CP, EP, ETP,
// micro-batch, sequence, dtype, recompute, attention kernel, capacity factor) is the
// model::StepConfig it extends, held once; pipeline, data parallelism, optimizer sharding,
// schedule and overlaps are added here.
struct ParallelConfig : model::StepConfig {
  int64_t pp = 1;
  int64_t dp = 1;
  int64_t vp = 1;   // virtual pipeline chunks per stage (interleaved 1F1B when > 1)
  int zero_stage = 0;                  // 0..3 (3 = FSDP full shard)
  bool distributed_optimizer = false;  // Megatron's (= ZeRO-1 over the DP x CP group)
  // HSDP: the sharded state (ZeRO >= 1) split over this many of the DP x CP ranks, the nearest
  // ones, and replicated over the rest, whose gradients are then all-reduced shard by shard
  // (PyTorch FSDP HYBRID_SHARD / FSDP2 2-D mesh, torchtitan data_parallel_replicate_degree,
  // Megatron-LM --num-distributed-optimizer-instances); 0: over all of them.
  int64_t shard_size = 0;
  PipelineSchedule schedule = PipelineSchedule::kOneFOneB;
  int64_t global_batch_size = 1;  // sequences per optimizer step
  bool overlap_tp_comm = false;       // TP/SP collectives hidden behind GEMMs (Megatron --tp-comm-overlap)
  bool overlap_grad_reduce = true;    // DP gradient reduction overlapped with backward
  bool overlap_param_gather = true;   // distributed-optimizer / ZeRO-3 parameter gathers overlapped with forward
  bool overlap_moe_comm = false;      // EP all-to-all overlapped with computation
  // No barrier before the optimizer step: each stage steps and starts the next iteration when
  // its own work is done, the global checks validated afterwards (Qi et al., ICLR 2024, Sec. 4,
  // optimizer post-validation; the Zero Bubble implementation's ZB-2p).
  bool optimizer_post_validation = false;
  MoeDispatcher moe_dispatcher = MoeDispatcher::kAllToAll;
  std::array<Dim, 5> rank_order = {Dim::kTp, Dim::kCp, Dim::kEp, Dim::kDp, Dim::kPp};
  // The embedding and the loss each count as one layer in the pipeline split (Megatron-LM
  // --account-for-embedding-in-pipeline-split / --account-for-loss-in-pipeline-split): the
  // first chunk holds one layer fewer, the last one too; (layers + those) / (pp x vp) per chunk.
  bool embedding_in_split = false;
  bool loss_in_split = false;
  // Explicit layers of each pipeline stage (size pp, vp = 1); empty: an even split.
  std::vector<int64_t> stage_layers;
  // On a heterogeneous cluster, the part (index into ClusterSpec::parts) each stage runs on.
  std::vector<int64_t> stage_part;

  int64_t num_gpus() const { return tp * pp * dp * cp; }
  int64_t micro_batches() const;  // per pipeline per step: gbs / (dp * mbs)
  // The operators' view of this layout: the sharding it holds.
  const model::StepConfig& step_config() const { return *this; }
  // Optimizer state sharded over data parallelism (ZeRO >= 1 or Megatron's distributed optimizer).
  bool shards_optimizer() const { return distributed_optimizer || zero_stage >= 1; }
  // Ranks that hold the same dense weights and reduce their gradients: DP x CP.
  int64_t dense_dp_size() const { return dp * cp; }
  // Ranks that hold the same experts: tp x cp x dp / (ep x etp) (Megatron-Core MoE folding).
  int64_t expert_dp_size() const { return ep * etp > 0 ? tp * cp * dp / (ep * etp) : 0; }
  // Copies of the sharded state (1 unless HSDP) and the ranks each copy is sharded over.
  int64_t shard_replicas() const { return shard_size > 0 ? std::max<int64_t>(1, dense_dp_size() / shard_size) : 1; }
  int64_t dense_shard_size() const { return dense_dp_size() / shard_replicas(); }
  int64_t expert_shard_size() const {
    const int64_t r = shard_replicas();
    return expert_dp_size() % r == 0 ? expert_dp_size() / r : expert_dp_size();
  }
  // The same layout with what a user may leave out (0) filled in for `num_gpus` GPUs: dp as the
  // GPUs left by tp x pp x cp (at least 1), the global batch as dp x mbs.
  ParallelConfig with_defaults(int64_t num_gpus) const;
};

// The layout in one line, the one text form every renderer uses, e.g.
// "tp8+sp pp2x16 dp32 cp2 ep8 etp2 mbs2 none interleaved dist-opt" (cp, ep, etp only when > 1;
// the schedule only with pp > 1; ddp | zero2 | dist-opt | fsdp for the optimizer sharding).
std::string to_string(const ParallelConfig& config);

// Every reason the layout does not fit the model and GPU count (beside the sharding checks of
// model::sharding_problems), each with its kind and saying what is accepted.
std::vector<Infeasible> layout_problems(const model::Architecture& arch, const ParallelConfig& config,
                                        int64_t num_gpus);
// All of them and the sharding problems as one Infeasible (the kind of the first), or nullopt.
std::optional<Infeasible> check_layout(const model::Architecture& arch, const ParallelConfig& config,
                                       int64_t num_gpus);
// For callers whose layout is user input: InputError with check_layout's detail.
void validate_layout(const model::Architecture& arch, const ParallelConfig& config, int64_t num_gpus);

// Parses "tp-cp-ep-dp-pp" style orders.
std::array<Dim, 5> parse_rank_order(const std::string& text);
std::string to_string(const std::array<Dim, 5>& order);  // "tp-cp-ep-dp-pp"

// Layers of each pipeline stage (pp * vp chunks, in order): an even split, the first chunks
// taking one more layer where it does not divide.
std::vector<int64_t> layers_per_chunk(int64_t num_layers, int64_t pp, int64_t vp);
// The same, honouring config.stage_layers when given.
std::vector<int64_t> layers_per_chunk(int64_t num_layers, const ParallelConfig& config);

}  // namespace perfplan::predictor
