#include "perfplan/validation/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace perfplan::validation {
namespace {

// A case with a measured time, and which constants its prediction depends on.
struct FitCase {
  const ValidationCase* c = nullptr;
  std::string fit_group;        // its GPU's
  std::string framework_group;  // its framework profile's
  bool fp8 = false;
  bool flash = false;           // fused attention at attention_efficiency (no published rates)
  bool attention_table = false;  // fused attention at published rates (attention_rate_scale)
  bool moe = false;
};

double abs_log_error(const ValidationCase& c, const hardware::HardwareCatalog& catalog) {
  const CaseResult r = validate_case(c, catalog);
  if (!r.predicted_iteration_time_s || !(*r.predicted_iteration_time_s > 0)) return 0.0;
  return std::abs(std::log(*r.predicted_iteration_time_s / *c.measured_iteration_time_s));
}

bool depends_on(const FitCase& f, const std::string& key) {
  const size_t dot = key.find('.');
  const std::string owner = key.substr(0, dot);
  const std::string field = key.substr(dot + 1);
  if (field == "host.launch_us") return owner == f.framework_group;
  if (owner != f.fit_group) return false;
  if (field == "fp8_gemm_efficiency") return f.fp8;
  if (field == "attention_efficiency") return f.flash;
  if (field == "attention_rate_scale") return f.attention_table;
  if (field == "grouped_gemm_efficiency_ratio") return f.moe;
  return true;
}

double round_significant(double value, int digits) {
  if (value == 0 || !std::isfinite(value)) return value;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::abs(value)))));
  return std::round(value * scale) / scale;
}

}  // namespace

CalibrationFit calibrate(const std::vector<ValidationCase>& cases, const hardware::HardwareCatalog& priors) {
  CalibrationFit fit;
  hardware::HardwareCatalog catalog = priors;
  std::vector<FitCase> fitted;
  std::set<std::string> files;
  for (const auto& c : cases) {
    if (!c.skip_reason.empty() || !c.measured_iteration_time_s) continue;
    const CaseResult r = validate_case(c, catalog);
    if (!r.predicted_iteration_time_s) continue;
    FitCase f;
    f.c = &c;
    f.fit_group = catalog.gpu(c.gpu).fit_group;
    f.framework_group =
        catalog.framework(c.framework_profile.empty() ? hardware::kDefaultFramework : c.framework_profile).fit_group;
    f.fp8 = c.config.dtype == model::DType::kFp8;
    f.moe = c.architecture.moe.has_value();
    const bool fused = r.config && r.config->attention != model::AttentionKernel::kUnfused;
    f.attention_table = fused && catalog.gpu(c.gpu).attention_table(r.config->attention) != nullptr;
    f.flash = fused && !f.attention_table;
    fitted.push_back(f);
    files.insert(c.file);
  }
  fit.fitted_on.assign(files.begin(), files.end());
  fit.cases = static_cast<int64_t>(fitted.size());
  const auto total = [&](const std::vector<const FitCase*>& subset) {
    double sum = 0;
    for (const FitCase* f : subset) sum += abs_log_error(*f->c, catalog);
    return sum;
  };
  std::vector<const FitCase*> all;
  for (const auto& f : fitted) all.push_back(&f);
  const double n = std::max<double>(1.0, static_cast<double>(all.size()));
  fit.prior_objective = total(all) / n;

  for (const auto& constant : catalog.free_constants()) {
    ConstantFit cf;
    cf.constant = constant;
    cf.value = constant.prior;
    for (const auto& f : fitted) cf.cases += depends_on(f, constant.key) ? 1 : 0;
    if (cf.cases < kMinCasesPerConstant) {
      cf.note = "kept prior: " + std::to_string(cf.cases) + " case(s) depend on it (fewer than " +
                std::to_string(kMinCasesPerConstant) + ")";
    }
    fit.constants.push_back(cf);
  }

  // Coordinate descent: each constant's objective over the cases that depend on it (the others'
  // errors do not move).
  constexpr double kGolden = 0.6180339887498949;
  constexpr int kIterations = 18;
  constexpr int kMaxSweeps = 4;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool changed = false;
    for (auto& cf : fit.constants) {
      if (cf.cases < kMinCasesPerConstant) continue;
      std::vector<const FitCase*> subset;
      for (const auto& f : fitted) {
        if (depends_on(f, cf.constant.key)) subset.push_back(&f);
      }
      const auto at = [&](double x) {
        catalog.set_constant(cf.constant.key, x);
        return total(subset);
      };
      double a = cf.constant.low, b = cf.constant.high;
      double c = b - kGolden * (b - a), d = a + kGolden * (b - a);
      double fc = at(c), fd = at(d);
      for (int i = 0; i < kIterations; ++i) {
        if (fc <= fd) {
          b = d, d = c, fd = fc;
          c = b - kGolden * (b - a);
          fc = at(c);
        } else {
          a = c, c = d, fc = fd;
          d = a + kGolden * (b - a);
          fd = at(d);
        }
      }
      // The search's point, the bounds and the current value: the best, rounded.
      double best = cf.value, best_f = at(cf.value);
      for (double x : {fc <= fd ? c : d, cf.constant.low, cf.constant.high}) {
        const double rounded = std::clamp(round_significant(x, 3), cf.constant.low, cf.constant.high);
        const double fx = at(rounded);
        if (fx < best_f - 1e-12) best = rounded, best_f = fx;
      }
      catalog.set_constant(cf.constant.key, best);
      changed = changed || best != cf.value;
      cf.value = best;
      cf.fitted = true;
      cf.note = best <= cf.constant.low ? "at the lower bound" : best >= cf.constant.high ? "at the upper bound" : "";
    }
    if (!changed) break;
  }
  fit.objective = total(all) / n;
  return fit;
}

hardware::HardwareCatalog with_fit(const hardware::HardwareCatalog& priors, const CalibrationFit& fit) {
  hardware::HardwareCatalog catalog = priors;
  for (const auto& cf : fit.constants) {
    if (cf.fitted) catalog.set_constant(cf.constant.key, cf.value);
  }
  return catalog;
}

hardware::Calibration CalibrationFit::calibration(const std::string& command) const {
  hardware::Calibration c;
  c.command = command;
  c.objective = kCalibrationObjective;
  c.fitted_on = fitted_on;
  c.cases = cases;
  c.residual = std::round(objective * 1e6) / 1e6;
  for (const auto& cf : constants) {
    if (cf.fitted) c.constants[cf.constant.key] = cf.value;
  }
  return c;
}

}  // namespace perfplan::validation
