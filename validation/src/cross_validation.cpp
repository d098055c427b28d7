#include "perfplan/validation/cross_validation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <thread>

#include "perfplan/common/input_error.hpp"
#include "perfplan/validation/calibrate.hpp"
#include "perfplan/validation/statistics.hpp"

namespace perfplan::validation {

FoldBy parse_fold_by(const std::string& text) {
  if (text == "file") return FoldBy::kFile;
  if (text == "framework") return FoldBy::kFramework;
  throw InputError("--by '" + text + "': accepted: file, framework");
}

std::string to_string(FoldBy by) { return by == FoldBy::kFile ? "file" : "framework"; }

ErrorSummary summarize_errors(const std::vector<CaseResult>& results) {
  std::vector<double> errors;
  for (const auto& r : results) {
    if (r.skipped.empty() && r.error_pct) errors.push_back(std::abs(*r.error_pct));
  }
  ErrorSummary s;
  s.count = static_cast<int64_t>(errors.size());
  s.median_pct = median(errors);
  s.p90_pct = percentile(errors, 0.9);
  if (!errors.empty()) s.max_pct = *std::max_element(errors.begin(), errors.end());
  return s;
}

CrossValidation cross_validate(const std::vector<ValidationCase>& cases, const hardware::HardwareCatalog& priors,
                               const hardware::HardwareCatalog& fitted, FoldBy by, unsigned threads) {
  const auto start = std::chrono::steady_clock::now();
  CrossValidation cv;
  cv.by = by;
  std::vector<std::string> folds;
  for (const auto& c : cases) {
    cv.fold_of.push_back(by == FoldBy::kFile ? c.file : c.framework_name);
    if (std::find(folds.begin(), folds.end(), cv.fold_of.back()) == folds.end()) folds.push_back(cv.fold_of.back());
    cv.in_sample.push_back(validate_case(c, fitted));
  }
  cv.out_of_sample.resize(cases.size());
  // Each fold calibrates on the other folds' cases and predicts its own; folds are independent.
  const auto run_fold = [&](const std::string& fold) {
    std::vector<ValidationCase> training;
    for (size_t i = 0; i < cases.size(); ++i) {
      if (cv.fold_of[i] != fold) training.push_back(cases[i]);
    }
    const hardware::HardwareCatalog catalog = with_fit(priors, calibrate(training, priors));
    for (size_t i = 0; i < cases.size(); ++i) {
      if (cv.fold_of[i] == fold) cv.out_of_sample[i] = validate_case(cases[i], catalog);
    }
  };
  const unsigned workers = std::max(1u, std::min<unsigned>(threads ? threads : std::thread::hardware_concurrency(),
                                                           static_cast<unsigned>(folds.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < workers; ++t) {
    pool.emplace_back([&, t] {
      for (size_t f = t; f < folds.size(); f += workers) run_fold(folds[f]);
    });
  }
  for (auto& thread : pool) thread.join();

  cv.in_sample_summary = summarize_errors(cv.in_sample);
  cv.out_of_sample_summary = summarize_errors(cv.out_of_sample);
  for (const auto& fold : folds) {
    std::vector<CaseResult> in, out;
    for (size_t i = 0; i < cases.size(); ++i) {
      if (cv.fold_of[i] != fold) continue;
      in.push_back(cv.in_sample[i]);
      out.push_back(cv.out_of_sample[i]);
    }
    cv.folds.push_back({fold, summarize_errors(in), summarize_errors(out)});
  }
  cv.in_sample_ranking = rank_workloads(cv.in_sample);
  cv.out_of_sample_ranking = rank_workloads(cv.out_of_sample);
  cv.bands = prediction_bands(cases, cv.out_of_sample);
  cv.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return cv;
}

std::vector<hardware::BandEntry> prediction_bands(const std::vector<ValidationCase>& cases,
                                                  const std::vector<CaseResult>& out_of_sample) {
  // measured / predicted of every out-of-sample case, by (GPU family, framework family).
  std::map<std::pair<std::string, std::string>, std::vector<double>> ratios;
  for (size_t i = 0; i < cases.size() && i < out_of_sample.size(); ++i) {
    const CaseResult& r = out_of_sample[i];
    if (!r.skipped.empty() || !r.measured_iteration_time_s || !r.predicted_iteration_time_s) continue;
    const double ratio = *r.measured_iteration_time_s / *r.predicted_iteration_time_s;
    const std::string gpu = hardware::gpu_family(cases[i].gpu);
    const std::string stack = cases[i].framework_family;
    for (const auto& key : {std::pair{gpu, stack}, std::pair{gpu, std::string()}, std::pair{std::string(), stack},
                            std::pair{std::string(), std::string()}}) {
      ratios[key].push_back(ratio);
    }
  }
  const auto round3 = [](double v) { return std::round(v * 1000.0) / 1000.0; };
  std::vector<hardware::BandEntry> out;
  for (const auto& [key, values] : ratios) {
    const int64_t n = static_cast<int64_t>(values.size());
    const bool everything = key.first.empty() && key.second.empty();
    if (n < kMinBandCases && !everything) continue;
    hardware::BandEntry e;
    e.gpu_family = key.first;
    e.framework_family = key.second;
    e.band.low_ratio = round3(*percentile(values, 0.1));
    e.band.high_ratio = round3(*percentile(values, 0.9));
    e.band.cases = n;
    e.band.basis = (key.first.empty() ? std::string("any GPU") : key.first) + ", " +
                   (key.second.empty() ? std::string("any stack") : key.second + " stacks") + ": " +
                   std::to_string(n) + " published runs, out of sample";
    out.push_back(std::move(e));
  }
  return out;
}

hardware::Calibration full_calibration(const std::vector<ValidationCase>& cases, const hardware::HardwareCatalog& priors,
                                       const CalibrationFit& fit, unsigned threads) {
  hardware::Calibration calibration = fit.calibration(kCalibrateCommand);
  calibration.bands = cross_validate(cases, priors, with_fit(priors, fit), FoldBy::kFile, threads).bands;
  return calibration;
}

}  // namespace perfplan::validation
