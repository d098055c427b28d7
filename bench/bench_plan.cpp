// The full planner search: Llama-3.1-405B on 16,384 H100 (2,048 DGX nodes), every dimension.
#include <benchmark/benchmark.h>

#include "perfplan/model/catalog.hpp"
#include "perfplan/planner/plan.hpp"


namespace {

using namespace perfplan;

void BM_Plan_Llama31_405B_16384_H100(benchmark::State& state) {
  const auto catalog = model::Catalog::load(model::default_catalog_directory());
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  planner::PlanRequest request;
  request.architecture = catalog.find("llama-3.1-405b").architecture;
  request.framework = hardware.framework();
  request.cluster = hardware.cluster("dgx-h100", 16384);
  request.global_batch_size = 2048;  // 16M tokens, as Meta trained 405B
  request.seq_len = 8192;
  request.dtype = model::DType::kBf16;
  planner::PlanResult result;
  for (auto _ : state) {
    result = planner::plan(request);
    benchmark::DoNotOptimize(result.top.data());
  }
  int64_t pruned = 0;
  for (const auto& [reason, count] : result.stats.pruned) pruned += count;
  state.counters["enumerated"] = static_cast<double>(result.stats.enumerated);
  state.counters["evaluated"] = static_cast<double>(result.stats.evaluated);
  state.counters["feasible"] = static_cast<double>(result.stats.feasible);
  state.counters["pruned"] = static_cast<double>(pruned);
}
BENCHMARK(BM_Plan_Llama31_405B_16384_H100)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
