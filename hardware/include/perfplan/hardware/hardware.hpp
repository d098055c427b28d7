#pragma once
// GPUs, links and clusters as plain structs in SI units, loaded from hardware_specs/*.json.
// Vendor units (TFLOP/s, GB/s, Gb/s, us) are converted once, in the loader.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "perfplan/hardware/attention_rates.hpp"
#include "perfplan/hardware/calibration.hpp"
#include "perfplan/hardware/framework.hpp"
#include "perfplan/model/attention_kernel.hpp"
#include "perfplan/model/dtype.hpp"

namespace perfplan::hardware {

struct GpuSpec {
  std::string name;    // e.g. "H100-SXM5-80GB"
  std::string source;  // datasheet the figures come from
  std::string architecture;  // e.g. "hopper": selects the published attention rates (attention/)
  // Dense (no sparsity) peak tensor-core FLOP/s; 0 where the GPU lacks the type.
  double peak_fp32_flops_per_s = 0;  // non-tensor FP32 (CUDA cores)
  double peak_tf32_flops_per_s = 0;
  double peak_bf16_flops_per_s = 0;
  double peak_fp16_flops_per_s = 0;
  double peak_fp8_flops_per_s = 0;
  int64_t sm_count = 0;
  double hbm_bytes = 0;
  double hbm_bytes_per_s = 0;
  double l2_bytes = 0;
  double nvlink_bytes_per_s = 0;  // per GPU, one direction (xGMI for AMD)
  double price_per_gpu_hour_usd = 0;
  std::string price_source;
  // Calibration, per GPU type, with its source in calibration_source.
  double gemm_efficiency = 0.8;      // achievable fraction of peak for large bf16/fp16 GEMMs
  double fp8_gemm_efficiency = 0.7;  // the same for fp8 GEMMs
  double attention_efficiency = 0.6; // fused attention forward, fraction of peak, where no rates are published
  // Published attention kernel rates of the GPU's architecture (hardware_specs/attention/), shared
  // and immutable; null where none are published. Where a kernel has a table it sets the rate
  // (times attention_rate_scale), and the scalar efficiencies above apply only to the others.
  std::shared_ptr<const AttentionRates> attention_rates;
  // The training step's attention over the published isolated-kernel rate (calibrated).
  double attention_rate_scale = 1.0;
  // Grouped expert GEMMs (TE GroupedLinear / CUTLASS grouped GEMM) over a dense GEMM's efficiency.
  double grouped_gemm_efficiency_ratio = 1.0;
  double hbm_efficiency = 0.85;      // achievable fraction of HBM bandwidth for streaming kernels
  double kernel_launch_s = 4e-6;     // per-kernel floor (launch + tail)
  // Fixed prologue + epilogue of one GEMM output tile, in K elements: a tile's efficiency is
  // k / (k + gemm_tile_overhead_k).
  double gemm_tile_overhead_k = 256;
  // FlashAttention backward FLOP rate over the forward's.
  double attention_backward_rate_ratio = 0.75;
  std::string calibration_source;
  // Free constants: fields `perfplan calibrate` fits, with the [low, high] range published
  // measurements allow (calibration.bounds). GPUs of one die share one fit group
  // (calibration.fit_as, e.g. GB200 fits as B200); the group defaults to the GPU's name.
  std::map<std::string, std::pair<double, double>> fit_bounds;
  std::string fit_bounds_source;
  std::string fit_group;

  // Peak for a GEMM operand type (fp32 uses TF32 tensor cores when present). Where the GPU lacks
  // the type, the dtype frameworks fall back to: fp8 -> bf16 (A100, V100), bf16 <-> fp16 (V100).
  double peak_flops_per_s(model::DType dtype) const;
  // fp8_gemm_efficiency for fp8 on a GPU with FP8 tensor cores, gemm_efficiency otherwise.
  double gemm_efficiency_for(model::DType dtype) const;
  // The published rates of a fused attention kernel on this GPU's architecture (kFlash: cuDNN,
  // else FlashAttention-2); null where none are published or the kernel is unfused.
  const AttentionRateTable* attention_table(model::AttentionKernel kernel) const;
  std::vector<std::string> problems() const;  // "key: problem", empty when sound
};

enum class LinkKind { kNvlink, kPcie, kInfiniband, kRoce, kXgmi };

struct LinkSpec {
  std::string name;  // e.g. "nvlink4-nvswitch", "ib-ndr"
  std::string source;
  LinkKind kind = LinkKind::kNvlink;
  double bandwidth_bytes_per_s = 0;  // per GPU (NVLink) or per NIC (scale-out), one direction
  double latency_s = 0;              // per message hop (alpha)
  // The most GPUs one domain of this link can join (NVLink 5 switches: 576); 0 where the file
  // gives none: then the domain is one node.
  int64_t max_domain_gpus = 0;
  std::string max_domain_source;
  // Achievable fraction of the link bandwidth seen by NCCL as bus bandwidth (nccl-tests busbw
  // / link bandwidth), per collective family.
  double all_reduce_efficiency = 0.8;
  double all_gather_efficiency = 0.8;  // also reduce-scatter
  double all_to_all_efficiency = 0.6;
  double p2p_efficiency = 0.8;
  std::string calibration_source;
  std::vector<std::string> problems() const;
};

struct ClusterSpec {
  std::string name;
  std::string source;
  GpuSpec gpu;
  int64_t gpus_per_node = 8;
  int64_t nvlink_domain_size = 8;  // GPUs reachable over NVLink (72 for GB200 NVL72)
  int64_t nics_per_node = 8;
  LinkSpec intra_node;  // the NVLink / NVSwitch tier
  LinkSpec inter_node;  // the scale-out tier (per NIC)
  int64_t num_gpus = 0; // GPUs in use (set from --gpus)
  std::string topology = "rail-optimized fat tree";
  // A heterogeneous cluster: homogeneous parts (each a full ClusterSpec with its GPUs), joined
  // by the scale-out network. Empty for a homogeneous cluster; the fields above then describe it
  // (and otherwise describe parts[0]).
  std::vector<ClusterSpec> parts;
  std::vector<std::string> problems() const;
};

// Whether load() applies hardware_specs/calibration.json (the fitted constants) over the priors
// of the spec files, or keeps the priors (what `perfplan calibrate` starts from).
enum class CalibrationUse { kApply, kPriors };

// Loads hardware_specs/ (gpus/, networks/, clusters/, frameworks/, calibration.json). Each spec's problems are collected with
// their JSON path and reported together as one InputError.
class HardwareCatalog {
 public:
  static HardwareCatalog load(const std::filesystem::path& hardware_specs_dir,
                              CalibrationUse use = CalibrationUse::kApply);
  const GpuSpec& gpu(const std::string& name) const;     // case-insensitive; suggests on a miss
  const LinkSpec& link(const std::string& name) const;
  const FrameworkSpec& framework(const std::string& name = kDefaultFramework) const;
  // "NAME[@VERSION]" (--framework): the profile by name at that release (the nearest earlier
  // described one; `note` says so when it is not exact); without a version, the newest.
  FrameworkSpec framework_flag(const std::string& text, std::string& note) const;
  // The profile of a stack by name, else its family's default profile (and `fallback` says so),
  // else the default framework. Never throws for an unknown name.
  const FrameworkSpec& framework_for(const std::string& name, const std::string& family, std::string& fallback) const;
  // A cluster by name, or from a cluster JSON file path, with num_gpus GPUs.
  ClusterSpec cluster(const std::string& name_or_path, int64_t num_gpus) const;
  // A mixed cluster from "NAME:GPUS,NAME:GPUS" (e.g. "dgx-a100:64,dgx-h100:64").
  ClusterSpec heterogeneous_cluster(const std::string& parts) const;
  // The standard node of a GPU type: its catalog cluster (A100 -> dgx-a100, H100 -> dgx-h100, ...).
  ClusterSpec cluster_for_gpu(const std::string& gpu_name, int64_t num_gpus, int64_t gpus_per_node) const;
  const std::vector<GpuSpec>& gpus() const { return gpus_; }
  const std::vector<LinkSpec>& links() const { return links_; }
  const std::vector<ClusterSpec>& clusters() const { return clusters_; }
  const std::vector<FrameworkSpec>& frameworks() const { return frameworks_; }

  // The constants calibrate fits (sorted by key), their current values, and a copy-and-set
  // that changes every GPU of the fit group (catalog GPUs and the clusters holding them).
  std::vector<FreeConstant> free_constants() const;
  double constant(const std::string& key) const;
  void set_constant(const std::string& key, double value);  // InputError: unknown key, out of bounds
  // What calibration.json held when it was applied (empty with kPriors or without the file).
  const Calibration& calibration() const { return calibration_; }
  void set_calibration(Calibration calibration);  // applies its constants and keeps its bands
  // The out-of-sample band for a GPU and a framework family: the most specific entry with
  // cases, or nullopt before any calibration.
  std::optional<PredictionBand> prediction_band(const std::string& gpu_name, const std::string& framework_family) const;

 private:
  std::vector<GpuSpec> gpus_;
  std::vector<LinkSpec> links_;
  std::vector<ClusterSpec> clusters_;
  std::vector<FrameworkSpec> frameworks_;
  Calibration calibration_;
};

std::filesystem::path default_hardware_directory();  // <data dir>/hardware_specs

}  // namespace perfplan::hardware
