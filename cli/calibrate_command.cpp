// `perfplan calibrate PATH... [--write] [--json]`: fits the model's free constants to published
// runs; --write stores them (and the out-of-sample bands) in hardware_specs/calibration.json.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/report/accuracy_report.hpp"
#include "perfplan/validation/calibrate.hpp"
#include "perfplan/validation/cross_validation.hpp"

namespace perfplan::cli {

int run_calibrate_command(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  bool as_json = false;
  bool write = false;
  for (const auto& a : args) {
    if (a == "--json") as_json = true;
    else if (a == "--write") write = true;
    else if (a == "--help" || a == "-h") {
      std::cout << "perfplan calibrate PATH... [--write] [--json]: fit the free constants (per-GPU GEMM, FP8-GEMM and "
                   "attention efficiencies, the framework's host launch cost; declared by the bounds in hardware_specs) "
                   "to the published runs in the validation files or directories, from the spec files' priors; "
                   "--write stores the fitted values and the out-of-sample prediction bands in "
                   "hardware_specs/calibration.json\n";
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      throw InputError("perfplan calibrate: unknown option '" + a + "'; accepted: --write, --json");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) throw InputError("perfplan calibrate needs at least one validation file or directory");
  const auto start = std::chrono::steady_clock::now();
  const auto priors =
      hardware::HardwareCatalog::load(hardware::default_hardware_directory(), hardware::CalibrationUse::kPriors);
  std::vector<validation::ValidationCase> cases;
  for (auto& c : validation::load_validation_cases(std::vector<std::filesystem::path>(paths.begin(), paths.end()), priors))
    cases.push_back(std::move(c));
  if (cases.empty()) throw InputError("perfplan calibrate: the validation files hold no cases to fit against");
  const validation::CalibrationFit fit = validation::calibrate(cases, priors);
  if (fit.cases == 0) {
    const auto skipped = std::find_if(cases.begin(), cases.end(), [](const auto& c) { return !c.skip_reason.empty(); });
    throw InputError("perfplan calibrate: none of the " + std::to_string(cases.size()) +
                     " cases has a published time it can be fitted to" +
                     (skipped != cases.end() ? " (case " + skipped->id + ": " + skipped->skip_reason + ")" : std::string()));
  }
  if (write && (std::none_of(fit.constants.begin(), fit.constants.end(),
                                               [](const auto& c) { return c.fitted; }))) {
    // Writing would replace the stored fit with the priors: refused, the file is left as it is.
    throw InputError("perfplan calibrate --write: " + std::to_string(fit.cases) +
                     " cases with a published time fit no constant; calibration.json is left unchanged");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << (as_json ? report::render_calibration_json(fit, seconds) : report::render_calibration_text(fit, seconds));
  if (write) {
    hardware::Calibration calibration = validation::full_calibration(cases, priors, fit);
    calibration.command = "perfplan calibrate";  // the command as run, so the file says how to remake it
    for (const auto& a : args) calibration.command += " " + a;
    const auto file = hardware::default_hardware_directory() / "calibration.json";
    std::ofstream out(file);
    out << hardware::calibration_to_json(calibration).dump(2) << "\n";
    out.close();
    if (!out) throw InputError("cannot write " + file.string());
    if (!as_json) std::cout << "\nwrote " << file.string() << "\n";
  }
  return 0;
}

}  // namespace perfplan::cli
