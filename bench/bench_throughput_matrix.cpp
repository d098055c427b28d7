// A scheduler's throughput matrix (api::Library::throughput_matrix): 20 jobs x 5 GPU types x 6
// counts = 600 cells, each the best layout of a plan. Goal: under 1 s on the build machine.
#include <benchmark/benchmark.h>

#include "perfplan/perfplan.hpp"

namespace {

std::vector<perfplan::api::Job> twenty_jobs() {
  const char* models[] = {"llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "qwen3-30b-a3b", "mistral-7b",
                          "qwen2.5-7b",   "llama-2-13b",   "gpt-oss-120b", "qwen2.5-72b",   "nemotron-4-15b"};
  std::vector<perfplan::api::Job> jobs;
  for (int i = 0; i < 20; ++i) {
    perfplan::api::Job j;
    j.model = models[i % 10];
    j.name = j.model + (i < 10 ? "-short" : "-long");
    j.gbs = i < 10 ? 512 : 1024;
    j.seq = i < 10 ? 4096 : 8192;
    jobs.push_back(j);
  }
  return jobs;
}

void BM_ThroughputMatrix_20Jobs_5Types_6Counts(benchmark::State& state) {
  const perfplan::api::Library lib;
  const auto jobs = twenty_jobs();
  const std::vector<std::string> types = {"dgx-h100", "dgx-a100", "dgx-b200", "dgx-h200", "dgx-v100"};
  const std::vector<int64_t> counts = {8, 16, 32, 64, 128, 256};
  int64_t feasible = 0;
  for (auto _ : state) {
    const auto m = lib.throughput_matrix(jobs, types, counts, "megatron-core");
    feasible = 0;
    for (const auto& c : m.cells) feasible += c.feasible ? 1 : 0;
    benchmark::DoNotOptimize(m.cells.data());
  }
  state.counters["cells"] = 600;
  state.counters["feasible"] = static_cast<double>(feasible);
}
BENCHMARK(BM_ThroughputMatrix_20Jobs_5Types_6Counts)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
