#include "perfplan/common/json_file.hpp"
#include "hardware_json.hpp"
#include "json_fields.hpp"

namespace perfplan::hardware::detail {

using nlohmann::json;

namespace {

const std::vector<std::string> kDefaultKeys = {"sequence_parallel_with_tp", "distributed_optimizer", "tp_comm_overlap",
                                               "moe_a2a_overlap", "micro_batch_size", "attention"};
const std::vector<std::string> kElementwiseKeys = {"eager_factor", "fp8_casts_fused"};

// defaults.*: every key, or (partial: a release's changes) only those present.
void read_defaults(const json& o, const std::string& p, FrameworkDefaults& d, bool partial, SpecProblems& problems) {
  const auto present = [&](const char* key) { return !partial || o.contains(key); };
  const auto flag = [&](const char* key, bool& out) {
    if (!present(key)) return;
    const auto it = o.find(key);
    if (it == o.end() || !it->is_boolean()) problems.add(join_path(p, key), "missing or not true/false");
    else out = it->get<bool>();
  };
  flag("sequence_parallel_with_tp", d.sequence_parallel_with_tp);
  flag("distributed_optimizer", d.distributed_optimizer);
  flag("tp_comm_overlap", d.tp_comm_overlap);
  flag("moe_a2a_overlap", d.moe_a2a_overlap);
  if (present("micro_batch_size")) {
    d.micro_batch_size = read_integer(o, p, "micro_batch_size", "sequences", problems).value_or(0);
  }
  if (present("attention")) {
    d.attention = read_text(o, p, "attention", problems);
    if (d.attention != "flash" && d.attention != "flash2" && d.attention != "flash3" && d.attention != "unfused") {
      problems.add(join_path(p, "attention"), "accepted: flash, flash2, flash3, unfused (got '" + d.attention + "')");
    }
  }
}

void read_elementwise(const json& o, const std::string& p, double& eager_factor, bool& fp8_casts_fused, bool partial,
                      SpecProblems& problems) {
  if (!partial || o.contains("eager_factor")) {
    eager_factor = read_number(o, p, "eager_factor", "passes over the tensor, >= 1", problems).value_or(0);
  }
  if (const auto it = o.find("fp8_casts_fused"); it != o.end()) {
    if (!it->is_boolean()) problems.add(join_path(p, "fp8_casts_fused"), "must be true or false");
    else fp8_casts_fused = it->get<bool>();
  }
}

// versions: earlier releases, oldest first, each the newest profile with the changes it lists.
void read_releases(const json& versions, FrameworkSpec& f, SpecProblems& problems) {
  if (!versions.is_array()) {
    problems.add("versions", "must be a list of earlier releases, oldest first");
    return;
  }
  if (f.release.empty()) problems.add("release", "missing (the newest release, which the profile's fields describe)");
  std::vector<int64_t> previous;
  for (size_t i = 0; i < versions.size(); ++i) {
    const json& v = versions[i];
    const std::string path = "versions." + std::to_string(i);
    if (!v.is_object()) {
      problems.add(path, "must be an object with release, source and the changed defaults / elementwise");
      continue;
    }
    check_keys(v, path, {"release", "released", "source", "defaults", "elementwise"}, problems);
    FrameworkRelease r;
    r.release = read_text(v, path, "release", problems);
    if (v.contains("released")) r.released = read_text(v, path, "released", problems);
    r.source = read_sources(v, path, "source", problems);
    if (r.source.empty()) problems.add(path + ".source", "missing (release notes, code or docs at that version)");
    r.defaults = f.defaults;
    r.eager_elementwise_factor = f.eager_elementwise_factor;
    r.fp8_casts_fused = f.fp8_casts_fused;
    for (const char* section : {"defaults", "elementwise"}) {
      if (!v.contains(section)) continue;
      const json& o = v.at(section);
      const std::string at = path + "." + section;
      if (!o.is_object()) {
        problems.add(at, "must be an object of the fields that changed");
        continue;
      }
      check_keys(o, at, std::string(section) == "defaults" ? kDefaultKeys : kElementwiseKeys, problems);
      for (const auto& item : o.items()) r.changes.push_back(std::string(section) + "." + item.key() + " = " + item.value().dump());
      if (std::string(section) == "defaults") read_defaults(o, at, r.defaults, /*partial=*/true, problems);
      else read_elementwise(o, at, r.eager_elementwise_factor, r.fp8_casts_fused, /*partial=*/true, problems);
    }
    const auto key = release_key(r.release);
    const auto newest = release_key(f.release);
    if (key.empty()) problems.add(path + ".release", "must hold a release number (got '" + r.release + "')");
    else if (!previous.empty() && !(previous < key)) problems.add(path + ".release", "releases must be oldest first");
    else if (!newest.empty() && !(key < newest)) {
      problems.add(path + ".release", "must be earlier than the profile's release " + f.release);
    }
    previous = key;
    f.releases.push_back(std::move(r));
  }
}

}  // namespace

FrameworkSpec framework_from_json(const json& doc, SpecProblems& problems) {
  FrameworkSpec f;
  if (!is_document(doc, "a framework spec", problems)) return f;
  check_keys(doc, "",
             {"name", "family", "family_default", "fit_as", "version", "source", "notes", "defaults", "recompute_policies", "host",
              "elementwise", "communication", "data_parallel", "optimizer", "memory", "kernels_per_op", "zero3", "capabilities",
              "release", "released", "versions"},
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
  section("defaults", kDefaultKeys, [&](const json& o, const std::string& p) {
    read_defaults(o, p, f.defaults, /*partial=*/false, problems);
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
    section("elementwise", kElementwiseKeys, [&](const json& o, const std::string& p) {
      read_elementwise(o, p, f.eager_elementwise_factor, f.fp8_casts_fused, /*partial=*/false, problems);
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
  section("data_parallel", {"bucket_min_params", "bucket_params_per_rank", "overlap_grad_reduce", "overlap_param_gather"},
          [&](const json& o, const std::string& p) {
    f.dp_bucket_min_params = read_number(o, p, "bucket_min_params", "parameters", problems).value_or(0);
    f.dp_bucket_params_per_rank = read_number(o, p, "bucket_params_per_rank", "parameters", problems).value_or(-1);
    for (const auto& [key, out] : {std::pair<const char*, bool*>{"overlap_grad_reduce", &f.dp_overlap_grad_reduce},
                                   std::pair<const char*, bool*>{"overlap_param_gather", &f.dp_overlap_param_gather}}) {
      if (const auto it = o.find(key); it != o.end()) {
        if (!it->is_boolean()) problems.add(join_path(p, key), "must be true or false");
        else *out = it->get<bool>();
      }
    }
  });
  section("optimizer", {"name", "state_bytes_per_parameter", "step_bytes_per_parameter"},
          [&](const json& o, const std::string& p) {
            f.optimizer = read_text(o, p, "name", problems);
            f.optimizer_state_bytes_per_parameter =
                read_number(o, p, "state_bytes_per_parameter", "bytes", problems).value_or(-1);
            f.optimizer_step_bytes_per_parameter =
                read_number(o, p, "step_bytes_per_parameter", "bytes", problems).value_or(-1);
          });
  if (doc.contains("zero3")) {
    section("zero3", {"granularity", "persistence_threshold_params", "list_copies"}, [&](const json& o, const std::string& p) {
      const std::string granularity = read_text(o, p, "granularity", problems);
      if (granularity != "unit" && granularity != "tensor") {
        problems.add(join_path(p, "granularity"), "accepted: unit, tensor (got '" + granularity + "')");
      }
      f.zero3.per_tensor = granularity == "tensor";
      if (o.contains("persistence_threshold_params")) {
        f.zero3.persistence_threshold =
            read_number(o, p, "persistence_threshold_params", "parameters", problems).value_or(-1);
        if (!(f.zero3.persistence_threshold >= 0)) {
          problems.add(join_path(p, "persistence_threshold_params"), "must be >= 0 parameters");
        }
      }
      if (const auto it = o.find("list_copies"); it != o.end()) {
        if (!it->is_boolean()) problems.add(join_path(p, "list_copies"), "must be true or false");
        else f.zero3.list_copies = it->get<bool>();
      }
    });
  }
  if (doc.contains("capabilities")) {
    section("capabilities",
            {"pipeline_schedules", "zero_stages", "even_split_only", "embedding_and_loss_in_split", "fsdp_with_pipeline",
             "hsdp_zero_stages", "expert_tensor_parallel", "no_pipeline_model_types"},
            [&](const json& o, const std::string& p) {
              FrameworkCapabilities& c = f.capabilities;
              c.declared = true;
              const auto schedules = o.find("pipeline_schedules");
              if (schedules == o.end() || !schedules->is_array()) {
                problems.add(join_path(p, "pipeline_schedules"), "must list schedule names ([] without pipeline parallelism)");
              } else {
                for (const auto& v : *schedules) {
                  const std::string name = v.is_string() ? v.get<std::string>() : "";
                  if (name != "gpipe" && name != "1f1b" && name != "interleaved" && name != "zb-h1" && name != "zb-h2") {
                    problems.add(join_path(p, "pipeline_schedules"),
                                 "accepted: gpipe, 1f1b, interleaved, zb-h1, zb-h2 (got " + describe(v) + ")");
                  } else {
                    c.pipeline_schedules.push_back(name);
                  }
                }
              }
              const auto stages = o.find("zero_stages");
              if (stages == o.end() || !stages->is_array() || stages->empty()) {
                problems.add(join_path(p, "zero_stages"), "must list the ZeRO stages 0-3 the framework runs");
              } else {
                for (const auto& v : *stages) {
                  if (const auto stage = common::json_integer(v, 0, 3); !stage || !v.is_number_integer()) {
                    problems.add(join_path(p, "zero_stages"), "accepted: whole numbers 0-3 (got " + describe(v) + ")");
                  } else {
                    c.zero_stages.push_back(static_cast<int>(*stage));
                  }
                }
              }
              if (const auto types = o.find("no_pipeline_model_types"); types != o.end()) {
                if (!types->is_array()) {
                  problems.add(join_path(p, "no_pipeline_model_types"), "must list Hugging Face model_type names");
                } else {
                  for (const auto& v : *types) {
                    if (!v.is_string()) problems.add(join_path(p, "no_pipeline_model_types"), "accepted: model_type names (got " + describe(v) + ")");
                    else c.no_pipeline_model_types.push_back(v.get<std::string>());
                  }
                }
              }
              if (const auto hsdp = o.find("hsdp_zero_stages"); hsdp != o.end()) {
                if (!hsdp->is_array()) problems.add(join_path(p, "hsdp_zero_stages"), "must list ZeRO stages 1-3 ([] for none)");
                else {
                  for (const auto& v : *hsdp) {
                    if (const auto stage = common::json_integer(v, 1, 3); !stage || !v.is_number_integer()) {
                      problems.add(join_path(p, "hsdp_zero_stages"), "accepted: whole numbers 1-3 (got " + describe(v) + ")");
                    } else {
                      c.hsdp_zero_stages.push_back(static_cast<int>(*stage));
                    }
                  }
                }
              }
              for (const auto& [key, out] : {std::pair<const char*, bool*>{"even_split_only", &c.even_split_only},
                                             std::pair<const char*, bool*>{"embedding_and_loss_in_split", &c.embedding_and_loss_in_split},
                                             std::pair<const char*, bool*>{"fsdp_with_pipeline", &c.fsdp_with_pipeline},
                                             std::pair<const char*, bool*>{"expert_tensor_parallel", &c.expert_tensor_parallel}}) {
                if (const auto it = o.find(key); it != o.end()) {
                  if (!it->is_boolean()) problems.add(join_path(p, key), "must be true or false");
                  else *out = it->get<bool>();
                }
              }
            });
  }
  section("memory", {"runtime_reserve_gib"}, [&](const json& o, const std::string& p) {
    f.runtime_reserve_bytes = read_number(o, p, "runtime_reserve_gib", "GiB", problems).value_or(-1) * kGibibyte;
  });
  if (const json* kernels = read_object(doc, "kernels_per_op", problems)) {
    for (const auto& item : kernels->items()) {
      if (item.key() == "source") continue;
      const std::string path = join_path("kernels_per_op", item.key());
      const json& v = item.value();
      const auto count = [&](size_t i) {
        return v.is_array() && v.size() == 2 && v[i].is_number_integer() ? common::json_integer(v[i], 0, 1000) : std::nullopt;
      };
      if (!count(0) || !count(1)) {
        problems.add(path, "must be [forward kernels, backward kernels], two whole numbers 0-1000, got " + describe(v));
        continue;
      }
      f.kernels_per_op[item.key()] = {static_cast<int>(*count(0)), static_cast<int>(*count(1))};
    }
    const std::string source = read_sources(*kernels, "kernels_per_op", "source", problems);
    if (!source.empty()) sources += (sources.empty() ? "" : "; ") + std::string("kernels_per_op: ") + source;
  }
  f.calibration_source = sources;
  if (doc.contains("release")) f.release = read_text(doc, "", "release", problems);
  if (doc.contains("released")) f.released = read_text(doc, "", "released", problems);
  if (doc.contains("versions")) read_releases(doc.at("versions"), f, problems);
  problems.add_spec_problems(f.problems());
  return f;
}

}  // namespace perfplan::hardware::detail
