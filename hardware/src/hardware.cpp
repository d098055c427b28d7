#include "perfplan/common/names.hpp"
#include "perfplan/hardware/hardware.hpp"

#include <algorithm>
#include <regex>
#include <map>
#include <memory>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "hardware_json.hpp"
#include "spec_bounds.hpp"
#include "perfplan/common/data_directory.hpp"
#include "perfplan/common/json_file.hpp"
#include "perfplan/model/catalog.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/common/limits.hpp"

namespace perfplan::hardware {
namespace {

using detail::kGigabitInBytes;
using detail::kGigabyte;
using detail::kMebibyte;
using detail::kMicrosecond;
using detail::kTeraflop;

std::string number_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

// Collects "json.path: problem" lines; values are shown in the file's vendor unit.
class Checks {
 public:
  void require(bool ok, const std::string& path, const std::string& what) {
    if (!ok) lines_.push_back(path + ": " + what);
  }
  void non_negative(double value, double unit, const std::string& path) {
    require(value >= 0 && std::isfinite(value), path, "must be >= 0 (got " + number_text(value / unit) + ")");
  }
  // `value` in SI units, `unit` the file's unit in SI; `bound` in the file's unit.
  void bounded(double value, double unit, const detail::Bound& bound, const std::string& path,
               bool zero_allowed = false) {
    const bool ok = (zero_allowed && value == 0) || (value >= bound.low * unit && value <= bound.high * unit);
    require(ok, path,
            detail::bound_text(bound) + (zero_allowed ? ", or 0 where absent" : "") + " (got " +
                number_text(value / unit) + ")");
  }
  void fraction(double value, const std::string& path) {
    require(value > 0 && value <= 1, path, "must be a fraction in (0, 1] (got " + number_text(value) + ")");
  }
  void text(const std::string& value, const std::string& path, const std::string& what) {
    require(!value.empty(), path, what);
  }
  std::vector<std::string> take() { return std::move(lines_); }

 private:
  std::vector<std::string> lines_;
};

bool is_scale_out(LinkKind kind) { return kind == LinkKind::kInfiniband || kind == LinkKind::kRoce; }

const char* kind_name(LinkKind kind) {
  switch (kind) {
    case LinkKind::kNvlink:
      return "nvlink";
    case LinkKind::kPcie:
      return "pcie";
    case LinkKind::kInfiniband:
      return "infiniband";
    case LinkKind::kRoce:
      return "roce";
    case LinkKind::kXgmi:
      return "xgmi";
  }
  return "?";
}

std::vector<std::string> cluster_own_problems(const ClusterSpec& cluster) {
  Checks checks;
  checks.text(cluster.name, "name", "must not be empty");
  checks.text(cluster.source, "source", "must name the system documentation the figures come from");
  checks.require(cluster.gpus_per_node > 0, "gpus_per_node",
                 "must be > 0 (got " + std::to_string(cluster.gpus_per_node) + ")");
  if (cluster.gpus_per_node > 0) {
    checks.require(
        cluster.nvlink_domain_size >= cluster.gpus_per_node && cluster.nvlink_domain_size % cluster.gpus_per_node == 0,
        "nvlink_domain_size",
        "must be a whole number of nodes of gpus_per_node " + std::to_string(cluster.gpus_per_node) + " GPUs (got " +
            std::to_string(cluster.nvlink_domain_size) + ")");
    checks.require(cluster.num_gpus <= cluster.gpus_per_node || cluster.num_gpus % cluster.gpus_per_node == 0,
                   "num_gpus",
                   "more than one node must be a multiple of gpus_per_node " + std::to_string(cluster.gpus_per_node) +
                       " (got " + std::to_string(cluster.num_gpus) + ")");
  }
  // The domain cannot outgrow what its link's switches join (a link without max_domain_gpus: one node).
  if (!cluster.intra_node.name.empty() && cluster.gpus_per_node > 0) {
    const int64_t limit =
        cluster.intra_node.max_domain_gpus > 0 ? cluster.intra_node.max_domain_gpus : cluster.gpus_per_node;
    checks.require(cluster.nvlink_domain_size <= limit, "nvlink_domain_size",
                   "must be at most " + std::to_string(limit) + " GPUs, " +
                       (cluster.intra_node.max_domain_gpus > 0
                            ? "the largest domain " + cluster.intra_node.name + " allows (its max_domain_gpus)"
                            : "one node: " + cluster.intra_node.name + " gives no max_domain_gpus") +
                       " (got " + std::to_string(cluster.nvlink_domain_size) + ")");
  }
  checks.require(cluster.nics_per_node > 0, "nics_per_node",
                 "must be > 0 (got " + std::to_string(cluster.nics_per_node) + ")");
  checks.require(cluster.num_gpus >= 0, "num_gpus", "must be >= 0 (got " + std::to_string(cluster.num_gpus) + ")");
  checks.require(!is_scale_out(cluster.intra_node.kind), "intra_node_link",
                 "'" + cluster.intra_node.name + "' is a scale-out link (" + kind_name(cluster.intra_node.kind) +
                     "); the intra-node tier is nvlink, xgmi or pcie");
  checks.require(is_scale_out(cluster.inter_node.kind), "inter_node_link",
                 "'" + cluster.inter_node.name + "' is not a scale-out link (" + kind_name(cluster.inter_node.kind) +
                     "); the inter-node tier is infiniband or roce");
  checks.text(cluster.topology, "topology", "must not be empty (e.g. \"rail-optimized fat tree\")");
  return checks.take();
}

// How well `name` fits a mistyped `wanted` (both lower case), larger is better: the longest
// shared prefix first ("h100-foo" -> "h100-sxm5-80gb", not the closer-by-edits "b200"), then the
// dash-separated parts of `wanted` found in `name` ("sxm5-h100"), then the fewest edits.
struct SuggestionRank {
  size_t prefix = 0;
  size_t shared_parts = 0;
  size_t edits = SIZE_MAX;
  bool operator>(const SuggestionRank& o) const {
    if (prefix != o.prefix) return prefix > o.prefix;
    if (shared_parts != o.shared_parts) return shared_parts > o.shared_parts;
    return edits < o.edits;
  }
};

SuggestionRank suggestion_rank(const std::string& wanted, const std::string& name) {
  SuggestionRank rank;
  while (rank.prefix < wanted.size() && rank.prefix < name.size() && wanted[rank.prefix] == name[rank.prefix]) {
    ++rank.prefix;
  }
  const auto parts = [](const std::string& text) {
    std::vector<std::string> out;
    std::string part;
    for (char c : text + "-") {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        part += c;
      } else if (!part.empty()) {
        out.push_back(std::move(part));
        part.clear();
      }
    }
    return out;
  };
  const std::vector<std::string> name_parts = parts(name);
  for (const auto& part : parts(wanted)) {
    if (std::find(name_parts.begin(), name_parts.end(), part) != name_parts.end()) ++rank.shared_parts;
  }
  rank.edits = edit_distance(wanted, name);
  return rank;
}

// Case-insensitive lookup; punctuation is ignored as a fallback, and a unique prefix that ends
// where a dash-separated part of the name ends is accepted ("h200" finds "H200-SXM-141GB", but
// the typo "dgx-h10" does not find "dgx-h100"). On a miss, `why` suggests the closest name.
template <typename Spec>
const Spec* find_named(const std::vector<Spec>& specs, const std::string& wanted, const char* what, std::string& why) {
  const std::string wanted_lower = to_lower(wanted);
  for (const auto& spec : specs) {
    if (to_lower(spec.name) == wanted_lower) return &spec;
  }
  const std::string wanted_alnum = alphanumeric_lower(wanted);
  if (!wanted_alnum.empty()) {
    for (const auto& spec : specs) {
      if (alphanumeric_lower(spec.name) == wanted_alnum) return &spec;
    }
    std::vector<const Spec*> prefixed;
    const std::string wanted_trimmed = to_lower(wanted);
    // Whole '-'-separated parts anywhere in the name ("mi300x" -> mi300x-node, "a100" -> dgx-a100);
    // a word that several names hold ("h100": dgx-h100 and h100-pcie-node) is ambiguous, never
    // silently the first.
    for (const auto& spec : specs) {
      const std::string name = to_lower(spec.name);
      bool whole_parts = false;
      for (size_t at = name.find(wanted_trimmed); at != std::string::npos && !whole_parts;
           at = name.find(wanted_trimmed, at + 1)) {
        const size_t end = at + wanted_trimmed.size();
        whole_parts = (at == 0 || name[at - 1] == '-') && (end == name.size() || name[end] == '-');
      }
      if (whole_parts) prefixed.push_back(&spec);
    }
    if (prefixed.size() == 1) return prefixed.front();
    if (prefixed.size() > 1) {
      why = std::string(what) + " '" + wanted + "' is ambiguous; it could be:";
      for (const Spec* spec : prefixed) why += " " + spec->name;
      return nullptr;
    }
  }
  why = "unknown ";
  why += what;
  why += " '" + wanted + "'";
  const Spec* closest = nullptr;
  SuggestionRank best;
  for (const auto& spec : specs) {
    const SuggestionRank rank = suggestion_rank(wanted_lower, to_lower(spec.name));
    if (closest == nullptr || rank > best) {
      best = rank;
      closest = &spec;
    }
  }
  if (closest == nullptr) {
    why += "; none are defined";
    return nullptr;
  }
  why += "; did you mean '" + closest->name + "'? Accepted:";
  for (const auto& spec : specs) why += " " + spec.name;
  return nullptr;
}

template <typename Spec>
const Spec& find_or_throw(const std::vector<Spec>& specs, const std::string& wanted, const char* what) {
  std::string why;
  if (const Spec* spec = find_named(specs, wanted, what, why)) return *spec;
  throw InputError(why);
}

// Fills in the GPU and links a cluster file names, reporting unknown names under their key.
void resolve_cluster(ClusterSpec& cluster, const detail::ClusterReferences& references,
                     const std::vector<GpuSpec>& gpus, const std::vector<LinkSpec>& links,
                     detail::SpecProblems& problems) {
  std::string why;
  if (!references.gpu.empty()) {
    if (const GpuSpec* gpu = find_named(gpus, references.gpu, "GPU", why)) {
      cluster.gpu = *gpu;
    } else {
      problems.add("gpu", why);
    }
  }
  if (!references.intra_node_link.empty()) {
    if (const LinkSpec* link = find_named(links, references.intra_node_link, "link", why)) {
      cluster.intra_node = *link;
    } else {
      problems.add("intra_node_link", why);
    }
  }
  if (!references.inter_node_link.empty()) {
    if (const LinkSpec* link = find_named(links, references.inter_node_link, "link", why)) {
      cluster.inter_node = *link;
    } else {
      problems.add("inter_node_link", why);
    }
  }
}

std::string problem_list(const std::string& what, const std::vector<std::string>& lines) {
  std::string message = what + ": " + std::to_string(lines.size()) + (lines.size() == 1 ? " problem: " : " problems: ");
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) message += "; ";
    message += lines[i];
  }
  return message;
}

void set_num_gpus(ClusterSpec& cluster, int64_t num_gpus) {
  const std::string where = "cluster '" + cluster.name + "'";
  if (num_gpus <= 0) {
    throw InputError(where + ": the number of GPUs must be positive (got " + std::to_string(num_gpus) + ")");
  }
  const int64_t per_node = cluster.gpus_per_node;
  if (num_gpus > per_node && num_gpus % per_node != 0) {
    throw InputError(where + ": " + std::to_string(num_gpus) + " GPUs span more than one node of " +
                     std::to_string(per_node) + " GPUs, so they must fill whole nodes; accepted: 1 to " +
                     std::to_string(per_node) + ", or a multiple of " + std::to_string(per_node) + " (" +
                     std::to_string(2 * per_node) + ", " + std::to_string(3 * per_node) + ", ...)");
  }
  cluster.num_gpus = num_gpus;
}

template <typename Spec>
void check_unique(const std::vector<Spec>& specs, const std::vector<std::string>& origins, const Spec& spec,
                  detail::SpecProblems& problems) {
  if (spec.name.empty()) return;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (to_lower(specs[i].name) == to_lower(spec.name)) {
      problems.add("name", "'" + spec.name + "' is also defined in " + origins[i]);
      return;
    }
  }
}

std::vector<std::filesystem::path> json_files(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  for (const auto& item : std::filesystem::directory_iterator(directory)) {
    if (item.is_regular_file() && item.path().extension() == ".json") files.push_back(item.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

double GpuSpec::peak_flops_per_s(model::DType dtype) const {
  switch (dtype) {
    case model::DType::kFp32:
      return peak_tf32_flops_per_s > 0 ? peak_tf32_flops_per_s : peak_fp32_flops_per_s;
    case model::DType::kBf16:
      // Without bf16 tensor cores (V100) bf16 training is planned as fp16 mixed precision.
      return peak_bf16_flops_per_s > 0 ? peak_bf16_flops_per_s : peak_fp16_flops_per_s;
    case model::DType::kFp16:
      return peak_fp16_flops_per_s > 0 ? peak_fp16_flops_per_s : peak_bf16_flops_per_s;
    case model::DType::kFp8:
      // Frameworks run fp8 recipes as bf16 on GPUs without FP8 tensor cores (A100, V100).
      return peak_fp8_flops_per_s > 0 ? peak_fp8_flops_per_s : peak_flops_per_s(model::DType::kBf16);
  }
  return peak_bf16_flops_per_s;
}

double GpuSpec::gemm_efficiency_for(model::DType dtype) const {
  return dtype == model::DType::kFp8 && peak_fp8_flops_per_s > 0 ? fp8_gemm_efficiency : gemm_efficiency;
}

const AttentionRateTable* GpuSpec::attention_table(model::AttentionKernel kernel) const {
  if (!attention_rates) return nullptr;
  switch (kernel) {
    case model::AttentionKernel::kFlash: {
      const AttentionRateTable* cudnn = attention_rates->kernel("cudnn");
      return cudnn ? cudnn : attention_rates->kernel("flash2");
    }
    case model::AttentionKernel::kFlash2: return attention_rates->kernel("flash2");
    case model::AttentionKernel::kFlash3: return attention_rates->kernel("flash3");
    case model::AttentionKernel::kUnfused: return nullptr;
  }
  return nullptr;
}

std::vector<std::string> GpuSpec::problems() const {
  Checks checks;
  checks.text(name, "name", "must not be empty");
  checks.text(source, "source", "must name the datasheet the figures come from");
  checks.bounded(peak_fp32_flops_per_s, kTeraflop, detail::kPeakTflops, "peak_fp32_tflops");
  checks.bounded(peak_tf32_flops_per_s, kTeraflop, detail::kPeakTflops, "peak_tf32_tflops", true);
  checks.bounded(peak_bf16_flops_per_s, kTeraflop, detail::kPeakTflops, "peak_bf16_tflops", true);
  checks.bounded(peak_fp16_flops_per_s, kTeraflop, detail::kPeakTflops, "peak_fp16_tflops", true);
  checks.bounded(peak_fp8_flops_per_s, kTeraflop, detail::kPeakTflops, "peak_fp8_tflops", true);
  checks.require(peak_bf16_flops_per_s > 0 || peak_fp16_flops_per_s > 0 || !(peak_bf16_flops_per_s >= 0) ||
                     !(peak_fp16_flops_per_s >= 0),
                 "peak_bf16_tflops", "a GPU needs a bf16 or fp16 tensor peak (both are 0)");
  checks.bounded(static_cast<double>(sm_count), 1, detail::kSmCount, "sm_count");
  checks.bounded(hbm_bytes, kMebibyte, detail::kHbmUsableMib, "hbm_usable_mib");
  checks.bounded(hbm_bytes_per_s, kGigabyte, detail::kHbmGbPerS, "hbm_bandwidth_gb_per_s");
  checks.bounded(l2_bytes, kMebibyte, detail::kL2Mib, "l2_mib");
  checks.bounded(nvlink_bytes_per_s, kGigabyte, detail::kScaleUpGbPerS, "nvlink_gb_per_s", true);
  checks.non_negative(price_per_gpu_hour_usd, 1, "price_per_gpu_hour_usd");
  checks.require(!(price_per_gpu_hour_usd > 0) || !price_source.empty(), "price_source",
                 "must name where the price comes from");
  checks.fraction(gemm_efficiency, "calibration.gemm_efficiency");
  checks.fraction(fp8_gemm_efficiency, "calibration.fp8_gemm_efficiency");
  checks.fraction(attention_efficiency, "calibration.attention_efficiency");
  checks.fraction(hbm_efficiency, "calibration.hbm_efficiency");
  checks.require(gemm_tile_overhead_k >= 0 && gemm_tile_overhead_k <= 65536, "calibration.gemm_tile_overhead_k",
                 "must be between 0 and 65536 K elements (got " + number_text(gemm_tile_overhead_k) + ")");
  checks.fraction(attention_backward_rate_ratio, "calibration.attention_backward_rate_ratio");
  checks.require(attention_rate_scale > 0 && attention_rate_scale <= 2, "calibration.attention_rate_scale",
                 "must be > 0 and at most 2 (got " + number_text(attention_rate_scale) + ")");
  checks.require(kernel_launch_s >= 0 && kernel_launch_s <= 1e-3, "calibration.kernel_launch_us",
                 "must be between 0 and 1000 (got " + number_text(kernel_launch_s / kMicrosecond) + ")");
  checks.text(calibration_source, "calibration.source", "must say where the calibration figures come from");
  return checks.take();
}

std::vector<std::string> LinkSpec::problems() const {
  Checks checks;
  checks.text(name, "name", "must not be empty");
  checks.text(source, "source", "must name the specification the bandwidth comes from");
  if (is_scale_out(kind)) {
    checks.bounded(bandwidth_bytes_per_s, kGigabitInBytes, detail::kNicGbitPerS, "bandwidth_gbit_per_s");
  } else {
    checks.bounded(bandwidth_bytes_per_s, kGigabyte, detail::kScaleUpGbPerS, "bandwidth_gb_per_s");
  }
  checks.bounded(latency_s, kMicrosecond, detail::kLatencyUs, "latency_us");
  checks.bounded(static_cast<double>(max_domain_gpus), 1, detail::kDomainGpus, "max_domain_gpus", true);
  checks.require(max_domain_gpus == 0 || !max_domain_source.empty(), "max_domain_source",
                 "must name where max_domain_gpus comes from");
  checks.fraction(all_reduce_efficiency, "calibration.all_reduce_efficiency");
  checks.fraction(all_gather_efficiency, "calibration.all_gather_efficiency");
  checks.fraction(all_to_all_efficiency, "calibration.all_to_all_efficiency");
  checks.fraction(p2p_efficiency, "calibration.p2p_efficiency");
  checks.text(calibration_source, "calibration.source", "must say where the efficiencies come from");
  return checks.take();
}

std::vector<std::string> ClusterSpec::problems() const {
  std::vector<std::string> lines = cluster_own_problems(*this);
  for (const auto& line : gpu.problems()) lines.push_back("gpu." + line);
  for (const auto& line : intra_node.problems()) lines.push_back("intra_node_link." + line);
  for (const auto& line : inter_node.problems()) lines.push_back("inter_node_link." + line);
  return lines;
}

HardwareCatalog HardwareCatalog::load(const std::filesystem::path& hardware_specs_dir, CalibrationUse use) {
  std::error_code ec;
  if (!std::filesystem::is_directory(hardware_specs_dir, ec)) {
    throw InputError("hardware specs directory '" + hardware_specs_dir.string() +
                     "' does not exist (set PERFPLAN_DATA_DIR to the perfplan source tree)");
  }
  HardwareCatalog catalog;
  std::vector<std::string> lines;
  // Reads every *.json of one subdirectory, handing each parsed document to `read`.
  const auto each_file = [&](const char* subdirectory, const auto& read) {
    const std::filesystem::path directory = hardware_specs_dir / subdirectory;
    if (!std::filesystem::is_directory(directory, ec)) {
      lines.push_back(std::string(subdirectory) + "/: missing directory (expected one *.json file per spec)");
      return;
    }
    for (const auto& file : json_files(directory)) {
      detail::SpecProblems problems(std::string(subdirectory) + "/" + file.filename().string());
      try {
        read(common::read_json_file(file), problems);
      } catch (const InputError& error) {
        lines.push_back(error.what());
        continue;
      }
      lines.insert(lines.end(), problems.lines().begin(), problems.lines().end());
    }
  };

  // Specs read on their own: each named once, kept in file order.
  const auto each_spec = [&](const char* subdirectory, auto& specs, const auto& read) {
    std::vector<std::string> origins;
    each_file(subdirectory, [&](const nlohmann::json& doc, detail::SpecProblems& problems) {
      auto spec = read(doc, problems);
      if (spec.name.empty()) return;  // already reported; nothing to look up by
      check_unique(specs, origins, spec, problems);
      specs.push_back(std::move(spec));
      origins.push_back(problems.origin());
    });
  };
  each_spec("gpus", catalog.gpus_, detail::gpu_from_json);
  // Published attention rates (optional directory): each table serves its architecture's GPUs.
  if (std::filesystem::is_directory(hardware_specs_dir / "attention", ec)) {
    std::map<std::string, std::string> architecture_origin;
    each_file("attention", [&](const nlohmann::json& doc, detail::SpecProblems& problems) {
      auto rates = std::make_shared<const AttentionRates>(detail::attention_rates_from_json(doc, problems, catalog.gpus_));
      if (rates->architecture.empty() || rates->kernels.empty()) return;
      const auto [at, inserted] = architecture_origin.emplace(rates->architecture, problems.origin());
      if (!inserted) {
        problems.add("architecture", "'" + rates->architecture + "' already has rates in " + at->second);
        return;
      }
      for (auto& gpu : catalog.gpus_) {
        if (gpu.architecture == rates->architecture) gpu.attention_rates = rates;
      }
    });
  }
  each_spec("networks", catalog.links_, detail::link_from_json);
  std::vector<std::string> cluster_origins;
  each_file("clusters", [&](const nlohmann::json& doc, detail::SpecProblems& problems) {
    detail::ClusterReferences references;
    ClusterSpec cluster = detail::cluster_from_json(doc, problems, references);
    resolve_cluster(cluster, references, catalog.gpus_, catalog.links_, problems);
    // The GPU and links report their problems in their own files.
    problems.add_spec_problems(cluster_own_problems(cluster));
    if (cluster.name.empty()) return;  // already reported; nothing to look up by
    check_unique(catalog.clusters_, cluster_origins, cluster, problems);
    catalog.clusters_.push_back(std::move(cluster));
    cluster_origins.push_back(problems.origin());
  });
  // NCCL's SMs come out of the GPU's: a collective_sm_count above every catalog GPU's SM count
  // describes no GPU the stack runs on.
  const auto most_sms = std::max_element(catalog.gpus_.begin(), catalog.gpus_.end(), [](const GpuSpec& a, const GpuSpec& b) {
    return a.sm_count < b.sm_count;
  });
  each_spec("frameworks", catalog.frameworks_, [&](const nlohmann::json& doc, detail::SpecProblems& problems) {
    FrameworkSpec f = detail::framework_from_json(doc, problems);
    if (most_sms != catalog.gpus_.end() && f.collective_sm_count > most_sms->sm_count) {
      problems.add("communication.collective_sm_count",
                   "must be at most " + std::to_string(most_sms->sm_count) + " SMs, the most of any GPU (" +
                       most_sms->name + ") (got " + std::to_string(f.collective_sm_count) + ")");
    }
    return f;
  });
  // fit_as names a spec of the same kind.
  const auto check_fit_groups = [&](const auto& specs, const char* where) {
    for (const auto& spec : specs) {
      const bool known = std::any_of(specs.begin(), specs.end(), [&](const auto& other) { return other.name == spec.fit_group; });
      if (!known) lines.push_back(std::string(where) + spec.name + ": fit_as: unknown name '" + spec.fit_group + "'");
    }
  };
  check_fit_groups(catalog.gpus_, "gpus/: ");
  check_fit_groups(catalog.frameworks_, "frameworks/: ");
  if (!lines.empty()) throw InputError(problem_list("hardware specs in '" + hardware_specs_dir.string() + "'", lines));
  const std::filesystem::path fitted = hardware_specs_dir / "calibration.json";
  if (use == CalibrationUse::kApply && std::filesystem::is_regular_file(fitted, ec)) {
    Calibration calibration = calibration_from_json(common::read_json_file(fitted), fitted.string());
    try {
      catalog.set_calibration(std::move(calibration));
    } catch (const InputError& e) {
      throw InputError(fitted.string() + ": " + e.what() + " (rerun `perfplan calibrate --write`)");
    }
  }
  return catalog;
}

const GpuSpec& HardwareCatalog::gpu(const std::string& name) const { return find_or_throw(gpus_, name, "GPU"); }

const LinkSpec& HardwareCatalog::link(const std::string& name) const { return find_or_throw(links_, name, "link"); }

const FrameworkSpec& HardwareCatalog::framework(const std::string& name) const {
  return find_or_throw(frameworks_, name, "framework");
}

FrameworkSpec HardwareCatalog::framework_flag(const std::string& text, std::string& note) const {
  const size_t at = text.find('@');
  const FrameworkSpec& f = framework(text.substr(0, at));
  note.clear();
  if (at == std::string::npos) return f;
  // A flag is what the user asked for: a version perfplan cannot match is an error, where a
  // published run's version (validation files) only gets a note.
  const std::string version = text.substr(at + 1);
  std::string described = f.release;
  for (const auto& r : f.releases) described += ", " + r.release;
  const std::string accepted = f.release.empty() ? "no version (" + f.name + " describes no numbered release)"
                                                 : "a release (" + described + ") or a year";
  // A release number ("0.2.2", "v2.5.1", "2.5.0rc1") or a year; "-1", "1e3" or "bogus" are not.
  static const std::regex kVersion("v?[0-9]+(\\.[0-9]+)*([.+-]?(rc|a|b|alpha|beta|post|dev)[0-9]*)?");
  if (f.release.empty() || !std::regex_match(version, kVersion) || release_key(version).empty()) {
    throw InputError("--framework " + text + ": version '" + version + "' is not one perfplan can match; accepted: " +
                     accepted);
  }
  FrameworkSpec out = f.at_release(version, note);
  if (note.find("older than every described release") != std::string::npos ||
      note.find("none is dated in or before") != std::string::npos) {
    throw InputError("--framework " + text + ": older than every release perfplan describes; accepted: " + accepted);
  }
  return out;
}

const FrameworkSpec& HardwareCatalog::framework_for(const std::string& name, const std::string& family,
                                                    std::string& fallback) const {
  for (const auto& f : frameworks_) {
    if (to_lower(f.name) == to_lower(name)) return f;
  }
  for (const auto& f : frameworks_) {
    if (f.family_default && f.family == family) {
      fallback = "framework " + name + " has no profile: using " + f.name + ", the " + family + " family's default";
      return f;
    }
  }
  fallback = "framework " + name + " (family " + family + ") has no profile: using " + kDefaultFramework;
  return framework(kDefaultFramework);
}

ClusterSpec HardwareCatalog::cluster(const std::string& name_or_path, int64_t num_gpus) const {
  if (num_gpus <= 0 || num_gpus > limits::kMaxGpus) {
    throw InputError("cluster '" + name_or_path + "': the GPU count must be positive and at most " +
                     std::to_string(limits::kMaxGpus) + " (got " + std::to_string(num_gpus) + ")");
  }
  const std::filesystem::path path(name_or_path);
  std::error_code ec;
  ClusterSpec cluster;
  if (std::filesystem::is_regular_file(path, ec)) {
    detail::SpecProblems problems(path.string());
    detail::ClusterReferences references;
    cluster = detail::cluster_from_json(common::read_json_file(path), problems, references);
    resolve_cluster(cluster, references, gpus_, links_, problems);
    problems.add_spec_problems(cluster.problems());
    if (!problems.lines().empty())
      throw InputError(problem_list("cluster file '" + path.string() + "'", problems.lines()));
  } else if (path.extension() == ".json" || name_or_path.find('/') != std::string::npos) {
    throw InputError(name_or_path + ": cannot open cluster file (give a catalog cluster name or a cluster JSON path)");
  } else {
    std::string why;
    const ClusterSpec* found = find_named(clusters_, name_or_path, "cluster", why);
    if (found == nullptr) throw InputError(why + "; or give a path to a cluster JSON file");
    cluster = *found;
  }
  set_num_gpus(cluster, num_gpus);
  return cluster;
}

ClusterSpec HardwareCatalog::heterogeneous_cluster(const std::string& spec) const {
  ClusterSpec mixed;
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t end = std::min(spec.find(',', start), spec.size());
    const std::string part = spec.substr(start, end - start);
    const size_t colon = part.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 >= part.size()) {
      throw InputError("mixed cluster '" + spec + "': each part must be NAME:GPUS, e.g. dgx-a100:64,dgx-h100:64");
    }
    int64_t gpus = 0;
    try {
      size_t used = 0;
      gpus = std::stoll(part.substr(colon + 1), &used);
      if (used != part.size() - colon - 1) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      throw InputError("mixed cluster '" + spec + "': '" + part.substr(colon + 1) + "' is not a GPU count");
    }
    mixed.parts.push_back(cluster(part.substr(0, colon), gpus));
    start = end + 1;
  }
  if (mixed.parts.size() < 2) throw InputError("mixed cluster '" + spec + "' needs at least two parts");
  std::vector<ClusterSpec> parts = std::move(mixed.parts);
  mixed = parts.front();
  mixed.parts = std::move(parts);
  mixed.name.clear();
  mixed.num_gpus = 0;
  for (const auto& part : mixed.parts) {
    mixed.name += (mixed.name.empty() ? "" : "+") + part.name + ":" + std::to_string(part.num_gpus);
    mixed.num_gpus += part.num_gpus;
  }
  // Between parts, traffic takes the slower scale-out network.
  for (const auto& part : mixed.parts) {
    if (part.inter_node.bandwidth_bytes_per_s * static_cast<double>(part.nics_per_node) / static_cast<double>(part.gpus_per_node) <
        mixed.inter_node.bandwidth_bytes_per_s * static_cast<double>(mixed.nics_per_node) / static_cast<double>(mixed.gpus_per_node)) {
      mixed.inter_node = part.inter_node;
      mixed.nics_per_node = part.nics_per_node;
    }
  }
  return mixed;
}

ClusterSpec HardwareCatalog::cluster_for_gpu(const std::string& gpu_name, int64_t num_gpus,
                                             int64_t gpus_per_node) const {
  const GpuSpec& gpu = this->gpu(gpu_name);
  // The catalog cluster built on this GPU, else on its family (text before the first '-':
  // A100-SXM4-40GB runs in the dgx-a100 node with its own GPU swapped in).
  const auto family = [](const std::string& name) { return to_lower(name.substr(0, name.find('-'))); };
  const ClusterSpec* base = nullptr;
  for (const auto& candidate : clusters_) {
    if (candidate.gpu.name == gpu.name) {
      base = &candidate;
      break;
    }
  }
  if (base == nullptr) {
    for (const auto& candidate : clusters_) {
      if (family(candidate.gpu.name) == family(gpu.name)) {
        base = &candidate;
        break;
      }
    }
  }
  if (base == nullptr) {
    std::string message = "no catalog cluster is built on GPU '" + gpu.name + "' or its family '" + family(gpu.name) +
                          "'; give a cluster JSON file. Catalog clusters:";
    for (const auto& candidate : clusters_) message += " " + candidate.name + " (" + candidate.gpu.name + ")";
    throw InputError(message);
  }
  ClusterSpec cluster = *base;
  if (cluster.gpu.name != gpu.name) {
    cluster.name += " (" + gpu.name + ")";
    cluster.source += "; GPU swapped for " + gpu.name;
    cluster.gpu = gpu;
  }
  if (gpus_per_node < 0) {
    throw InputError("GPUs per node must be positive (got " + std::to_string(gpus_per_node) + ")");
  }
  // 0 keeps the catalog node. Otherwise the node shrinks or grows with its NICs per GPU kept; an
  // NVLink domain that was the node follows it, a larger one (NVL72) stays.
  if (gpus_per_node > 0 && gpus_per_node != cluster.gpus_per_node) {
    const int64_t old_per_node = cluster.gpus_per_node;
    if (cluster.nvlink_domain_size == old_per_node) {
      cluster.nvlink_domain_size = gpus_per_node;
    } else if (cluster.nvlink_domain_size % gpus_per_node != 0) {
      throw InputError("cluster '" + cluster.name + "': " + std::to_string(gpus_per_node) +
                       " GPUs per node do not divide its NVLink domain of " +
                       std::to_string(cluster.nvlink_domain_size) + " GPUs");
    }
    const double nics = std::round(static_cast<double>(cluster.nics_per_node) * static_cast<double>(gpus_per_node) /
                                   static_cast<double>(old_per_node));
    cluster.nics_per_node = std::max<int64_t>(1, static_cast<int64_t>(nics));
    cluster.gpus_per_node = gpus_per_node;
  }
  set_num_gpus(cluster, num_gpus);
  return cluster;
}

std::filesystem::path default_hardware_directory() { return common::data_directory() / "hardware_specs"; }

}  // namespace perfplan::hardware
