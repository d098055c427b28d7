#include "perfplan/report/layout_json.hpp"

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/json_file.hpp"

namespace perfplan::report {

nlohmann::ordered_json layout_to_json(const predictor::ParallelConfig& c) {
  return {{"text", predictor::to_string(c)},
          {"tp", c.tp},
          {"sp", c.sequence_parallel},
          {"pp", c.pp},
          {"vp", c.vp},
          {"dp", c.dp},
          {"cp", c.cp},
          {"ep", c.ep},
          {"etp", c.etp},
          {"mbs", c.micro_batch_size},
          {"gbs", c.global_batch_size},
          {"seq", c.seq_len},
          {"dtype", model::to_string(c.dtype)},
          {"recompute", model::to_string(c.recompute)},
          {"attention", model::to_string(c.attention)},
          {"capacity_factor", c.capacity_factor},
          {"zero_stage", c.zero_stage},
          {"distributed_optimizer", c.distributed_optimizer},
          {"shard_size", c.shard_size},
          {"schedule", predictor::to_string(c.schedule)},
          {"optimizer_post_validation", c.optimizer_post_validation},
          {"overlap_tp_comm", c.overlap_tp_comm},
          {"overlap_grad_reduce", c.overlap_grad_reduce},
          {"overlap_param_gather", c.overlap_param_gather},
          {"overlap_moe_comm", c.overlap_moe_comm},
          {"moe_dispatcher", predictor::to_string(c.moe_dispatcher)},
          {"rank_order", predictor::to_string(c.rank_order)},
          {"stage_layers", c.stage_layers},
          {"stage_part", c.stage_part}};
}

namespace {

struct Reader {
  const nlohmann::json& doc;
  const std::string& origin;

  [[noreturn]] void fail(const char* key, const char* accepted) const {
    throw InputError(origin + ": layout." + key + " = " + common::json_excerpt(doc.at(key)) + "; accepted: " + accepted);
  }
  void integer(const char* key, int64_t& out) const {
    if (!doc.contains(key)) return;
    const auto v = common::json_integer(doc[key], INT64_MIN, INT64_MAX);
    if (!v) fail(key, "an integer");
    out = *v;
  }
  void boolean(const char* key, bool& out) const {
    if (!doc.contains(key)) return;
    if (!doc[key].is_boolean()) fail(key, "true or false");
    out = doc[key].get<bool>();
  }
  // A string key parsed by `parse`; its InputError names the key.
  template <typename T, typename Parse>
  void text(const char* key, T& out, Parse parse) const {
    if (!doc.contains(key)) return;
    if (!doc[key].is_string()) fail(key, "a string");
    try {
      out = parse(doc[key].get<std::string>());
    } catch (const InputError& e) {
      throw InputError(origin + ": layout." + key + ": " + e.what());
    }
  }
  void integers(const char* key, std::vector<int64_t>& out) const {
    if (!doc.contains(key)) return;
    if (!doc[key].is_array()) fail(key, "an array of integers");
    out.clear();
    for (const auto& v : doc[key]) {
      const auto n = common::json_integer(v, INT64_MIN, INT64_MAX);
      if (!n) fail(key, "an array of integers");
      out.push_back(*n);
    }
  }
};

}  // namespace

predictor::ParallelConfig layout_from_json(const nlohmann::json& doc, const std::string& origin) {
  if (!doc.is_object()) throw InputError(origin + ": a layout must be a JSON object");
  predictor::ParallelConfig c;
  const Reader r{doc, origin};
  r.integer("tp", c.tp);
  r.boolean("sp", c.sequence_parallel);
  r.integer("pp", c.pp);
  r.integer("vp", c.vp);
  r.integer("dp", c.dp);
  r.integer("cp", c.cp);
  r.integer("ep", c.ep);
  r.integer("etp", c.etp);
  r.integer("mbs", c.micro_batch_size);
  r.integer("gbs", c.global_batch_size);
  r.integer("seq", c.seq_len);
  r.text("dtype", c.dtype, [](const std::string& t) { return model::parse_dtype(t); });
  r.text("recompute", c.recompute, [](const std::string& t) { return model::parse_recompute(t); });
  r.text("attention", c.attention, [](const std::string& t) { return model::parse_attention_kernel(t); });
  if (doc.contains("capacity_factor")) {
    if (!doc["capacity_factor"].is_number()) r.fail("capacity_factor", "a number >= 1");
    c.capacity_factor = doc["capacity_factor"].get<double>();
  }
  int64_t zero = c.zero_stage;
  r.integer("zero_stage", zero);
  if (zero < 0 || zero > 3) r.fail("zero_stage", "0, 1, 2 or 3");
  c.zero_stage = static_cast<int>(zero);
  r.boolean("distributed_optimizer", c.distributed_optimizer);
  r.integer("shard_size", c.shard_size);
  if (c.shard_size < 0) r.fail("shard_size", "0 (sharded over every DP rank) or a positive divisor of dp x cp");
  r.text("schedule", c.schedule, [](const std::string& t) { return predictor::parse_pipeline_schedule(t); });
  r.boolean("optimizer_post_validation", c.optimizer_post_validation);
  r.boolean("overlap_tp_comm", c.overlap_tp_comm);
  r.boolean("overlap_grad_reduce", c.overlap_grad_reduce);
  r.boolean("overlap_param_gather", c.overlap_param_gather);
  r.boolean("overlap_moe_comm", c.overlap_moe_comm);
  r.text("moe_dispatcher", c.moe_dispatcher, [](const std::string& t) { return predictor::parse_moe_dispatcher(t); });
  r.text("rank_order", c.rank_order, [](const std::string& t) { return predictor::parse_rank_order(t); });
  r.integers("stage_layers", c.stage_layers);
  r.integers("stage_part", c.stage_part);
  return c;
}

}  // namespace perfplan::report
