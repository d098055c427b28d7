#include "hardware_json.hpp"
#include "json_fields.hpp"

namespace perfplan::hardware::detail {

using nlohmann::json;

FrameworkSpec framework_from_json(const json& doc, SpecProblems& problems) {
  FrameworkSpec f;
  if (!is_document(doc, "a framework spec", problems)) return f;
  check_keys(doc, "",
             {"name", "family", "family_default", "fit_as", "version", "source", "notes", "defaults", "recompute_policies", "host",
              "elementwise", "communication", "data_parallel", "optimizer", "memory", "kernels_per_op"},
             problems);
  f.name = read_text(doc, "", "name", problems);
  f.family = read_text(doc, "", "family", problems);
  if (!f.family.empty() && f.family != "megatron" && f.family != "deepspeed" && f.family != "pytorch" &&
      f.family != "jax") {
    problems.add("family", "unknown family '" + f.family + "'; accepted: megatron, deepspeed, pytorch, jax");
  }
  f.version = read_text(doc, "", "version", problems);
  f.source = read_text(doc, "", "source", problems);
  std::string sources;
  const auto section = [&](const char* key, const std::vector<std::string>& fields, const auto& read) {
    const json* object = read_object(doc, key, problems);
    if (object == nullptr) return;
    std::vector<std::string> accepted = fields;
    accepted.push_back("source");
    check_keys(*object, key, accepted, problems);
    read(*object, std::string(key));
    const std::string source = read_sources(*object, key, "source", problems);
    if (!source.empty()) sources += (sources.empty() ? "" : "; ") + std::string(key) + ": " + source;
  };
  f.fit_group = doc.contains("fit_as") ? read_text(doc, "", "fit_as", problems) : f.name;
  if (f.fit_group != f.name && doc.contains("host") && doc["host"].contains("bounds")) {
    problems.add("host.bounds", "a framework that fits as " + f.fit_group + " takes its bounds from it; remove them");
  }
  if (doc.contains("family_default")) {
    if (!doc["family_default"].is_boolean()) problems.add("family_default", "must be true or false");
    else f.family_default = doc["family_default"].get<bool>();
  }
  section("defaults",
          {"sequence_parallel_with_tp", "distributed_optimizer", "tp_comm_overlap", "moe_a2a_overlap",
           "micro_batch_size", "attention"},
          [&](const json& o, const std::string& p) {
            const auto flag = [&](const char* key, bool& out) {
              const auto it = o.find(key);
              if (it == o.end() || !it->is_boolean()) problems.add(join_path(p, key), "missing or not true/false");
              else out = it->get<bool>();
            };
            flag("sequence_parallel_with_tp", f.defaults.sequence_parallel_with_tp);
            flag("distributed_optimizer", f.defaults.distributed_optimizer);
            flag("tp_comm_overlap", f.defaults.tp_comm_overlap);
            flag("moe_a2a_overlap", f.defaults.moe_a2a_overlap);
            f.defaults.micro_batch_size = read_integer(o, p, "micro_batch_size", "sequences", problems).value_or(0);
            f.defaults.attention = read_text(o, p, "attention", problems);
            if (f.defaults.attention != "flash" && f.defaults.attention != "flash2" && f.defaults.attention != "flash3" &&
                f.defaults.attention != "unfused") {
              problems.add("defaults.attention",
                           "accepted: flash, flash2, flash3, unfused (got '" + f.defaults.attention + "')");
            }
          });
  if (const auto it = doc.find("recompute_policies"); it != doc.end()) {
    if (!it->is_object()) {
      problems.add("recompute_policies", "must be an object: policy name -> [saved operator names]");
    } else {
      for (const auto& item : it->items()) {
        if (item.key() == "source") continue;
        const json& v = item.value();
        bool ok = v.is_array();
        for (const auto& op : v) ok = ok && op.is_string();
        if (!ok) {
          problems.add(join_path("recompute_policies", item.key()), "must be a list of operator names");
          continue;
        }
        f.recompute_policies[item.key()] = v.get<std::vector<std::string>>();
      }
      const std::string source = read_sources(*it, "recompute_policies", "source", problems);
      if (!source.empty()) sources += (sources.empty() ? "" : "; ") + std::string("recompute_policies: ") + source;
    }
  }
  if (doc.contains("elementwise")) {
    section("elementwise", {"eager_factor", "fp8_casts_fused"}, [&](const json& o, const std::string& p) {
      f.eager_elementwise_factor = read_number(o, p, "eager_factor", "passes over the tensor, >= 1", problems).value_or(0);
      if (const auto it = o.find("fp8_casts_fused"); it != o.end()) {
        if (!it->is_boolean()) problems.add(join_path(p, "fp8_casts_fused"), "must be true or false");
        else f.fp8_casts_fused = it->get<bool>();
      }
    });
  }
  section("host", {"launch_us", "sync_us", "bounds"}, [&](const json& o, const std::string& p) {
    const auto bounds = read_bounds(o, p, "bounds", problems);
    for (const auto& [field, range] : bounds) {
      if (field == "launch_us") f.host_launch_us_bounds = range;
      else problems.add("host.bounds." + field, "not a free constant; accepted: launch_us");
    }
    f.host_launch_bounds_source = source_entry(o, "bounds");
    if (f.host_launch_us_bounds && f.host_launch_bounds_source.empty()) {
      problems.add("host.source.bounds", "missing (name the measurements the bounds come from)");
    }
    f.host_launch_s = read_number(o, p, "launch_us", "microseconds per kernel", problems).value_or(-1) * kMicrosecond;
    f.host_sync_s = read_number(o, p, "sync_us", "microseconds per device-to-host sync", problems).value_or(-1) *
                    kMicrosecond;
  });
  section("communication", {"collective_sm_count"}, [&](const json& o, const std::string& p) {
    f.collective_sm_count = read_integer(o, p, "collective_sm_count", "SMs", problems).value_or(0);
  });
  section("data_parallel", {"bucket_min_params", "bucket_params_per_rank"}, [&](const json& o, const std::string& p) {
    f.dp_bucket_min_params = read_number(o, p, "bucket_min_params", "parameters", problems).value_or(0);
    f.dp_bucket_params_per_rank = read_number(o, p, "bucket_params_per_rank", "parameters", problems).value_or(-1);
  });
  section("optimizer", {"name", "state_bytes_per_parameter", "step_bytes_per_parameter"},
          [&](const json& o, const std::string& p) {
            f.optimizer = read_text(o, p, "name", problems);
            f.optimizer_state_bytes_per_parameter =
                read_number(o, p, "state_bytes_per_parameter", "bytes", problems).value_or(-1);
            f.optimizer_step_bytes_per_parameter =
                read_number(o, p, "step_bytes_per_parameter", "bytes", problems).value_or(-1);
          });
  section("memory", {"runtime_reserve_gib"}, [&](const json& o, const std::string& p) {
    f.runtime_reserve_bytes = read_number(o, p, "runtime_reserve_gib", "GiB", problems).value_or(-1) * kGibibyte;
  });
  if (const json* kernels = read_object(doc, "kernels_per_op", problems)) {
    for (const auto& item : kernels->items()) {
      if (item.key() == "source") continue;
      const std::string path = join_path("kernels_per_op", item.key());
      const json& v = item.value();
      if (!v.is_array() || v.size() != 2 || !v[0].is_number_integer() || !v[1].is_number_integer()) {
        problems.add(path, "must be [forward kernels, backward kernels], two whole numbers, got " + describe(v));
        continue;
      }
      f.kernels_per_op[item.key()] = {v[0].get<int>(), v[1].get<int>()};
    }
    const std::string source = read_sources(*kernels, "kernels_per_op", "source", problems);
    if (!source.empty()) sources += (sources.empty() ? "" : "; ") + std::string("kernels_per_op: ") + source;
  }
  f.calibration_source = sources;
  problems.add_spec_problems(f.problems());
  return f;
}

}  // namespace perfplan::hardware::detail
