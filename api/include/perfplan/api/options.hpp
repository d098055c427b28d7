#pragma once
// What a caller asks perfplan, with the names of the CLI's flags (`perfplan plan --gbs 512` is
// PlanOptions{.gbs = 512}); strings take the CLI's spellings ("bf16", "selective", "1f1b").
#include <cstdint>
#include <string>

namespace perfplan::api {

// `perfplan plan` / `perfplan report`.
struct PlanOptions {
  std::string model;    // catalog name or Hugging Face config.json path
  std::string cluster;  // cluster name or JSON file, or a mixed cluster NAME:GPUS,NAME:GPUS
  int64_t gpus = 0;     // 0 only for a mixed cluster
  int64_t gbs = 1024;
  int64_t seq = 4096;
  double tokens = 1e12;
  std::string rank = "throughput";  // throughput | time | cost
  int64_t top = 10;
  std::string dtype = "bf16";
  std::string framework = "megatron-core";  // NAME[@VERSION]
  int threads = 0;                          // 0: all cores
  int64_t tp = 0, pp = 0, cp = 0, ep = 0, dp = 0;
  int64_t max_tp = 0, max_pp = 0, max_cp = 0, max_ep = 0;
  bool no_fsdp = false;
  double mem_headroom = 2.0;  // GiB
};

// `perfplan predict`: one layout.
struct PredictOptions {
  std::string model, cluster;
  int64_t gpus = 0;
  int64_t tp = 1, pp = 1, dp = 0, cp = 1, ep = 1, etp = 1, vp = 1, mbs = 1, gbs = 0, seq = 4096;
  bool sp = false;
  int zero = 0;
  bool distributed_optimizer = false;
  int64_t shard_size = 0;
  std::string recompute = "none";
  std::string schedule;  // empty: 1f1b, interleaved when vp > 1
  bool post_validation = false;
  std::string dtype = "bf16";
  std::string attention;  // empty: the framework's
  std::string framework = "megatron-core";
  bool tp_comm_overlap = false;
  bool moe_comm_overlap = false;
  std::string moe_dispatcher = "alltoall";
  bool no_grad_overlap = false;
  std::string rank_order = "tp-cp-ep-dp-pp";
};

// One job of a throughput matrix: a model trained at a batch and sequence length.
struct Job {
  std::string name;   // how the caller refers to it; the model's name when empty
  std::string model;  // catalog name or config.json path
  int64_t gbs = 1024;
  int64_t seq = 4096;
  std::string dtype = "bf16";
};

}  // namespace perfplan::api
