// Predicts one layout of Llama-3.1-8B on one DGX H100 node and prints the time breakdown.
//   build/examples/predict_one_layout
#include <cstdio>

#include "perfplan/common/units.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/model/catalog.hpp"
#include "perfplan/predictor/predict.hpp"

int main() {
  using namespace perfplan;
  const auto catalog = model::Catalog::load(model::default_catalog_directory());
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  const auto& arch = catalog.find("llama-3.1-8b").architecture;
  const auto cluster = hardware.cluster("dgx-h100", 8);

  predictor::ParallelConfig layout;
  layout.tp = 2;
  layout.sequence_parallel = true;
  layout.dp = 4;
  layout.micro_batch_size = 2;
  layout.global_batch_size = 64;
  layout.seq_len = 8192;
  layout.distributed_optimizer = true;
  layout.zero_stage = 1;

  const auto outcome = predictor::predict(arch, cluster, hardware.framework(), layout);
  if (!outcome.feasible()) {
    std::printf("infeasible (%s): %s\n", predictor::to_string(outcome.infeasible().kind).c_str(),
                outcome.infeasible().detail.c_str());
    return 1;
  }
  const auto& p = outcome.value();
  std::printf("%s on %s: %s\n", arch.name.c_str(), cluster.name.c_str(), predictor::to_string(layout).c_str());
  std::printf("iteration %.3f s, %.0f tokens/s, MFU %.1f%%, %.1f GiB per GPU (%s)\n", p.iteration_time_s,
              p.tokens_per_s, 100 * p.mfu, p.memory.peak.total_bytes() / units::kGiB,
              p.memory.fits ? "fits" : p.memory.reason.c_str());
  std::printf("compute %.3f s, TP comm %.3f s, DP sync %.3f s, optimizer %.4f s\n", p.time.compute_s,
              p.time.tp_comm_s, p.time.dp_comm_s, p.time.optimizer_s);
  return 0;
}
