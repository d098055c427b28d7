#pragma once
// The one JSON form of a parallel layout (predictor::ParallelConfig), used by `predict --json`,
// `plan --json`, `validate --json` and the HTML report. Keys:
//   tp sp pp vp dp cp ep etp mbs gbs seq dtype recompute attention capacity_factor zero_stage
//   distributed_optimizer schedule overlap_tp_comm overlap_grad_reduce overlap_param_gather
//   overlap_moe_comm moe_dispatcher rank_order stage_layers stage_part
// and "text", the layout's one text form (predictor::to_string), for people reading the JSON.
#include <string>

#include <nlohmann/json.hpp>

#include "perfplan/predictor/parallel_config.hpp"

namespace perfplan::report {

nlohmann::ordered_json layout_to_json(const predictor::ParallelConfig& config);

// The inverse: every key optional (the ParallelConfig default where absent), "text" ignored;
// InputError naming `origin`, the key and what is accepted on a wrong type or value.
predictor::ParallelConfig layout_from_json(const nlohmann::json& doc, const std::string& origin);

}  // namespace perfplan::report
