#pragma once
// `perfplan calibrate`: fits the free constants of the model (declared by the bounds in their
// spec files) to published runs, deterministically, by a robust objective.
#include <string>
#include <vector>

#include "perfplan/hardware/calibration.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/validation/validation.hpp"

namespace perfplan::validation {

// L1 in log space: every case weighs the same whatever its size, a case off by 2x counts as
// much in either direction, and a few cases the model cannot explain pull the fit linearly, not
// quadratically.
inline constexpr const char* kCalibrationObjective =
    "mean |ln(predicted / measured)| of the iteration time over the fitted cases";
// A constant is fitted only when at least this many cases depend on it; else it keeps its prior.
inline constexpr int64_t kMinCasesPerConstant = 3;

struct ConstantFit {
  hardware::FreeConstant constant;  // key, prior, bounds and their source
  double value = 0;                 // fitted, or the prior when kept
  int64_t cases = 0;                // fitted cases whose time depends on it
  bool fitted = false;
  std::string note;                 // why kept, or "at the lower / upper bound"
};

struct CalibrationFit {
  std::vector<ConstantFit> constants;
  std::vector<std::string> fitted_on;  // the validation files of the cases
  int64_t cases = 0;                   // cases with a time compared
  double prior_objective = 0;          // the objective at the priors
  double objective = 0;                // at the fitted values
  // The fitted constants as hardware_specs/calibration.json holds them (bands added by the caller).
  hardware::Calibration calibration(const std::string& command) const;
};

// Fits from `priors` (a catalog loaded with CalibrationUse::kPriors): coordinate descent over the
// constants in key order, golden-section search inside each one's bounds, values rounded to three
// significant digits, until a sweep changes nothing (at most four sweeps).
CalibrationFit calibrate(const std::vector<ValidationCase>& cases, const hardware::HardwareCatalog& priors);

// `priors` with the fit's constants set.
hardware::HardwareCatalog with_fit(const hardware::HardwareCatalog& priors, const CalibrationFit& fit);

}  // namespace perfplan::validation
