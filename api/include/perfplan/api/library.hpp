#pragma once
// perfplan as a library: the data read once, then predictions, plans and throughput matrices.
// A Library is immutable after construction: call it from any number of threads at once.
// Bad input (an unknown model, a malformed file, a layout that does not fit the model or the GPUs)
// is a perfplan::InputError saying what and where; an empty cell of a throughput matrix is a
// value with its reason, not an exception.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "perfplan/api/options.hpp"
#include "perfplan/api/throughput_matrix.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/model/architecture.hpp"
#include "perfplan/model/catalog.hpp"
#include "perfplan/planner/plan.hpp"
#include "perfplan/predictor/predict.hpp"

namespace perfplan::api {

class Library {
 public:
  // Data from `data_dir`, else $PERFPLAN_DATA_DIR, else the data installed beside the library
  // (<prefix>/share/perfplan), else the source tree it was built from.
  explicit Library(const std::optional<std::filesystem::path>& data_dir = std::nullopt);

  const std::filesystem::path& data_directory() const { return data_dir_; }
  const model::Catalog& catalog() const { return *catalog_; }
  const hardware::HardwareCatalog& hardware() const { return *hardware_; }

  // A catalog name or a Hugging Face config.json path; or a config given as JSON text.
  model::Architecture model(const std::string& name_or_file) const;
  model::Architecture model_from_json(const std::string& hf_config_json, const std::string& name) const;
  // NAME[@VERSION] (hardware_specs/frameworks); the nearest release when VERSION is not described.
  hardware::FrameworkSpec framework(const std::string& name_at_version) const;
  // A cluster name or JSON file with `gpus` GPUs, or a mixed cluster NAME:GPUS,NAME:GPUS (gpus 0).
  hardware::ClusterSpec cluster(const std::string& name_or_file, int64_t gpus) const;

  // The planner request `perfplan plan` would make of these options.
  planner::PlanRequest plan_request(const PlanOptions& options) const;
  planner::PlanResult plan(const PlanOptions& options) const;
  predictor::Prediction predict(const PredictOptions& options) const;

  // Every job on every cluster type at every count (`framework` runs them all); cells in
  // parallel over `threads` (0: all cores), each cell's search single-threaded.
  ThroughputMatrix throughput_matrix(const std::vector<Job>& jobs, const std::vector<std::string>& gpu_types,
                                     const std::vector<int64_t>& gpu_counts, const std::string& framework,
                                     int threads = 0) const;

 private:
  std::filesystem::path data_dir_;
  std::shared_ptr<const model::Catalog> catalog_;
  std::shared_ptr<const hardware::HardwareCatalog> hardware_;
};

}  // namespace perfplan::api
