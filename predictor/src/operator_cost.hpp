#pragma once
// Per-operator cost: kernel times, exposed collectives and host launch stalls of an operator
// list on one GPU, for one micro-batch (private).
#include <vector>

#include "perfplan/model/architecture.hpp"
#include "perfplan/model/operator.hpp"
#include "perfplan/predictor/compute_model.hpp"
#include "perfplan/predictor/parallel_config.hpp"
#include "perfplan/predictor/predict.hpp"
#include "process_groups.hpp"

namespace perfplan::predictor::detail {

// Per micro-batch costs of an operator list on one GPU.
struct Cost {
  double forward_s = 0;
  double backward_s = 0;
  double weight_grad_s = 0;
  double recompute_s = 0;
  double tp_s = 0;
  double cp_s = 0;
  double ep_s = 0;
  double forward_comm_s = 0;   // exposed collectives in the forward pass
  double backward_comm_s = 0;  // exposed collectives in backward (and the recomputed forward)
  double forward_host_s = 0;   // GPU idle waiting for the host's kernel launches
  double backward_host_s = 0;

  void add(const Cost& o, double times) {
    forward_host_s += times * o.forward_host_s;
    backward_host_s += times * o.backward_host_s;
    forward_comm_s += times * o.forward_comm_s;
    backward_comm_s += times * o.backward_comm_s;
    forward_s += times * o.forward_s;
    backward_s += times * o.backward_s;
    weight_grad_s += times * o.weight_grad_s;
    recompute_s += times * o.recompute_s;
    tp_s += times * o.tp_s;
    cp_s += times * o.cp_s;
    ep_s += times * o.ep_s;
  }
  double total() const {
    return forward_s + backward_s + recompute_s + forward_comm_s + backward_comm_s + forward_host_s + backward_host_s;
  }
};

Cost ops_cost(const std::vector<model::Operator>& ops, const ParallelConfig& c, const hardware::ClusterSpec& cluster,
              const Groups& groups, const ComputeModel& compute, const model::Architecture& arch,
              const hardware::FrameworkSpec& framework);

}  // namespace perfplan::predictor::detail
