#include "perfplan/model/parameter_count.hpp"

#include "perfplan/model/step_operators.hpp"

namespace perfplan::model {

ParameterCount count_parameters(const Architecture& arch) {
  StepConfig unsharded;
  unsharded.micro_batch_size = 1;
  unsharded.seq_len = 1;
  unsharded.vocab_multiple = 1;  // the published, unpadded vocabulary
  const StepOperators step = build_step_operators(arch, unsharded);
  const OperatorTotals all = step_totals(step);
  ParameterCount count;
  count.total = all.parameters;
  count.active = all.active_parameters;
  count.input_embedding = totals(step.embedding).parameters;
  count.mtp = mtp_totals(step).parameters;
  return count;
}

}  // namespace perfplan::model
