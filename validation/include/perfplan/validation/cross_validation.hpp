#pragma once
// `perfplan validate --cross-validate`: for each source file (or framework), calibrate on the
// other cases and predict the left-out ones. The out-of-sample errors are the accuracy a user
// can expect on a run nobody tuned for; their spread gives the prediction bands.
#include <optional>
#include <string>
#include <vector>

#include "perfplan/hardware/calibration.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/validation/calibrate.hpp"
#include "perfplan/validation/ranking.hpp"
#include "perfplan/validation/validation.hpp"

namespace perfplan::validation {

enum class FoldBy { kFile, kFramework };
FoldBy parse_fold_by(const std::string& text);  // file | framework
std::string to_string(FoldBy by);

struct ErrorSummary {
  int64_t count = 0;
  std::optional<double> median_pct, p90_pct, max_pct;  // of |error|
};
ErrorSummary summarize_errors(const std::vector<CaseResult>& results);

struct FoldSummary {
  std::string fold;
  ErrorSummary in_sample, out_of_sample;
};

struct CrossValidation {
  FoldBy by = FoldBy::kFile;
  std::vector<std::string> fold_of;        // per case
  std::vector<CaseResult> in_sample;       // with the committed (all-case) constants
  std::vector<CaseResult> out_of_sample;   // with constants fitted without the case's fold
  ErrorSummary in_sample_summary, out_of_sample_summary;
  std::vector<FoldSummary> folds;
  RankingSummary in_sample_ranking, out_of_sample_ranking;
  std::vector<hardware::BandEntry> bands;  // from the out-of-sample residuals
  double seconds = 0;
};

// `priors`: the spec files' values (CalibrationUse::kPriors), refitted per fold; `fitted`: the
// catalog with the committed constants, for the in-sample errors. Folds run on `threads`
// threads (0: hardware concurrency); the result does not depend on it.
CrossValidation cross_validate(const std::vector<ValidationCase>& cases, const hardware::HardwareCatalog& priors,
                               const hardware::HardwareCatalog& fitted, FoldBy by, unsigned threads = 0);

// A band needs this many comparable cases; with fewer, the next broader group answers.
inline constexpr int64_t kMinBandCases = 10;
// 10th-90th percentile of measured / predicted, per (GPU family, framework family), per GPU
// family, per framework family and over all cases, where each has kMinBandCases.
std::vector<hardware::BandEntry> prediction_bands(const std::vector<ValidationCase>& cases,
                                                  const std::vector<CaseResult>& out_of_sample);

// What `perfplan calibrate --write` stores: `fit` (the constants fitted on every case) and the
// bands from a leave-one-file-out cross-validation.
inline constexpr const char* kCalibrateCommand = "perfplan calibrate ../shared/validation --write";
hardware::Calibration full_calibration(const std::vector<ValidationCase>& cases, const hardware::HardwareCatalog& priors,
                                       const CalibrationFit& fit, unsigned threads = 0);

}  // namespace perfplan::validation
