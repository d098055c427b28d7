// A Hugging Face config.json: parsed, read into an architecture, and its step built; what is
// accepted has positive sizes and finite parameter and FLOP counts.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"
#include "perfplan/model/hf_config.hpp"
#include "perfplan/model/step_operators.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto doc = nlohmann::json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded()) return 0;
  try {
    const auto arch = perfplan::model::architecture_from_hf_config(doc, "fuzz");
    if (arch.num_layers <= 0 || arch.hidden_size <= 0 || arch.vocab_size <= 0) std::abort();
    perfplan::model::StepConfig c;
    c.seq_len = 512;
    const auto totals = perfplan::model::step_totals(perfplan::model::build_step_operators(arch, c));
    if (!std::isfinite(totals.parameters) || totals.parameters <= 0 || !std::isfinite(totals.forward_flops)) std::abort();
  } catch (const perfplan::InputError&) {
  }
  return 0;
}
