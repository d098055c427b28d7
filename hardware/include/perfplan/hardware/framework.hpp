#pragma once
// A software stack (framework) as data: what the training step executes beside the model's
// operators, loaded from hardware_specs/frameworks/<name>.json with every figure's source.
// Values are in SI units (seconds, bytes, parameters); the loader converts.
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace perfplan::hardware {

// Kernels one operator launches in forward and in backward (host cost of eager execution).
struct KernelCount {
  int forward = 1;
  int backward = 2;
};

// What a framework does where the user (or a published run) does not say: its documented
// defaults and its performance recipes' settings.
struct FrameworkDefaults {
  bool sequence_parallel_with_tp = false;  // SP turned on whenever tp > 1
  bool distributed_optimizer = false;      // optimizer state sharded over DP (ZeRO-1)
  bool tp_comm_overlap = false;            // TP/SP collectives overlapped with GEMMs (with SP)
  bool moe_a2a_overlap = false;            // MoE all-to-all overlapped with another micro-batch
  int64_t micro_batch_size = 1;
  std::string attention = "flash";         // flash | flash2 | flash3 | unfused (model::AttentionKernel)
};

// An earlier release of a framework: what it did differently from the profile's newest release
// (only defaults and element-wise fusion change between releases; the rest is the profile's).
struct FrameworkRelease {
  std::string release;   // e.g. "0.8", "2.2", "24.07"
  std::string released;  // "YYYY-MM" where known: matches year-only versions such as "2024"
  std::string source;
  std::vector<std::string> changes;  // "defaults.tp_comm_overlap = false", as read
  FrameworkDefaults defaults;
  double eager_elementwise_factor = 1.0;
  bool fp8_casts_fused = false;
};

// Numeric parts of a version text: "core_r0.8.0" -> {0, 8, 0}, "24.07" -> {24, 7}, "2024 (IBM)"
// -> {2024}; empty without digits.
std::vector<int64_t> release_key(const std::string& version);

// ZeRO-3 / FSDP as the framework runs it: per unit (a layer's parameters in one gather,
// prefetched behind the previous unit's compute), or per tensor (DeepSpeed before 0.6: one
// collective per parameter tensor, each after a device synchronisation, so none overlaps compute;
// tensors below `persistence_threshold` parameters stay gathered; PyTorch's list-style
// collectives copy one buffer per rank, a kernel each).
struct Zero3Behaviour {
  bool per_tensor = false;
  double persistence_threshold = 0;  // parameters
  bool list_copies = false;
};

// What a framework can run, for the planner: its pipeline schedules (empty: no pipeline
// parallelism), its optimizer-sharding modes as ZeRO stages (0 DDP, 1 distributed optimizer /
// ZeRO-1, 2 ZeRO-2, 3 FSDP / ZeRO-3) and how it splits layers over pipeline chunks.
struct FrameworkCapabilities {
  bool declared = false;  // false: a spec without the section, which restricts nothing
  std::vector<std::string> pipeline_schedules;  // predictor::parse_pipeline_schedule names
  std::vector<int> zero_stages;
  // Layers must divide evenly over pp x vp chunks; `embedding_and_loss_in_split`: or do so with the
  // embedding and the loss counted as one layer each (Megatron-LM account_for_*_in_pipeline_split).
  bool even_split_only = false;
  bool embedding_and_loss_in_split = false;
  bool fsdp_with_pipeline = false;  // ZeRO-3 / FSDP combined with pipeline parallelism
  // ZeRO stages the framework also runs as HSDP (sharded within a group of DP ranks, replicated
  // across groups); empty: none.
  std::vector<int> hsdp_zero_stages;
  bool expert_tensor_parallel = false;  // MoE experts split by their own TP degree (etp)
  // Hugging Face model_types the framework cannot pipeline (no pipeline split for their models).
  std::vector<std::string> no_pipeline_model_types;
};

struct FrameworkSpec {
  std::string name;     // e.g. "megatron-core"
  std::string family;   // megatron | deepspeed | pytorch | jax (the validation format's framework.family)
  std::string version;  // the releases the figures describe
  // The profile a stack of this family without its own profile falls back to.
  bool family_default = false;
  // Frameworks that share a free constant (the host cost of one code path) fit as one: the
  // named profile declares it (fit_as; defaults to the framework's own name).
  std::string fit_group;
  FrameworkDefaults defaults;
  // Named remat policies: the operators whose outputs each saves under full recompute
  // (e.g. MaxText "save_dot_except_mlpwi" -> qkv_proj, o_proj, down_proj).
  std::map<std::string, std::vector<std::string>> recompute_policies;
  std::string source;

  // Host: time to enqueue one kernel in eager execution, and a device-to-host synchronisation.
  double host_launch_s = 0;
  double host_sync_s = 0;
  // Range published measurements allow for host_launch_s, in microseconds (a free constant of
  // calibrate when given; host.bounds.launch_us).
  std::optional<std::pair<double, double>> host_launch_us_bounds;
  std::string host_launch_bounds_source;
  // SMs a collective kernel (NCCL) occupies while it overlaps computation.
  int64_t collective_sm_count = 0;
  // Data-parallel gradient buckets (parameters): max(bucket_min_params, bucket_params_per_rank x DP).
  double dp_bucket_min_params = 0;
  double dp_bucket_params_per_rank = 0;
  // Whether the stack can overlap the DP gradient reduction with backward and the sharded
  // optimizer's parameter gather with forward (ParallelConfig asks; the framework must be able).
  bool dp_overlap_grad_reduce = true;
  bool dp_overlap_param_gather = true;
  // Optimizer: state bytes kept per parameter before sharding (fp32 master weights and moments)
  // and bytes the optimizer step streams through HBM per local parameter.
  std::string optimizer;
  double optimizer_state_bytes_per_parameter = 0;
  double optimizer_step_bytes_per_parameter = 0;
  // Memory the runtime takes beside tensors (CUDA context, library workspaces, NCCL buffers).
  double runtime_reserve_bytes = 0;
  // Norms, rotary embeddings and activations run as one fused kernel each (1.0: Transformer
  // Engine, apex, XLA, torch.compile) or as eager PyTorch's chain of elementwise kernels, which
  // streams the tensor this many times over (and launches as many kernels).
  double eager_elementwise_factor = 1.0;
  // FP8 quantisation of GEMM inputs folded into the producing kernels (XLA) rather than run as
  // separate amax / cast kernels (Transformer Engine current scaling in PyTorch).
  bool fp8_casts_fused = false;
  Zero3Behaviour zero3;
  FrameworkCapabilities capabilities;
  // Kernel counts of operators whose implementation is the framework's (e.g. MoE routing),
  // by operator name; other operators keep the model's count.
  std::map<std::string, KernelCount> kernels_per_op;
  std::string calibration_source;  // sources of the figures above, "key: source; ..."
  // The newest release, which the fields above describe, and earlier ones (oldest first).
  std::string release;
  std::string released;
  std::vector<FrameworkRelease> releases;

  // The profile as `version` ran: the described release equal to it, else the nearest earlier
  // one (a year matches release dates), else the oldest; `note` says which when not exact.
  FrameworkSpec at_release(const std::string& version, std::string& note) const;

  KernelCount kernels(const std::string& op_name, KernelCount model_count) const;
  double dp_bucket_params(int64_t dp_size) const;
  std::vector<std::string> problems() const;  // "key: problem", empty when sound
};

// The stack the predictor assumes when none is named (NVIDIA's Megatron-Core recipes).
inline constexpr const char* kDefaultFramework = "megatron-core";

}  // namespace perfplan::hardware
