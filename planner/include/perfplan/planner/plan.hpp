#pragma once
// The planner: every valid parallel layout of a model on a cluster at a fixed global batch,
// pruned cheaply, predicted, and ranked by throughput, time-to-train or cost.
#include <cstdint>
#include <functional>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "perfplan/model/architecture.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/predictor/parallel_config.hpp"
#include "perfplan/predictor/predict.hpp"

namespace perfplan::planner {

enum class RankBy { kThroughput, kTime, kCost };
RankBy parse_rank_by(const std::string& text);  // throughput | time | cost
std::string to_string(RankBy rank);

struct PlanRequest {
  model::Architecture architecture;
  hardware::ClusterSpec cluster;  // with num_gpus set
  hardware::FrameworkSpec framework;  // the stack that runs the step (HardwareCatalog::framework)
  // The out-of-sample band of comparable runs (HardwareCatalog::prediction_band): each top
  // layout's time gets it, and layouts within the best one's band are marked as ties.
  std::optional<hardware::PredictionBand> band;
  int64_t global_batch_size = 1024;  // sequences per step
  int64_t seq_len = 4096;
  model::DType dtype = model::DType::kBf16;
  model::AttentionKernel attention = model::AttentionKernel::kFlash;
  RankBy rank_by = RankBy::kThroughput;
  double training_tokens = 1e12;  // token budget for time-to-train and cost
  int64_t top_k = 10;
  // Memory a layout must leave free per GPU beside its predicted peak: the caching allocator's
  // fragmentation (PyTorch CUDA memory docs: reserved exceeds allocated by a few GiB at peak).
  double memory_headroom_bytes = 2.0 * 1073741824.0;
  unsigned threads = 0;           // 0: hardware concurrency
  // Degrees the user fixes (> 0) or caps (max_*, > 0); 0 leaves them to the search.
  struct Constraints {
    int64_t tp = 0, pp = 0, cp = 0, ep = 0, dp = 0;
    int64_t max_tp = 0, max_pp = 0, max_cp = 0, max_ep = 0;
    bool no_fsdp = false;
  } constraints;
  // Search limits (empty: the defaults documented in search_space.cpp).
  std::vector<int64_t> micro_batch_sizes;
  // kExhaustive predicts every enumerated layout. kQuick (throughput matrices: hundreds of plans
  // at once) first predicts one representative of each layout family (vp 1 and the smallest
  // other vp, micro-batches 1 and 4, no HSDP or expert TP, only as much recomputation as it needs
  // to fit), then every variant of the
  // best `quick_families` families; the rest is counted as cut.
  enum class Search { kExhaustive, kQuick } search = Search::kExhaustive;
  int quick_families = 4;
  // Called from the searching threads with (evaluated, total); may be empty.
  std::function<void(int64_t, int64_t)> progress;
  // Kernel times: measured (a KernelDbModel, which answers only for its own GPU), or the
  // roofline when null; shared so requests copy cheaply and threads read it at once.
  std::shared_ptr<const predictor::ComputeModel> compute;
};

// One evaluated layout.
struct Candidate {
  predictor::ParallelConfig config;
  predictor::Prediction prediction;   // timeline not filled (the best one's is, in PlanResult)
  double time_to_train_s = 0;         // training_tokens / tokens per second
  double cost_usd = 0;                // GPUs x hours x price per GPU-hour
  std::string why;                    // what makes it fast or slow, in one line
  // Its band overlaps the best layout's: the model cannot tell the two apart (with a band only).
  bool ties_best = false;
  // Variants folded into this row: the same layout with another vp or micro-batch whose time lies
  // within the prediction band (within 1% without one), e.g. "vp 8-20, mbs 2-4 equivalent".
  std::string equivalents;
  // Why it ranks above the next row: the cost that differs most, e.g. "beats #2: bubble -0.4 s".
  std::string beats_next;
  // On a mixed cluster: where the stages or replicas run, and (split data parallelism) each
  // part's own layout; empty on a homogeneous cluster.
  std::string placement;
  std::vector<predictor::ParallelConfig> per_part;
};

// A compact point for the throughput-vs-memory scatter of every feasible layout.
struct FeasiblePoint {
  double tokens_per_s = 0;
  double memory_bytes = 0;  // peak per GPU
  int64_t tp = 1, pp = 1, dp = 1, cp = 1, ep = 1, vp = 1, micro_batch_size = 1;
  bool pareto = false;      // on the throughput / memory Pareto front
};

struct PruneStats {
  int64_t enumerated = 0;   // layouts generated
  int64_t evaluated = 0;    // predicted in full
  int64_t feasible = 0;     // predicted and fitting in memory
  std::map<std::string, int64_t> pruned;  // reason -> count
  std::map<predictor::InfeasibleKind, int64_t> rejected;  // the same cuts counted by kind
  std::string nothing_fits;  // when no layout is feasible: why, with the counts of each cut
};

struct PlanResult {
  std::vector<Candidate> top;  // best first, at most top_k
  std::vector<FeasiblePoint> feasible;
  PruneStats stats;
  double search_seconds = 0;
};

// Searches TP (+SP), PP, VP, DP, CP, EP, micro-batch, recompute, ZeRO stage / distributed
// optimizer and pipeline schedule. Multi-threaded; the result does not depend on the thread count.
// When nothing fits, `top` is empty and stats.nothing_fits says why; InputError only for bad
// requests (no GPUs, no batch).
PlanResult plan(const PlanRequest& request);

// Rank of a given layout among all feasible layouts of the request (1 = best), or 0 when it was
// pruned, with the reason in `why_pruned`.
struct LayoutRank {
  int64_t rank = 0;
  int64_t feasible = 0;
  double tokens_per_s = 0;
  std::string why_pruned;
};
// `memory_tolerance` accepts a layout whose predicted need exceeds the GPU by at most that
// fraction (the memory model's uncertainty), for layouts known to have run.
LayoutRank rank_of(const PlanRequest& request, const PlanResult& result, const predictor::ParallelConfig& layout,
                   double memory_tolerance = 0.0);

// The scaling curve: the best layout for each GPU count (multiples of a node, doubling up to
// max_gpus).
// The value a ranking sorts by, higher is better (tokens/s, or minus time to train, or minus cost).
double rank_score(const Candidate& candidate, RankBy rank);

// The best layout (by request.rank_by) at each node multiple, doubling from one node to
// max_gpus; counts where nothing fits are left out.
struct CountBest {
  int64_t gpus = 0;
  Candidate best;
};
std::vector<CountBest> best_at_each_count(const PlanRequest& request, int64_t max_gpus);

struct ScalingPoint {
  int64_t gpus = 0;
  double tokens_per_s = 0;
  double mfu = 0;
  predictor::ParallelConfig config;
};
std::vector<ScalingPoint> scaling_curve(const PlanRequest& request, int64_t max_gpus);

}  // namespace perfplan::planner

namespace perfplan::planner {

// The GPU count for a deadline or a budget (plan --deadline / --budget): node multiples doubling
// from one node up to max_gpus, each searched in full. With a deadline, the cheapest count whose
// best layout trains the token budget in time; with a budget, the fastest within it; neither
// met: the closest, and `met` is false.
struct GpuCountOption {
  int64_t gpus = 0;
  double time_to_train_s = 0;
  double cost_usd = 0;
};
struct GpuCountChoice {
  int64_t gpus = 0;  // 0 when nothing fits at any count
  bool met = false;
  std::vector<GpuCountOption> tried;  // every count with a feasible layout, in order
  std::string summary;                // one line: what was chosen and why
};
GpuCountChoice choose_gpu_count(const PlanRequest& request, int64_t max_gpus, std::optional<double> deadline_s,
                                std::optional<double> budget_usd);

}  // namespace perfplan::planner
