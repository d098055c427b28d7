// One prediction end to end: operators, kernel and collective times, pipeline, memory.
#include <benchmark/benchmark.h>

#include "perfplan/model/catalog.hpp"
#include "perfplan/predictor/predict.hpp"


namespace {

using namespace perfplan;

// Llama-3.1-70B on 1,024 H100 (128 DGX nodes): TP 8 + SP, PP 4 interleaved (vp 5), DP 32,
// seq 8192, global batch 512, bf16, selective recompute, distributed optimizer.
void BM_Predict_Llama31_70B_1024_H100(benchmark::State& state) {
  const auto catalog = model::Catalog::load(model::default_catalog_directory());
  const model::Architecture& arch = catalog.find("llama-3.1-70b").architecture;
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  const hardware::ClusterSpec cluster = hardware.cluster("dgx-h100", 1024);
  const hardware::FrameworkSpec& framework = hardware.framework();
  predictor::ParallelConfig c;
  c.tp = 8;
  c.sequence_parallel = true;
  c.pp = 4;
  c.vp = 5;
  c.schedule = predictor::PipelineSchedule::kInterleaved;
  c.dp = 32;
  c.seq_len = 8192;
  c.global_batch_size = 512;
  c.recompute = model::Recompute::kSelective;
  c.distributed_optimizer = true;
  for (auto _ : state) {
    predictor::Prediction p = predictor::predict(arch, cluster, framework, c).value();
    benchmark::DoNotOptimize(p.iteration_time_s);
  }
}
BENCHMARK(BM_Predict_Llama31_70B_1024_H100)->Unit(benchmark::kMicrosecond);

}  // namespace
