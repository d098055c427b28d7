// How long it takes to list the operators of one training step (the planner does this for
// every candidate configuration).
#include <benchmark/benchmark.h>

#include "perfplan/model/catalog.hpp"
#include "perfplan/model/parameter_count.hpp"
#include "perfplan/model/step_operators.hpp"

namespace {

using namespace perfplan::model;

const Architecture& architecture(const char* name) {
  static const Catalog catalog = Catalog::load(default_catalog_directory());
  return catalog.find(name).architecture;
}

// Llama-3.1-405B's layout as Meta trained it: TP 8 with SP, CP 2, seq 8192.
StepConfig llama405b_layout() {
  StepConfig config;
  config.seq_len = 8192;
  config.tp = 8;
  config.sequence_parallel = true;
  config.cp = 2;
  return config;
}

// Llama-3.1-405B as Meta trained it: TP 8 with SP, CP 2, seq 8192 (126 layers, 11 operators each).
void BM_StepOperators_Llama31_405B(benchmark::State& state) {
  const Architecture& arch = architecture("llama-3.1-405b");
  StepConfig config = llama405b_layout();
  config.recompute = Recompute::kSelective;
  for (auto _ : state) {
    StepOperators step = build_step_operators(arch, config);
    benchmark::DoNotOptimize(step.layer_kinds.data());
  }
  state.counters["operators"] = static_cast<double>(step_totals(build_step_operators(arch, config)).operator_count);
}
BENCHMARK(BM_StepOperators_Llama31_405B)->Unit(benchmark::kMicrosecond);

// Operators plus their sums (what a prediction needs first).
void BM_StepTotals_Llama31_405B(benchmark::State& state) {
  const Architecture& arch = architecture("llama-3.1-405b");
  const StepConfig config = llama405b_layout();
  for (auto _ : state) {
    OperatorTotals totals = step_totals(build_step_operators(arch, config));
    benchmark::DoNotOptimize(totals);
  }
}
BENCHMARK(BM_StepTotals_Llama31_405B)->Unit(benchmark::kMicrosecond);

// DeepSeek-V3: 61 layers of MLA + 256-expert MoE, EP 64.
void BM_StepOperators_DeepSeekV3(benchmark::State& state) {
  const Architecture& arch = architecture("deepseek-v3");
  StepConfig config;
  config.seq_len = 4096;
  config.ep = 64;
  for (auto _ : state) {
    StepOperators step = build_step_operators(arch, config);
    benchmark::DoNotOptimize(step.layer_kinds.data());
  }
}
BENCHMARK(BM_StepOperators_DeepSeekV3)->Unit(benchmark::kMicrosecond);

}  // namespace
