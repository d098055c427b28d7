// What `perfplan model` computes: parameters, operators and totals of one micro-batch.
#include "perfplan/report/model_report.hpp"

#include "perfplan/model/parameter_count.hpp"

namespace perfplan::report {

ModelReport make_model_report(const model::Architecture& arch, const model::StepConfig& config) {
  ModelReport report;
  report.architecture = arch;
  report.config = config;
  report.parameters = model::count_parameters(arch);
  report.step = model::build_step_operators(arch, config);
  report.totals = model::step_totals(report.step);
  report.tokens = static_cast<double>(config.micro_batch_size * config.seq_len / config.cp);
  model::StepConfig whole = config;
  whole.tp = whole.cp = whole.ep = whole.etp = 1;
  whole.sequence_parallel = false;
  report.unsharded = model::step_totals(model::build_step_operators(arch, whole));
  return report;
}

}  // namespace perfplan::report
