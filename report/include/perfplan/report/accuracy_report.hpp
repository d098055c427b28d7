#pragma once
// Renderers of `perfplan calibrate` (the fitted constants) and `perfplan validate
// --cross-validate` (in-sample and out-of-sample errors, ranking, bands), in text, JSON and the
// Markdown section `make accuracy` writes into the README.
#include <string>
#include <vector>

#include "perfplan/validation/calibrate.hpp"
#include "perfplan/validation/cross_validation.hpp"

namespace perfplan::report {

std::string render_calibration_text(const validation::CalibrationFit& fit, double seconds);
std::string render_calibration_json(const validation::CalibrationFit& fit, double seconds);

std::string render_cross_validation_text(const validation::CrossValidation& cv,
                                         const validation::ValidationSummary& in_sample);
std::string render_cross_validation_json(const validation::CrossValidation& cv,
                                         const validation::ValidationSummary& in_sample,
                                         const std::vector<std::string>& inputs);
std::string render_accuracy_markdown(const validation::CrossValidation& cv, const std::string& command);

}  // namespace perfplan::report
