#include "perfplan/common/names.hpp"
#include "perfplan/model/step_config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "perfplan/common/input_error.hpp"

namespace perfplan::model {
namespace {

// Divisors of n up to a small limit, to say what would be accepted.
std::string divisors_hint(int64_t n) {
  std::string out;
  for (int64_t d = 1; d <= n && d <= 256; ++d) {
    if (n % d == 0) out += (out.empty() ? "" : ", ") + std::to_string(d);
  }
  return out;
}

void require_divides(std::vector<std::string>& out, const char* degree_name, int64_t degree,
                     const std::string& what, int64_t quantity) {
  if (degree <= 0 || quantity % degree == 0) return;
  out.push_back(std::string(degree_name) + "=" + std::to_string(degree) + " does not divide " + what +
                " (" + std::to_string(quantity) + "); accepted: " + divisors_hint(quantity));
}

}  // namespace

Recompute parse_recompute(std::string_view text) {
  const std::string t = to_lower(text);
  if (t == "none") return Recompute::kNone;
  if (t == "selective") return Recompute::kSelective;
  if (t == "full") return Recompute::kFull;
  throw InputError("unknown recompute mode '" + std::string(text) + "': accepted are none, selective, full");
}

std::string to_string(Recompute recompute) {
  switch (recompute) {
    case Recompute::kNone: return "none";
    case Recompute::kSelective: return "selective";
    case Recompute::kFull: return "full";
  }
  return "?";
}

AttentionKernel parse_attention_kernel(std::string_view text) {
  const std::string t = to_lower(text);
  if (t == "flash") return AttentionKernel::kFlash;
  if (t == "unfused") return AttentionKernel::kUnfused;
  if (t == "flash2") return AttentionKernel::kFlash2;
  if (t == "flash3") return AttentionKernel::kFlash3;
  throw InputError("unknown attention kernel '" + std::string(text) + "': accepted are flash, flash2, flash3, unfused");
}

std::string to_string(AttentionKernel kernel) {
  switch (kernel) {
    case AttentionKernel::kFlash: return "flash";
    case AttentionKernel::kFlash2: return "flash2";
    case AttentionKernel::kFlash3: return "flash3";
    case AttentionKernel::kUnfused: return "unfused";
  }
  return "?";
}

std::vector<std::string> sharding_problems(const Architecture& arch, const StepConfig& c) {
  std::vector<std::string> out;
  auto positive = [&](const char* name, int64_t value) {
    if (value <= 0) out.push_back(std::string(name) + " must be a positive integer, got " + std::to_string(value));
  };
  positive("micro-batch size", c.micro_batch_size);
  positive("sequence length", c.seq_len);
  positive("tp", c.tp);
  positive("cp", c.cp);
  positive("ep", c.ep);
  positive("etp", c.etp);
  positive("vocab multiple", c.vocab_multiple);
  if (!(c.capacity_factor >= 1.0) || !std::isfinite(c.capacity_factor)) {
    out.push_back("capacity factor must be a finite number >= 1 (1 = balanced, dropless), got " +
                  std::to_string(c.capacity_factor));
  }
  if (!out.empty()) return out;
  // Bounds that keep every product of sizes exact in doubles and free of int64 overflow.
  constexpr int64_t kMaxTokens = int64_t{1} << 34;
  if (c.micro_batch_size > kMaxTokens / c.seq_len) {
    out.push_back("micro-batch size x sequence length (mbs " + std::to_string(c.micro_batch_size) + " x seq " +
                  std::to_string(c.seq_len) + ") must be at most 2^34 tokens");
    return out;
  }
  if (arch.moe) {
    const double most = static_cast<double>(arch.moe->num_experts) / static_cast<double>(arch.moe->experts_per_token);
    if (c.capacity_factor > most) {
      out.push_back("capacity factor " + std::to_string(c.capacity_factor) + " exceeds experts / top-k = " +
                    std::to_string(most) + " (an expert cannot receive more than every token)");
    }
  }

  require_divides(out, "tp", c.tp, "num_attention_heads", arch.num_attention_heads);
  if (!arch.mla) require_divides(out, "tp", c.tp, "num_key_value_heads", arch.num_kv_heads);
  bool any_dense = false;
  for (int64_t l = 0; l < arch.num_layers; ++l) any_dense = any_dense || !arch.is_moe_layer(l);
  if (any_dense) require_divides(out, "tp", c.tp, "intermediate_size", arch.intermediate_size);
  if (c.cp > 1) {
    // Load-balanced causal context parallelism cuts the sequence into 2*cp chunks.
    if (c.seq_len % (2 * c.cp) != 0) {
      out.push_back("cp=" + std::to_string(c.cp) + ": the sequence length (" + std::to_string(c.seq_len) +
                    ") must divide into 2*cp = " + std::to_string(2 * c.cp) +
                    " equal chunks (load-balanced causal context parallelism)");
    }
  }
  if (c.sequence_parallel) {
    if (c.tp == 1) out.push_back("sequence parallelism (--sp) needs tp > 1");
    else if (c.seq_len % c.cp == 0) {
      require_divides(out, "tp", c.tp, "micro-batch x sequence per CP rank (sequence parallelism)",
                      c.micro_batch_size * c.seq_len / c.cp);
    }
  }
  if (arch.moe) {
    require_divides(out, "ep", c.ep, "the number of experts", arch.moe->num_experts);
    require_divides(out, "etp", c.etp, "moe_intermediate_size", arch.moe->expert_intermediate_size);
    if (arch.moe->shared_expert_intermediate_size > 0) {
      require_divides(out, "tp", c.tp, "the shared-expert width", arch.moe->shared_expert_intermediate_size);
    }
    if (c.tp > 1 && !c.sequence_parallel) {
      out.push_back("MoE with tp > 1 needs sequence parallelism (--sp), as Megatron-Core requires");
    }
  } else {
    if (c.ep != 1) out.push_back("ep=" + std::to_string(c.ep) + " needs a mixture-of-experts model; accepted: 1");
    if (c.etp != 1) out.push_back("etp=" + std::to_string(c.etp) + " needs a mixture-of-experts model; accepted: 1");
  }
  if (c.attention == AttentionKernel::kUnfused && c.cp > 1) {
    out.push_back("context parallelism needs the fused (flash) attention kernel");
  }
  return out;
}

void validate_sharding(const Architecture& arch, const StepConfig& config) {
  const auto problems = sharding_problems(arch, config);
  if (problems.empty()) return;
  std::string message = "cannot shard " + (arch.name.empty() ? std::string("the model") : arch.name) + ": ";
  for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
  throw InputError(message);
}

int64_t padded_vocab_size(const Architecture& arch, const StepConfig& config) {
  const int64_t multiple = config.vocab_multiple * config.tp;
  return (arch.vocab_size + multiple - 1) / multiple * multiple;
}

}  // namespace perfplan::model
