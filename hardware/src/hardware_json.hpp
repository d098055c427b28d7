#pragma once
// Reading hardware spec files (gpus/, networks/, clusters/, frameworks/) into the SI structs of hardware.hpp
// (private to the predictor module). Vendor units are converted here and nowhere else.
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "perfplan/hardware/framework.hpp"
#include "perfplan/hardware/hardware.hpp"

namespace perfplan::hardware::detail {

// Problems found in one spec file, each "origin: json.path: what is wrong". `keys` remembers
// the paths already reported so the struct's own problems() does not repeat them.
class SpecProblems {
 public:
  explicit SpecProblems(std::string origin) : origin_(std::move(origin)) {}
  void add(const std::string& path, const std::string& what);
  // Adds "path: what" lines from a spec's problems() whose path was not reported yet.
  void add_spec_problems(const std::vector<std::string>& problems);
  const std::string& origin() const { return origin_; }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::string origin_;
  std::vector<std::string> lines_;
  std::set<std::string> paths_;
};

GpuSpec gpu_from_json(const nlohmann::json& doc, SpecProblems& problems);
LinkSpec link_from_json(const nlohmann::json& doc, SpecProblems& problems);
FrameworkSpec framework_from_json(const nlohmann::json& doc, SpecProblems& problems);
// An attention rate table (attention/): TFLOP/s read as utilisation of the measured GPU's peak.
AttentionRates attention_rates_from_json(const nlohmann::json& doc, SpecProblems& problems,
                                         const std::vector<GpuSpec>& gpus);

// A cluster file names its GPU and links; the catalog resolves them.
struct ClusterReferences {
  std::string gpu;
  std::string intra_node_link;
  std::string inter_node_link;
};
ClusterSpec cluster_from_json(const nlohmann::json& doc, SpecProblems& problems, ClusterReferences& references);

// Vendor units, converted once.
inline constexpr double kTeraflop = 1e12;
inline constexpr double kGigabyte = 1e9;  // decimal GB, as vendors state bandwidth
inline constexpr double kMebibyte = 1048576.0;
inline constexpr double kGibibyte = 1073741824.0;
inline constexpr double kGigabitInBytes = 1e9 / 8;
inline constexpr double kMicrosecond = 1e-6;

}  // namespace perfplan::hardware::detail
