#pragma once
// perfplan's public C++ API in one include: `perfplan::api::Library` (predict, plan,
// throughput_matrix) with its options and results, and the types they carry (architectures,
// hardware specs, layouts, predictions, plans, errors).
#include "perfplan/api/library.hpp"
#include "perfplan/api/options.hpp"
#include "perfplan/api/throughput_matrix.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/common/version.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/model/architecture.hpp"
#include "perfplan/planner/plan.hpp"
#include "perfplan/predictor/infeasible.hpp"
#include "perfplan/predictor/parallel_config.hpp"
#include "perfplan/predictor/predict.hpp"
