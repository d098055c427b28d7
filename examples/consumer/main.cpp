// Uses an installed perfplan: where its data came from, the best layout of Llama-3.1-8B on 64
// H100, and one row of a throughput matrix.
#include <iostream>

#include <perfplan/perfplan.hpp>

int main() {
  try {
    const perfplan::api::Library lib;
    std::cout << "data " << lib.data_directory().string() << "\n";
    perfplan::api::PlanOptions o;
    o.model = "llama-3.1-8b";
    o.cluster = "dgx-h100";
    o.gpus = 64;
    o.gbs = 256;
    o.top = 1;
    const auto plan = lib.plan(o);
    std::cout << "best " << perfplan::predictor::to_string(plan.top.front().config) << " "
              << static_cast<long long>(plan.top.front().prediction.tokens_per_s) << " tokens/s\n";
    const auto m = lib.throughput_matrix({{"8b", "llama-3.1-8b", 256, 4096, "bf16"}}, {"dgx-h100", "dgx-a100"}, {8, 64},
                                         "megatron-core");
    for (const auto& c : m.cells) {
      std::cout << "cell " << c.job << " " << c.gpu_type << " " << c.gpus << " "
                << (c.feasible ? c.layout_text : "empty: " + c.empty_reason) << "\n";
    }
  } catch (const perfplan::InputError& e) {
    std::cerr << "consumer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
