#include "hardware_json.hpp"
#include "json_fields.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace perfplan::hardware::detail {

using nlohmann::json;
void SpecProblems::add(const std::string& path, const std::string& what) {
  lines_.push_back(origin_ + ": " + path + ": " + what);
  paths_.insert(path);
}

void SpecProblems::add_spec_problems(const std::vector<std::string>& problems) {
  for (const auto& problem : problems) {
    // Skip a path already reported, one whose parts were ("calibration.source.a"), and the parts
    // of one that was: an unknown "gpu" leaves a placeholder whose "gpu.name" is not news.
    const std::string path = problem.substr(0, problem.find(':'));
    const bool reported = std::any_of(paths_.begin(), paths_.end(), [&](const std::string& done) {
      return done == path || done.rfind(path + ".", 0) == 0 || path.rfind(done + ".", 0) == 0;
    });
    if (reported) continue;
    lines_.push_back(origin_ + ": " + problem);
  }
}

GpuSpec gpu_from_json(const json& doc, SpecProblems& problems) {
  GpuSpec gpu;
  if (!is_document(doc, "a GPU spec", problems)) return gpu;
  check_keys(doc, "",
             {"name", "source", "notes", "architecture", "peak_fp32_tflops", "peak_tf32_tflops", "peak_bf16_tflops", "peak_fp16_tflops",
              "peak_fp8_tflops", "sm_count", "hbm_gb", "hbm_usable_mib", "hbm_usable_source", "hbm_bandwidth_gb_per_s",
              "l2_mib", "nvlink_gb_per_s", "price_per_gpu_hour_usd", "price_source", "calibration"},
             problems);
  gpu.name = read_text(doc, "", "name", problems);
  gpu.source = read_text(doc, "", "source", problems);
  gpu.architecture = read_text(doc, "", "architecture", problems, /*required=*/false);
  const auto tflops = [&](const char* key, bool nullable) {
    return read_number(doc, "", key, "TFLOP/s, dense", problems, nullable).value_or(0) * kTeraflop;
  };
  gpu.peak_fp32_flops_per_s = tflops("peak_fp32_tflops", false);
  gpu.peak_tf32_flops_per_s = tflops("peak_tf32_tflops", true);
  gpu.peak_bf16_flops_per_s = tflops("peak_bf16_tflops", true);
  gpu.peak_fp16_flops_per_s = tflops("peak_fp16_tflops", true);
  gpu.peak_fp8_flops_per_s = tflops("peak_fp8_tflops", true);
  gpu.sm_count = read_integer(doc, "", "sm_count", "SMs, or CUs on AMD", problems).value_or(0);
  check_bound(doc, "", "peak_fp32_tflops", kPeakTflops, problems);
  for (const char* key : {"peak_tf32_tflops", "peak_bf16_tflops", "peak_fp16_tflops", "peak_fp8_tflops"}) {
    check_bound(doc, "", key, kPeakTflops, problems, /*zero_allowed=*/true);
  }
  check_bound(doc, "", "sm_count", kSmCount, problems);
  check_bound(doc, "", "hbm_gb", kHbmGb, problems);
  check_bound(doc, "", "hbm_usable_mib", kHbmUsableMib, problems);
  check_bound(doc, "", "hbm_bandwidth_gb_per_s", kHbmGbPerS, problems);
  check_bound(doc, "", "l2_mib", kL2Mib, problems);
  check_bound(doc, "", "nvlink_gb_per_s", kScaleUpGbPerS, problems, /*zero_allowed=*/true);

  // Capacity is what CUDA reports (cudaGetDeviceProperties totalGlobalMem = torch total_memory),
  // in MiB: the memory a framework can allocate from. The datasheet's hbm_gb cross-checks it.
  const std::optional<double> datasheet_gb = read_number(doc, "", "hbm_gb", "GB, datasheet capacity", problems);
  const std::optional<double> usable_mib =
      read_number(doc, "", "hbm_usable_mib", "MiB, total memory CUDA reports", problems);
  gpu.hbm_bytes = usable_mib.value_or(0) * kMebibyte;
  read_text(doc, "", "hbm_usable_source", problems, /*required=*/false);
  if (datasheet_gb && !(*datasheet_gb >= kHbmGb.low && *datasheet_gb <= kHbmGb.high)) {
    // Reported by check_bound.
  } else if (datasheet_gb && usable_mib && *usable_mib > 0) {
    // Vendors' "80 GB" stacks hold 80 GiB physically; the driver keeps a little back.
    const double low = 0.9 * *datasheet_gb * kGigabyte;
    const double high = *datasheet_gb * kGibibyte;
    if (gpu.hbm_bytes < low || gpu.hbm_bytes > high) {
      problems.add("hbm_usable_mib", "must lie between 90% of hbm_gb in GB and hbm_gb in GiB (" +
                                         describe(doc.at("hbm_usable_mib")) + " MiB against hbm_gb " +
                                         describe(doc.at("hbm_gb")) + ")");
    }
  }
  gpu.hbm_bytes_per_s = read_number(doc, "", "hbm_bandwidth_gb_per_s", "GB/s", problems).value_or(0) * kGigabyte;
  gpu.l2_bytes = read_number(doc, "", "l2_mib", "MiB", problems).value_or(0) * kMebibyte;
  gpu.nvlink_bytes_per_s =
      read_number(doc, "", "nvlink_gb_per_s", "GB/s per direction, 0 without NVLink/xGMI", problems).value_or(0) *
      kGigabyte;
  gpu.price_per_gpu_hour_usd =
      read_number(doc, "", "price_per_gpu_hour_usd", "USD per GPU-hour, on-demand list price", problems).value_or(0);
  gpu.price_source = read_text(doc, "", "price_source", problems);

  if (const json* calibration = read_object(doc, "calibration", problems)) {
    const std::string prefix = "calibration";
    check_keys(*calibration, prefix,
               {"gemm_efficiency", "fp8_gemm_efficiency", "attention_efficiency", "hbm_efficiency", "kernel_launch_us",
                "gemm_tile_overhead_k", "attention_backward_rate_ratio", "grouped_gemm_efficiency_ratio",
                "attention_rate_scale", "bounds", "fit_as", "source"},
               problems);
    const auto fraction = [&](const char* key, bool nullable) {
      return read_number(*calibration, prefix, key, "fraction of peak, 0-1", problems, nullable);
    };
    gpu.gemm_efficiency = fraction("gemm_efficiency", false).value_or(0);
    // null where the GPU has no FP8: fp8 recipes then run as bf16 at gemm_efficiency.
    const std::optional<double> fp8 = fraction("fp8_gemm_efficiency", true);
    gpu.fp8_gemm_efficiency = fp8.value_or(gpu.gemm_efficiency);
    if (!fp8 && gpu.peak_fp8_flops_per_s > 0 && calibration->contains("fp8_gemm_efficiency")) {
      problems.add("calibration.fp8_gemm_efficiency", "must be a number when peak_fp8_tflops is given");
    }
    gpu.attention_efficiency = fraction("attention_efficiency", false).value_or(0);
    gpu.hbm_efficiency = fraction("hbm_efficiency", false).value_or(0);
    gpu.kernel_launch_s =
        read_number(*calibration, prefix, "kernel_launch_us", "microseconds", problems).value_or(0) * kMicrosecond;
    if (calibration->contains("grouped_gemm_efficiency_ratio")) {
      gpu.grouped_gemm_efficiency_ratio = fraction("grouped_gemm_efficiency_ratio", false).value_or(0);
    }
    if (calibration->contains("attention_rate_scale")) {
      gpu.attention_rate_scale =
          read_number(*calibration, prefix, "attention_rate_scale", "ratio to the published kernel rate", problems)
              .value_or(0);
    }
    gpu.gemm_tile_overhead_k =
        read_number(*calibration, prefix, "gemm_tile_overhead_k", "K elements per output tile", problems).value_or(-1);
    gpu.attention_backward_rate_ratio =
        fraction("attention_backward_rate_ratio", false).value_or(0);
    gpu.calibration_source = read_sources(*calibration, prefix, "source", problems);
    gpu.fit_bounds = read_bounds(*calibration, prefix, "bounds", problems);
    for (const auto& [field, range] : gpu.fit_bounds) {
      if (field != "gemm_efficiency" && field != "fp8_gemm_efficiency" && field != "attention_efficiency" &&
          field != "grouped_gemm_efficiency_ratio" && field != "attention_rate_scale") {
        problems.add("calibration.bounds." + field,
                     "not a free constant; accepted: gemm_efficiency, fp8_gemm_efficiency, attention_efficiency, "
                     "grouped_gemm_efficiency_ratio, attention_rate_scale");
      }
    }
    gpu.fit_bounds_source = source_entry(*calibration, "bounds");
    if (!gpu.fit_bounds.empty() && gpu.fit_bounds_source.empty()) {
      problems.add("calibration.source.bounds", "missing (name the measurements the bounds come from)");
    }
    gpu.fit_group = calibration->contains("fit_as") ? read_text(*calibration, prefix, "fit_as", problems) : gpu.name;
    if (gpu.fit_group != gpu.name && !gpu.fit_bounds.empty()) {
      problems.add("calibration.bounds", "a GPU that fits as " + gpu.fit_group + " takes its bounds from it; remove them");
    }
  }
  problems.add_spec_problems(gpu.problems());
  return gpu;
}

LinkSpec link_from_json(const json& doc, SpecProblems& problems) {
  LinkSpec link;
  if (!is_document(doc, "a link spec", problems)) return link;
  check_keys(
      doc, "",
      {"name", "source", "notes", "kind", "bandwidth_gb_per_s", "bandwidth_gbit_per_s", "latency_us", "max_domain_gpus",
       "max_domain_source", "calibration"},
      problems);
  link.name = read_text(doc, "", "name", problems);
  link.source = read_text(doc, "", "source", problems);
  const std::string kind = read_text(doc, "", "kind", problems);
  if (kind == "nvlink") {
    link.kind = LinkKind::kNvlink;
  } else if (kind == "pcie") {
    link.kind = LinkKind::kPcie;
  } else if (kind == "infiniband") {
    link.kind = LinkKind::kInfiniband;
  } else if (kind == "roce") {
    link.kind = LinkKind::kRoce;
  } else if (kind == "xgmi") {
    link.kind = LinkKind::kXgmi;
  } else if (!kind.empty()) {
    problems.add("kind", "unknown link kind '" + kind + "'; accepted: nvlink, pcie, infiniband, roce, xgmi");
  }

  // Scale-up links are quoted in GB/s, NICs in Gb/s; a file gives exactly one of the two.
  const bool has_bytes = doc.contains("bandwidth_gb_per_s");
  const bool has_bits = doc.contains("bandwidth_gbit_per_s");
  const char* bandwidth_key = has_bits ? "bandwidth_gbit_per_s" : "bandwidth_gb_per_s";
  if (has_bytes && has_bits) {
    problems.add("bandwidth_gbit_per_s", "give bandwidth_gb_per_s (GB/s) or bandwidth_gbit_per_s (Gb/s), not both");
  } else if (!has_bytes && !has_bits) {
    problems.add("bandwidth_gb_per_s",
                 "missing (expected bandwidth_gb_per_s in GB/s, or bandwidth_gbit_per_s in Gb/s for NICs, per "
                 "direction)");
  } else if (std::optional<double> value = read_number(
                 doc, "", bandwidth_key, has_bits ? "Gb/s per direction" : "GB/s per direction", problems)) {
    check_bound(doc, "", bandwidth_key, has_bits ? kNicGbitPerS : kScaleUpGbPerS, problems);
    link.bandwidth_bytes_per_s = *value * (has_bits ? kGigabitInBytes : kGigabyte);
  }
  link.latency_s = read_number(doc, "", "latency_us", "microseconds per hop", problems).value_or(0) * kMicrosecond;
  check_bound(doc, "", "latency_us", kLatencyUs, problems);
  if (doc.contains("max_domain_gpus")) {
    link.max_domain_gpus =
        read_integer(doc, "", "max_domain_gpus", "GPUs one domain of this link can join", problems).value_or(0);
    check_bound(doc, "", "max_domain_gpus", kDomainGpus, problems);
    link.max_domain_source = read_text(doc, "", "max_domain_source", problems);
  } else if (doc.contains("max_domain_source")) {
    problems.add("max_domain_source", "given without max_domain_gpus");
  }

  if (const json* calibration = read_object(doc, "calibration", problems)) {
    const std::string prefix = "calibration";
    check_keys(*calibration, prefix,
               {"all_reduce_efficiency", "all_gather_efficiency", "all_to_all_efficiency", "p2p_efficiency", "source"},
               problems);
    const auto fraction = [&](const char* key) {
      return read_number(*calibration, prefix, key, "nccl-tests busbw / link bandwidth, 0-1", problems).value_or(0);
    };
    link.all_reduce_efficiency = fraction("all_reduce_efficiency");
    link.all_gather_efficiency = fraction("all_gather_efficiency");
    link.all_to_all_efficiency = fraction("all_to_all_efficiency");
    link.p2p_efficiency = fraction("p2p_efficiency");
    link.calibration_source = read_sources(*calibration, prefix, "source", problems);
  }
  std::vector<std::string> own = link.problems();
  // The bandwidth was checked above under the key the file used.
  std::erase_if(own, [](const std::string& line) { return line.rfind("bandwidth_", 0) == 0; });
  problems.add_spec_problems(own);
  return link;
}

ClusterSpec cluster_from_json(const json& doc, SpecProblems& problems, ClusterReferences& references) {
  ClusterSpec cluster;
  if (!is_document(doc, "a cluster spec", problems)) return cluster;
  check_keys(doc, "",
             {"name", "source", "notes", "gpu", "gpus_per_node", "nvlink_domain_size", "nics_per_node",
              "intra_node_link", "inter_node_link", "topology"},
             problems);
  cluster.name = read_text(doc, "", "name", problems);
  cluster.source = read_text(doc, "", "source", problems);
  references.gpu = read_text(doc, "", "gpu", problems);
  references.intra_node_link = read_text(doc, "", "intra_node_link", problems);
  references.inter_node_link = read_text(doc, "", "inter_node_link", problems);
  cluster.gpus_per_node = read_integer(doc, "", "gpus_per_node", "GPUs per server", problems).value_or(0);
  // The scale-up domain defaults to the node (GB200 NVL72 spans 18 trays: 72).
  cluster.nvlink_domain_size = cluster.gpus_per_node;
  if (doc.contains("nvlink_domain_size")) {
    cluster.nvlink_domain_size =
        read_integer(doc, "", "nvlink_domain_size", "GPUs reachable over intra_node_link", problems).value_or(0);
  }
  cluster.nics_per_node = read_integer(doc, "", "nics_per_node", "scale-out NICs per server", problems).value_or(0);
  if (doc.contains("topology")) cluster.topology = read_text(doc, "", "topology", problems);
  return cluster;
}

}  // namespace perfplan::hardware::detail
