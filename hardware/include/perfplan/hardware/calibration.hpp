#pragma once
// The constants `perfplan calibrate` fits, and what it wrote: hardware_specs/calibration.json
// holds the fitted values (with the files, objective and residual they came from) and the
// prediction bands measured out of sample. Spec files hold the priors and the bounds.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace perfplan::hardware {

// A free constant: named "<GPU fit group>.<field>" (e.g. "H100-SXM5-80GB.gemm_efficiency") or
// "<framework>.host.launch_us", in the unit of its spec file, with the range published
// measurements allow and their source (both in the spec file).
struct FreeConstant {
  std::string key;
  double prior = 0;  // the spec file's value
  double low = 0, high = 0;
  std::string bound_source;
};

// Measured / predicted iteration time of comparable cases, out of sample: the 10th and 90th
// percentiles.
struct PredictionBand {
  double low_ratio = 1.0;
  double high_ratio = 1.0;
  int64_t cases = 0;
  std::string basis;  // which cases: "A100, megatron stacks" or "all"
};

struct BandEntry {
  std::string gpu_family;        // "" for any
  std::string framework_family;  // "" for any
  PredictionBand band;
};

struct Calibration {
  std::string command;    // how it was produced
  std::string objective;  // what was minimised
  std::vector<std::string> fitted_on;  // validation files
  int64_t cases = 0;
  double residual = 0;    // the objective at the fitted values
  std::map<std::string, double> constants;
  std::vector<BandEntry> bands;
};

// "H100-SXM5-80GB" -> "H100", "GB200" -> "GB200": the family bands are kept by.
std::string gpu_family(const std::string& gpu_name);

// hardware_specs/calibration.json (written by `perfplan calibrate --write`).
nlohmann::ordered_json calibration_to_json(const Calibration& calibration);
Calibration calibration_from_json(const nlohmann::json& doc, const std::string& origin);

}  // namespace perfplan::hardware
