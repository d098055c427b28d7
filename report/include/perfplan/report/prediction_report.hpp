#pragma once
// Renderers of a Prediction: text, JSON, Chrome trace.
#include <string>

#include "perfplan/predictor/predict.hpp"

namespace perfplan::report {

std::string render_prediction_text(const predictor::Prediction& p, const model::Architecture& arch,
                                   const hardware::ClusterSpec& cluster, const predictor::ParallelConfig& c);
std::string render_prediction_json(const predictor::Prediction& p, const model::Architecture& arch,
                                   const hardware::ClusterSpec& cluster, const predictor::ParallelConfig& c,
                                   const std::string& version);
// Chrome trace event format (chrome://tracing, ui.perfetto.dev): one track per pipeline stage.
std::string render_chrome_trace(const predictor::Prediction& p, const std::string& model_name);

}  // namespace perfplan::report
