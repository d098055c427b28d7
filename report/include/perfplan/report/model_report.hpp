#pragma once
// What `perfplan model` computes, and its two renderers (text and JSON).
#include <string>

#include "perfplan/model/architecture.hpp"
#include "perfplan/model/parameter_count.hpp"
#include "perfplan/model/step_operators.hpp"

namespace perfplan::report {

struct ModelReport {
  model::Architecture architecture;
  model::StepConfig config;
  model::ParameterCount parameters;
  model::StepOperators step;
  model::OperatorTotals totals;  // embedding + layers + head, this GPU, one micro-batch
  model::OperatorTotals unsharded;  // the same micro-batch on one GPU (for per-token figures)
  double tokens = 0;             // tokens of the micro-batch on this GPU (b * s / cp)

  double flops_per_token() const;      // forward + backward, dense convention, whole model
  double six_n_flops_per_token() const;  // 6 * active non-embedding parameters
};

ModelReport make_model_report(const model::Architecture& arch, const model::StepConfig& config);

std::string render_model_text(const ModelReport& report);
std::string render_model_json(const ModelReport& report, const std::string& version);

}  // namespace perfplan::report
