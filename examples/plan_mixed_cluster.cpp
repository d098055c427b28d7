// Plans Llama-3.1-70B on a mixed cluster (8 DGX A100 + 8 DGX H100 nodes), or on a cluster file
// of your own given as the first argument (see my_cluster.json), and prints the three best.
//   build/examples/plan_mixed_cluster [examples/my_cluster.json GPUS]
#include <cstdio>
#include <string>

#include "perfplan/hardware/hardware.hpp"
#include "perfplan/model/catalog.hpp"
#include "perfplan/planner/plan.hpp"

int main(int argc, char** argv) {
  using namespace perfplan;
  const auto catalog = model::Catalog::load(model::default_catalog_directory());
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  planner::PlanRequest request;
  request.architecture = catalog.find("llama-3.1-70b").architecture;
  request.framework = hardware.framework();
  request.cluster = argc > 2 ? hardware.cluster(argv[1], std::stoll(argv[2]))
                             : hardware.heterogeneous_cluster("dgx-a100:64,dgx-h100:64");
  request.global_batch_size = 512;
  request.seq_len = 4096;
  request.top_k = 3;
  const planner::PlanResult result = planner::plan(request);
  if (result.top.empty()) {
    std::printf("%s\n", result.stats.nothing_fits.c_str());
    return 1;
  }
  for (const auto& c : result.top) {
    std::printf("%-52s %10.0f tokens/s  MFU %.1f%%  %s\n", predictor::to_string(c.config).c_str(),
                c.prediction.tokens_per_s, 100 * c.prediction.mfu, c.placement.c_str());
  }
  return 0;
}
