#pragma once
// Published training runs (../shared/validation format) and the predictor's error on them.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "perfplan/model/architecture.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/predictor/parallel_config.hpp"
#include "perfplan/predictor/predict.hpp"
#include "perfplan/validation/published_network.hpp"

namespace perfplan::validation {

struct MemorySplitGib {
  double weights_gradients_optimizer = 0;
  double activations = 0;
};

struct ValidationCase {
  std::string id;
  std::string file;  // the file it came from
  std::string model_name;
  model::Architecture architecture;
  // The stack that ran it (framework.name / family / version; family "megatron" when absent).
  std::string framework_name;
  std::string framework_family;
  std::string framework_version;
  std::string framework_profile;  // the hardware_specs/frameworks profile it is predicted with
  bool compiled = false;          // framework.features.torch_compile: elementwise chains fused
  std::optional<bool> post_validation;  // framework.features.optimizer_post_validation, where printed
  std::string recompute_detail;  // the exact policy as published, where given
  std::string gpu;
  int64_t num_gpus = 0;
  int64_t gpus_per_node = 8;
  // The scale-out network as printed (cluster.inter_node), where it names a rate; else the
  // catalog cluster of the GPU.
  std::optional<PublishedNetwork> network;
  predictor::ParallelConfig config;
  std::vector<std::string> assumed;  // defaults used where the source printed null
  bool recompute_assumed = false;    // recompute was null: the cheapest mode that fits is used
  std::optional<double> measured_iteration_time_s;
  std::optional<double> measured_peak_memory_gib;
  std::optional<MemorySplitGib> measured_memory_breakdown_gib;
  std::string skip_reason;  // set when the case cannot be read into a model (listed, never dropped)
};

// Reads one validation file, or every *.json in a directory (README.md and others ignored).
// Values the source left null take the defaults of the case's framework profile in `hardware`.
std::vector<ValidationCase> load_validation_cases(const std::filesystem::path& path,
                                                  const hardware::HardwareCatalog& hardware);
// Several files or directories at once: a file reached twice or a case id used twice (in any of
// them) is an InputError, so no case counts twice.
std::vector<ValidationCase> load_validation_cases(const std::vector<std::filesystem::path>& paths,
                                                  const hardware::HardwareCatalog& hardware);

struct CaseResult {
  std::string id;
  std::string file;
  std::optional<double> measured_iteration_time_s;
  std::optional<double> predicted_iteration_time_s;
  std::optional<double> error_pct;  // (predicted - measured) / measured * 100
  std::optional<double> measured_peak_memory_gib;
  std::optional<double> predicted_peak_memory_gib;
  std::optional<double> memory_error_pct;  // peak memory, or the mean of the breakdown's parts
  std::optional<MemorySplitGib> measured_memory_breakdown_gib;
  std::optional<MemorySplitGib> predicted_memory_breakdown_gib;
  std::vector<std::string> assumed;
  std::string skipped;  // reason, empty when predicted
  // Model, GPU, GPU count, sequence, global batch and dtype: cases that share it differ only in
  // their parallel configuration.
  std::string workload;
  std::optional<predictor::ParallelConfig> config;  // the layout predicted (after the assumed defaults)
  std::optional<hardware::ClusterSpec> cluster;    // the cluster it was predicted on
};

struct ValidationSummary {
  int64_t count = 0;    // cases with a time compared
  int64_t skipped = 0;
  std::optional<double> median_abs_error_pct;
  std::optional<double> mean_abs_error_pct;
  std::optional<double> max_abs_error_pct;
  std::optional<double> median_abs_memory_error_pct;
  struct PerFile {
    std::string file;
    int64_t count = 0;
    std::optional<double> median_abs_error_pct;
  };
  std::vector<PerFile> per_file;
  // Cases of one workload that differ only in configuration: does the predictor get the
  // measured ratio of their times right?
  struct ConfigurationPair {
    std::string first;
    std::string second;
    double measured_ratio = 0;   // first / second
    double predicted_ratio = 0;
    double ratio_error_pct = 0;  // predicted / measured - 1
  };
  std::vector<ConfigurationPair> configuration_pairs;
};

// Predicts one case on its GPU's standard node (dgx-a100 for A100, ...). Never throws for a
// case it cannot model: the result is marked skipped with the reason.
CaseResult validate_case(const ValidationCase& c, const hardware::HardwareCatalog& hardware, const predictor::PredictOptions& options = {});
ValidationSummary summarize(const std::vector<CaseResult>& results);

}  // namespace perfplan::validation
