// TP / SP / CP / EP shard shapes and the errors for degrees that do not divide.
#include <doctest/doctest.h>

#include <string>

#include "model/catalog_fixture.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/model/step_operators.hpp"

using namespace perfplan::model;
using perfplan::test::arch;

namespace {

const Operator& find_op(const std::vector<Operator>& ops, const std::string& name) {
  for (const auto& op : ops) {
    if (op.name == name) return op;
  }
  FAIL("operator not found: " << name);
  return ops.front();
}

std::string sharding_error(const Architecture& a, const StepConfig& c) {
  try {
    build_step_operators(a, c);
  } catch (const perfplan::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Llama-3.1-70B on TP 8 with SP: GEMM shapes per GPU") {
  StepConfig c;
  c.seq_len = 8192;
  c.micro_batch_size = 1;
  c.tp = 8;
  c.sequence_parallel = true;
  const auto step = build_step_operators(arch("llama-3.1-70b"), c);
  const auto& ops = step.layer(0).ops;
  // 64 query heads and 8 KV heads of 128 over 8 ranks: 8 + 2 * 1 heads per rank.
  const auto& qkv = find_op(ops, "qkv_proj");
  CHECK(qkv.gemm->m == 8192);
  CHECK(qkv.gemm->n == (8 + 2) * 128);
  CHECK(qkv.gemm->k == 8192);
  CHECK(find_op(ops, "o_proj").gemm->k == 8 * 128);
  CHECK(find_op(ops, "gate_up_proj").gemm->n == 2 * 28672 / 8);
  CHECK(find_op(ops, "down_proj").gemm->k == 28672 / 8);
  // Vocabulary padded to a multiple of 128 * 8 = 1024: 128256 -> 129024, 16128 rows per rank.
  CHECK(find_op(step.head, "lm_head").gemm->n == 129024 / 8);
  // SP: the QKV input is all-gathered in forward; the output projection reduce-scatters.
  const auto& gather = qkv.communication.front();
  CHECK(gather.kind == CommKind::kAllGather);
  CHECK(gather.group_size == 8);
  CHECK(gather.bytes == doctest::Approx(8192.0 * 8192.0 * 2.0));
  CHECK(find_op(ops, "o_proj").communication.front().kind == CommKind::kReduceScatter);
  // Norms run on the sequence shard: 8192 / 8 tokens.
  CHECK(find_op(ops, "input_norm").activation_bytes == doctest::Approx(1024.0 * 8192.0 * 2.0));
}

TEST_CASE("TP without SP: all-reduce after the row-parallel GEMMs, of b*s*h elements") {
  StepConfig c;
  c.seq_len = 4096;
  c.micro_batch_size = 2;
  c.tp = 4;
  const auto step = build_step_operators(arch("llama-3.1-8b"), c);
  const auto& down = find_op(step.layer(3).ops, "down_proj");
  REQUIRE(down.communication.size() == 1);
  CHECK(down.communication[0].kind == CommKind::kAllReduce);
  CHECK(down.communication[0].pass == Pass::kForward);
  CHECK(down.communication[0].bytes == doctest::Approx(2.0 * 4096 * 4096 * 2));
  const auto& qkv = find_op(step.layer(3).ops, "qkv_proj");
  CHECK(qkv.communication[0].kind == CommKind::kAllReduce);
  CHECK(qkv.communication[0].pass == Pass::kBackward);
}

TEST_CASE("CP: each rank holds s/cp tokens and passes the other ranks' K,V around the ring") {
  StepConfig c;
  c.seq_len = 8192;
  c.cp = 2;
  const auto step = build_step_operators(arch("llama-3.1-8b"), c);
  const auto& attention = find_op(step.layer(0).ops, "attention");
  CHECK(find_op(step.layer(0).ops, "qkv_proj").gemm->m == 4096);
  REQUIRE(attention.communication.size() == 2);
  // K and V of 8 heads x 128 for 4096 tokens, bf16, sent to cp - 1 = 1 neighbour.
  CHECK(attention.communication[0].kind == CommKind::kRingExchange);
  CHECK(attention.communication[0].bytes == doctest::Approx(4096.0 * 2 * 8 * 128 * 2));
  CHECK(attention.communication[1].bytes == doctest::Approx(2.0 * 4096.0 * 2 * 8 * 128 * 2));
}

TEST_CASE("EP: Mixtral 8x7B on EP 4 holds 2 experts, a balanced split gives each tokens*k*ep/E") {
  StepConfig c;
  c.seq_len = 4096;
  c.ep = 4;
  const auto step = build_step_operators(arch("mixtral-8x7b"), c);
  const auto& ops = step.layer(0).ops;
  const auto& fc1 = find_op(ops, "experts_fc1");
  CHECK(fc1.gemm->count == 2);
  CHECK(fc1.gemm->m == 4096 * 2 * 4 / 8);
  CHECK(fc1.gemm->n == 2 * 14336);
  CHECK(fc1.parameters == 2 * 4096 * 2 * 14336);
  const auto& dispatch = find_op(ops, "token_dispatch");
  REQUIRE(dispatch.communication.size() == 2);
  CHECK(dispatch.communication[0].kind == CommKind::kAllToAll);
  CHECK(dispatch.communication[0].bytes == doctest::Approx(4096.0 * 2 * 4096 * 2));
  // Capacity factor pads every expert's tokens.
  c.capacity_factor = 1.25;
  CHECK(find_op(build_step_operators(arch("mixtral-8x7b"), c).layer(0).ops, "experts_fc1").gemm->m ==
        4096 * 2 * 4 / 8 * 5 / 4);
}

TEST_CASE("DeepSeek-V3: first three layers dense, MLA shapes, MTP kept apart") {
  StepConfig c;
  c.seq_len = 4096;
  c.tp = 4;
  c.sequence_parallel = true;
  c.ep = 8;
  const auto step = build_step_operators(arch("deepseek-v3"), c);
  CHECK_FALSE(step.layer(2).moe);
  CHECK(step.layer(3).moe);
  CHECK(step.mtp.size() == 1);
  const auto& ops = step.layer(3).ops;
  CHECK(find_op(ops, "q_up_proj").gemm->n == 128 / 4 * (128 + 64));
  CHECK(find_op(ops, "kv_up_proj").gemm->n == 128 / 4 * (128 + 128));
  CHECK(find_op(ops, "experts_fc1").gemm->count == 256 / 8);
  CHECK(find_op(ops, "shared_expert_gate_up_proj").gemm->n == 2 * 2048 / 4);
}

TEST_CASE("Degrees that do not divide are clear errors") {
  StepConfig c;
  c.seq_len = 4096;
  c.tp = 3;
  CHECK(sharding_error(arch("llama-3.1-8b"), c).find("tp=3 does not divide num_attention_heads (32)") != std::string::npos);
  c.tp = 16;  // divides 32 heads but not 8 KV heads
  CHECK(sharding_error(arch("llama-3.1-8b"), c).find("num_key_value_heads (8)") != std::string::npos);
  c.tp = 1;
  c.cp = 3;
  CHECK(sharding_error(arch("llama-3.1-8b"), c).find("cp=3: the sequence length (4096)") != std::string::npos);
  c.cp = 1;
  c.ep = 3;
  CHECK(sharding_error(arch("mixtral-8x7b"), c).find("ep=3 does not divide the number of experts (8)") != std::string::npos);
  CHECK(sharding_error(arch("llama-3.1-8b"), c).find("mixture-of-experts") != std::string::npos);
  c.ep = 1;
  c.tp = 2;  // MoE with TP needs SP (Megatron-Core)
  CHECK(sharding_error(arch("mixtral-8x7b"), c).find("--sp") != std::string::npos);
  c.sequence_parallel = true;
  CHECK(sharding_error(arch("mixtral-8x7b"), c).empty());
}
