#include "perfplan/common/units.hpp"
#include "perfplan/validation/validation.hpp"
#include "perfplan/validation/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "perfplan/common/json_file.hpp"
#include "perfplan/model/hf_config.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/common/limits.hpp"

namespace perfplan::validation {

using namespace perfplan::predictor;  // layouts, predictions and their enums
namespace {

using nlohmann::json;
using units::kGiB;
using limits::kMaxDegree;

const json* field(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return (it == object.end() || it->is_null()) ? nullptr : &*it;
}

// An integer field within [low, high], or `fallback` (noted in `assumed`) where the source
// printed null.
int64_t int_or(const json& object, const char* section, const char* key, int64_t low, int64_t high,
               int64_t fallback, std::vector<std::string>& assumed, const std::string& why) {
  if (const json* v = field(object, key)) {
    const auto n = common::json_integer(*v, low, high);
    if (!n) {
      throw InputError(std::string(section) + "." + key + " must be a whole number from " + std::to_string(low) +
                       " to " + std::to_string(high) + ", got " + common::json_excerpt(*v));
    }
    return *n;
  }
  assumed.push_back(std::string(section) + "." + key + " = " + std::to_string(fallback) + " (" + why + ")");
  return fallback;
}

// A whole number the source must print, within [low, high].
int64_t required_int(const json& object, const char* section, const char* key, int64_t low, int64_t high) {
  const auto it = object.find(key);
  const auto n = it == object.end() ? std::nullopt : common::json_integer(*it, low, high);
  if (!n) {
    throw InputError(std::string(section) + "." + key + " must be a whole number from " + std::to_string(low) + " to " +
                     std::to_string(high) + (it == object.end() ? std::string(" (missing)") : ", got " + common::json_excerpt(*it)));
  }
  return *n;
}

bool bool_or(const json& object, const char* section, const char* key, bool fallback,
             std::vector<std::string>& assumed, const std::string& why) {
  if (const json* v = field(object, key)) {
    if (!v->is_boolean()) throw InputError(std::string(section) + "." + key + " must be true or false");
    return v->get<bool>();
  }
  assumed.push_back(std::string(section) + "." + key + " = " + (fallback ? "true" : "false") + " (" + why + ")");
  return fallback;
}

// A measured figure: nullopt where the source printed null (or nothing); a present value must be
// a number in (0, high] -- a string, zero, a negative or an absurd value is an error (the case is
// skipped saying so), never silently read as "not published".
std::optional<double> measured_number(const json& object, const std::string& section, const char* key, double high,
                                      const char* unit, double low = 0.0) {
  const json* v = field(object, key);
  if (!v) return std::nullopt;
  const bool in_range = v->is_number() && v->get<double>() > 0.0 && v->get<double>() >= low && v->get<double>() <= high;
  if (!in_range) {
    std::ostringstream range;
    range << (low > 0.0 ? "[" : "(") << low << ", " << high << "]";
    throw InputError(section + "." + key + " must be a number in " + range.str() + " " + unit + " or null, got " +
                     common::json_excerpt(*v));
  }
  return v->get<double>();
}

// Plausible bounds on published figures: a training step between 0.1 ms and ~1 day, a GPU's
// memory up to 1 TiB, MFU a fraction of peak.
constexpr double kMinStepS = 1e-4;
constexpr double kMaxStepS = 1e5;
constexpr double kMaxGpuMemoryGib = 1024;
constexpr double kMaxRatePerGpu = 1e9;  // tokens, samples or TFLOP per second: far above any GPU

// framework.{name, family, version}; a case without one ran on a Megatron stack (every source
// before the key existed was Megatron-based).
void read_framework(const json& doc, ValidationCase& c) {
  const json* f = field(doc, "framework");
  c.framework_name = f && field(*f, "name") ? (*f)["name"].get<std::string>() : "megatron-lm";
  c.framework_family = f && field(*f, "family") ? (*f)["family"].get<std::string>() : "megatron";
  const json* version = f ? field(*f, "version") : nullptr;
  c.framework_version = version ? (version->is_string() ? version->get<std::string>() : version->dump()) : "";
  if (!f) c.assumed.push_back("framework = megatron-lm (no framework printed)");
  if (f) {
    if (const json* features = field(*f, "features"); features && features->is_object()) {
      const auto it = features->find("torch_compile");
      c.compiled = it != features->end() && it->is_boolean() && it->get<bool>();
      const auto pv = features->find("optimizer_post_validation");
      if (pv != features->end() && pv->is_boolean()) c.post_validation = pv->get<bool>();
    }
  }
}

// Model-config values the source left null that the framework fixes: Megatron GPT models use
// the GPT-2 BPE vocabulary padded to 51,200 (Narayanan et al., SC21, Sec. 5.1; Megatron-LM
// --make-vocab-size-divisible-by).
void fill_framework_model_defaults(json& config, ValidationCase& c) {
  if (!config.is_object()) return;
  const auto vocab = config.find("vocab_size");
  const bool missing = vocab == config.end() || vocab->is_null();
  if (missing && c.framework_family == "megatron" && config.value("model_type", std::string()) == "gpt2") {
    config["vocab_size"] = 51200;
    c.assumed.push_back("model.config.vocab_size = 51200 (Megatron GPT-2 BPE vocabulary padded, SC21 Sec. 5.1)");
  }
}

// A published schedule name as one the predictor models, or nullopt.
std::optional<PipelineSchedule> modelled_schedule(const std::string& name, std::vector<std::string>& assumed) {
  if (name == "1f1b") return PipelineSchedule::kOneFOneB;
  if (name == "interleaved" || name == "1f1b-i" || name == "interleaved-1f1b") return PipelineSchedule::kInterleaved;
  if (name == "gpipe") return PipelineSchedule::kGpipe;
  if (name == "zb-h1") return PipelineSchedule::kZeroBubbleH1;
  if (name == "zb-1p") {
    // ZB-1p is the searched zero-bubble schedule under 1F1B's activation memory (p micro-batches),
    // the limit ZB-H1 is the hand-made instance of (Qi et al., ICLR 2024, Secs. 3.1 and 3.2).
    assumed.push_back("schedule zb-1p modelled as ZB-H1 (same memory limit as 1F1B; Qi et al. 2024 Sec. 3)");
    return PipelineSchedule::kZeroBubbleH1;
  }
  if (name == "zb-h2") return PipelineSchedule::kZeroBubbleH2;
  if (name == "zb-2p") {
    // ZB-2p is the searched schedule under twice 1F1B's activation memory, the limit of the
    // hand-made ZB-H2 (Qi et al., ICLR 2024, Secs. 3.1-3.2).
    assumed.push_back("schedule zb-2p modelled as ZB-H2 (twice 1F1B's memory limit; Qi et al. 2024 Sec. 3)");
    return PipelineSchedule::kZeroBubbleH2;
  }
  return std::nullopt;
}

// The profile's named remat policy that the published detail names (the longest match), if any.
const std::vector<std::string>* named_policy(const hardware::FrameworkSpec& f, const std::string& detail,
                                             std::string& name) {
  const std::vector<std::string>* found = nullptr;
  for (const auto& [policy, ops] : f.recompute_policies) {
    if (detail.find(policy) != std::string::npos && policy.size() > name.size()) {
      name = policy;
      found = &ops;
    }
  }
  return found;
}

// Keys of the format (../shared/validation/README.md) per object; framework.features and
// model.config hold free keys. An unknown key is not refused (a source may print more than the
// format holds) but said in `assumed`, so a typo ("recompte") never silently changes nothing.
void note_unknown_keys(const json& doc, std::vector<std::string>& assumed) {
  static const std::map<std::string, std::set<std::string>> kKeys = {
      {"", {"id", "model", "cluster", "training", "parallel", "framework", "measured", "measured_definition", "derived",
            "notes"}},
      {"model", {"name", "config"}},
      {"cluster", {"gpu", "num_gpus", "gpus_per_node", "intra_node", "inter_node"}},
      {"training", {"dtype", "seq_len", "global_batch_size", "micro_batch_size"}},
      {"parallel", {"tp", "pp", "dp", "cp", "ep", "vp", "sequence_parallel", "zero_stage", "distributed_optimizer",
                    "recompute", "recompute_detail", "schedule"}},
      {"framework", {"name", "family", "version", "features"}},
      {"measured", {"iteration_time_s", "tokens_per_sec_per_gpu", "samples_per_sec_per_gpu", "tflops_per_gpu", "mfu",
                    "peak_memory_gib", "memory_breakdown_gib"}},
      {"derived", {"iteration_time_s", "how"}},
  };
  for (const auto& [object, keys] : kKeys) {
    const json* o = object.empty() ? &doc : field(doc, object.c_str());
    if (!o || !o->is_object()) continue;
    for (const auto& item : o->items()) {
      if (!keys.count(item.key())) {
        assumed.push_back("ignored key '" + (object.empty() ? "" : object + ".") + item.key() +
                          "' (not a key of the validation format)");
      }
    }
  }
}

ValidationCase read_case(const json& doc, const std::string& file, const hardware::HardwareCatalog& hardware) {
  ValidationCase c;
  c.file = file;
  if (!doc.is_object() || !field(doc, "id") || !doc["id"].is_string()) {
    throw InputError(file + ": every case needs a string 'id'");
  }
  c.id = doc["id"].get<std::string>();
  const std::string where = file + " case '" + c.id + "'";
  try {
    auto& assumed = c.assumed;
    note_unknown_keys(doc, assumed);
    read_framework(doc, c);
    std::string fallback;
    std::string release_note;
    const hardware::FrameworkSpec stack = hardware.framework_for(c.framework_name, c.framework_family, fallback)
                                              .at_release(c.framework_version, release_note);
    c.framework_profile = stack.name;
    if (!fallback.empty()) assumed.push_back(fallback);
    if (!release_note.empty()) assumed.push_back(release_note);
    const hardware::FrameworkDefaults& d = stack.defaults;
    const std::string by = " (" + stack.name + " default)";
    const json& model = doc.at("model");
    c.model_name = model.value("name", c.id);
    json config = model.at("config");
    fill_framework_model_defaults(config, c);
    c.architecture = model::architecture_from_hf_config(config, where + " model.config");
    c.architecture.name = c.model_name;
    const json& cluster = doc.at("cluster");
    c.gpu = cluster.at("gpu").get<std::string>();
    c.num_gpus = required_int(cluster, "cluster", "num_gpus", 1, limits::kMaxGpus);
    c.gpus_per_node = int_or(cluster, "cluster", "gpus_per_node", 1, limits::kMaxGpus, 8, assumed, "8-GPU nodes");
    if (c.num_gpus > c.gpus_per_node && cluster.contains("inter_node") && cluster.at("inter_node").is_string()) {
      c.network = read_published_network(cluster.at("inter_node").get<std::string>());
      if (c.network) assumed.push_back("cluster.inter_node read as " + c.network->reading);
    }
    const json& training = doc.at("training");
    const json& parallel = doc.at("parallel");
    ParallelConfig& p = c.config;
    p.seq_len = required_int(training, "training", "seq_len", 1, limits::kMaxSeqLen);
    p.global_batch_size = required_int(training, "training", "global_batch_size", 1, limits::kMaxGlobalBatch);
    p.micro_batch_size = int_or(training, "training", "micro_batch_size", 1, limits::kMaxMicroBatch, d.micro_batch_size, assumed, stack.name + " default");
    p.dtype = model::parse_dtype(training.value("dtype", std::string("bf16")));
    p.tp = int_or(parallel, "parallel", "tp", 1, kMaxDegree, 1, assumed, "no tensor parallelism printed");
    p.pp = int_or(parallel, "parallel", "pp", 1, kMaxDegree, 1, assumed, "no pipeline printed");
    p.cp = int_or(parallel, "parallel", "cp", 1, kMaxDegree, 1, assumed, "no context parallelism printed");
    p.ep = int_or(parallel, "parallel", "ep", 1, kMaxDegree, 1, assumed, "no expert parallelism printed");
    p.vp = int_or(parallel, "parallel", "vp", 1, kMaxDegree, 1, assumed, "not interleaved");
    const int64_t model_parallel = p.tp * p.pp * p.cp;
    p.dp = int_or(parallel, "parallel", "dp", 1, kMaxDegree, model_parallel > 0 ? c.num_gpus / model_parallel : 1, assumed,
                  "num_gpus / (tp * pp * cp)");
    p.sequence_parallel = bool_or(parallel, "parallel", "sequence_parallel", d.sequence_parallel_with_tp && p.tp > 1,
                                  assumed, stack.name + " default");
    p.zero_stage = static_cast<int>(int_or(parallel, "parallel", "zero_stage", 0, 3, 0, assumed, "Megatron DDP"));
    p.distributed_optimizer =
        bool_or(parallel, "parallel", "distributed_optimizer", d.distributed_optimizer, assumed, stack.name + " default");
    if (const json* r = field(parallel, "recompute")) {
      p.recompute = model::parse_recompute(r->get<std::string>());
    } else {
      p.recompute = model::Recompute::kNone;
      c.recompute_assumed = true;
      assumed.push_back("parallel.recompute = none (Megatron default: no recomputation) unless it does not fit");
    }
    if (c.architecture.moe && p.ep > 1 && d.moe_a2a_overlap) {
      p.overlap_moe_comm = true;
      assumed.push_back("moe_a2a_overlap = true, all-to-all dispatcher" + by);
    }
    p.schedule = p.vp > 1 ? PipelineSchedule::kInterleaved : PipelineSchedule::kOneFOneB;
    const int64_t layers = c.architecture.num_layers;
    const int64_t chunks = p.pp * p.vp;
    if (chunks > 1 && layers % chunks != 0 && (layers + 2) % chunks == 0) {
      // The layers do not split evenly over the pipeline chunks, the layers with the embedding and
      // the loss do: those take a slot each, as Megatron-LM's
      // account_for_embedding/loss_in_pipeline_split and Megatron-DeepSpeed's embedding / head
      // pipeline stages do (Megatron-LM asserts an even split otherwise).
      p.embedding_in_split = true;
      p.loss_in_split = true;
      assumed.push_back("embedding and loss counted as layers in the pipeline split (pp x vp = " +
                        std::to_string(chunks) + " for " + std::to_string(layers) + " layers)");
    }
    if (const json* s = field(parallel, "schedule")) {
      if (!s->is_string()) throw InputError(where + ": parallel.schedule must be a string");
      const std::string schedule = s->get<std::string>();
      if (const auto modelled = modelled_schedule(schedule, assumed)) {
        p.schedule = *modelled;
        if (schedule == "zb-2p") {
          // The Zero Bubble implementation runs ZB-2p with optimizer post-validation (Qi et al.,
          // ICLR 2024, Sec. 4; App. E: the synchronised variant is ~8% slower), unless the
          // source printed otherwise (framework.features.optimizer_post_validation).
          p.optimizer_post_validation = c.post_validation.value_or(true);
          if (!c.post_validation) assumed.push_back("zb-2p with optimizer post-validation (Qi et al. 2024 Sec. 4)");
        } else if (c.post_validation) {
          p.optimizer_post_validation = *c.post_validation;
        }
      } else {
        c.skip_reason = "pipeline schedule '" + schedule +
                        "' is not modelled yet (the predictor has gpipe, 1f1b, interleaved, zb-h1 / zb-1p, zb-h2 / zb-2p)";
      }
    }
    if (const json* d = field(parallel, "recompute_detail")) {
      c.recompute_detail = d->is_string() ? d->get<std::string>() : d->dump();
      std::string policy;
      if (const auto* saved = named_policy(stack, c.recompute_detail, policy); saved && p.recompute != model::Recompute::kNone) {
        p.recompute = model::Recompute::kFull;
        p.recompute_keep = *saved;
        std::string kept;
        for (const auto& op : *saved) kept += (kept.empty() ? "" : ", ") + op;
        assumed.push_back("recompute policy " + policy + " (" + stack.name + "): full recompute saving " +
                          (kept.empty() ? std::string("nothing") : kept));
      } else {
        assumed.push_back("recompute_detail modelled as recompute = " + model::to_string(p.recompute) + " (" +
                          c.recompute_detail.substr(0, 60) + (c.recompute_detail.size() > 60 ? "...)" : ")"));
      }
    }
    // Megatron-Core / NeMo performance recipes with Transformer Engine (bf16, fp8) overlap the
    // TP/SP collectives with GEMMs (--tp-comm-overlap); the 2021-22 fp16 Megatron-LM did not.
    p.overlap_tp_comm = p.tp > 1 && p.sequence_parallel && d.tp_comm_overlap;
    if (p.overlap_tp_comm) assumed.push_back("tp_comm_overlap = true" + by);
    p.attention = model::parse_attention_kernel(d.attention);
    if (p.attention != model::AttentionKernel::kFlash) assumed.push_back("attention = " + d.attention + by);
    const json& measured = doc.contains("measured") ? doc["measured"] : json::object();
    if (const json* derived = field(doc, "derived")) {
      c.measured_iteration_time_s = measured_number(*derived, "derived", "iteration_time_s", kMaxStepS, "s", kMinStepS);
    }
    measured_number(measured, "measured", "iteration_time_s", kMaxStepS, "s", kMinStepS);
    measured_number(measured, "measured", "mfu", 1.0, "(a fraction of peak)");
    for (const char* rate : {"tokens_per_sec_per_gpu", "samples_per_sec_per_gpu", "tflops_per_gpu"}) {
      measured_number(measured, "measured", rate, kMaxRatePerGpu, "per GPU");
    }
    c.measured_peak_memory_gib = measured_number(measured, "measured", "peak_memory_gib", kMaxGpuMemoryGib, "GiB");
    if (const json* split = field(measured, "memory_breakdown_gib")) {
      const std::string section = "measured.memory_breakdown_gib";
      auto w = measured_number(*split, section, "weights_gradients_optimizer", kMaxGpuMemoryGib, "GiB");
      auto a = measured_number(*split, section, "activations", kMaxGpuMemoryGib, "GiB");
      if (w && a) c.measured_memory_breakdown_gib = MemorySplitGib{*w, *a};
    }
  } catch (const json::exception& e) {
    c.skip_reason = std::string("malformed case: ") + e.what();
  } catch (const InputError& e) {
    c.skip_reason = e.what();
  }
  return c;
}

double error_pct(double predicted, double measured) { return (predicted - measured) / measured * 100.0; }

}  // namespace

std::vector<ValidationCase> load_validation_cases(const std::filesystem::path& path,
                                                  const hardware::HardwareCatalog& hardware) {
  return load_validation_cases(std::vector<std::filesystem::path>{path}, hardware);
}

std::vector<ValidationCase> load_validation_cases(const std::vector<std::filesystem::path>& paths,
                                                  const hardware::HardwareCatalog& hardware) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& path : paths) {
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> in_directory;
      for (const auto& item : std::filesystem::directory_iterator(path)) {
        if (item.path().extension() == ".json") in_directory.push_back(item.path());
      }
      std::sort(in_directory.begin(), in_directory.end());
      if (in_directory.empty()) throw InputError(path.string() + ": no *.json validation files in this directory");
      files.insert(files.end(), in_directory.begin(), in_directory.end());
    } else {
      files.push_back(path);
    }
  }
  // A file read twice would count its cases twice (and weigh them twice in a fit).
  for (size_t i = 0; i < files.size(); ++i) {
    for (size_t k = 0; k < i; ++k) {
      if (std::filesystem::weakly_canonical(files[i], ec) == std::filesystem::weakly_canonical(files[k], ec)) {
        throw InputError(files[i].string() + ": given twice (directly or through a directory); each file is read once");
      }
    }
  }
  std::vector<ValidationCase> cases;
  std::map<std::string, std::string> file_of_id;  // ids are unique (README), also across files
  for (const auto& file : files) {
    const json doc = common::read_json_file(file);
    const json* list = field(doc, "cases");
    if (!list || !list->is_array()) {
      throw InputError(file.string() + ": expected an object with a 'cases' list (see the validation README)");
    }
    for (const auto& item : *list) {
      ValidationCase c = read_case(item, file.filename().string(), hardware);
      const auto [it, inserted] = file_of_id.emplace(c.id, file.string());
      if (!inserted) {
        throw InputError(file.string() + ": case id '" + c.id + "' is used twice" +
                         (it->second == file.string() ? std::string(" in this file") : " (also in " + it->second + ")") +
                         "; ids must be unique");
      }
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

CaseResult validate_case(const ValidationCase& c, const hardware::HardwareCatalog& hardware, const PredictOptions& options) {
  CaseResult r;
  r.id = c.id;
  r.file = c.file;
  r.assumed = c.assumed;
  r.measured_iteration_time_s = c.measured_iteration_time_s;
  r.measured_peak_memory_gib = c.measured_peak_memory_gib;
  r.measured_memory_breakdown_gib = c.measured_memory_breakdown_gib;
  r.workload = c.model_name + " | " + c.gpu + " x " + std::to_string(c.num_gpus) + " | seq " +
               std::to_string(c.config.seq_len) + " | gbs " + std::to_string(c.config.global_batch_size) + " | " +
               model::to_string(c.config.dtype);
  if (!c.skip_reason.empty()) {
    r.skipped = c.skip_reason;
    return r;
  }
  try {
    hardware::ClusterSpec cluster = hardware.cluster_for_gpu(c.gpu, c.num_gpus, c.gpus_per_node);
    if (c.network) {
      // The printed scale-out bandwidth over the printed links (else the catalog node's NICs),
      // at the catalog link's latency and NCCL efficiencies.
      if (c.network->links > 0) cluster.nics_per_node = c.network->links;
      cluster.inter_node.bandwidth_bytes_per_s =
          c.network->gbit_per_node * 1e9 / 8.0 / static_cast<double>(cluster.nics_per_node);
    }
    std::string release_note;  // already in the case's assumed
    hardware::FrameworkSpec framework =
        hardware.framework(c.framework_profile.empty() ? hardware::kDefaultFramework : c.framework_profile)
            .at_release(c.framework_version, release_note);
    // torch.compile (Inductor) fuses the elementwise chains into single kernels.
    if (c.compiled) framework.eager_elementwise_factor = 1.0;
    Prediction p = predict(c.architecture, cluster, framework, c.config, options).value();
    r.config = c.config;
    // Published runs fit: where the source did not print its recompute setting and `none` needs
    // clearly more than the GPU has (beyond the memory model's ~5% uncertainty in allocator and
    // runtime overheads), it used the cheapest recompute mode that fits.
    if (c.recompute_assumed && p.memory.peak.total_bytes() > 1.05 * cluster.gpu.hbm_bytes) {
      for (model::Recompute mode : {model::Recompute::kSelective, model::Recompute::kFull}) {
        ParallelConfig lighter = c.config;
        lighter.recompute = mode;
        Prediction q = predict(c.architecture, cluster, framework, lighter, options).value();
        r.config = lighter;
        r.assumed.push_back("recompute = " + model::to_string(mode) + " (recompute none needs " +
                            std::to_string(static_cast<int>(p.memory.peak.total_bytes() / kGiB)) + " GiB per GPU)");
        p = std::move(q);
        if (p.memory.fits) break;
      }
    }
    r.cluster = cluster;
    if (c.measured_iteration_time_s) {
      r.predicted_iteration_time_s = p.iteration_time_s;
      r.error_pct = error_pct(p.iteration_time_s, *c.measured_iteration_time_s);
    }
    const MemoryBreakdown& m = p.memory.peak;
    r.predicted_peak_memory_gib = m.total_bytes() / kGiB;
    r.predicted_memory_breakdown_gib = MemorySplitGib{m.model_state_bytes() / kGiB, m.activations_bytes / kGiB};
    if (c.measured_peak_memory_gib) {
      r.memory_error_pct = error_pct(*r.predicted_peak_memory_gib, *c.measured_peak_memory_gib);
    } else if (c.measured_memory_breakdown_gib) {
      const auto& meas = *c.measured_memory_breakdown_gib;
      const auto& pred = *r.predicted_memory_breakdown_gib;
      const double e1 = error_pct(pred.weights_gradients_optimizer, meas.weights_gradients_optimizer);
      const double e2 = error_pct(pred.activations, meas.activations);
      // The larger of the two parts' errors, keeping its sign.
      r.memory_error_pct = std::abs(e1) >= std::abs(e2) ? e1 : e2;
    }
  } catch (const InputError& e) {
    r.skipped = e.what();
  }
  return r;
}

ValidationSummary summarize(const std::vector<CaseResult>& results) {
  ValidationSummary s;
  std::vector<double> errors, memory_errors;
  std::map<std::string, std::vector<double>> by_file;
  std::vector<std::string> file_order;
  for (const auto& r : results) {
    if (!by_file.count(r.file)) file_order.push_back(r.file);
    auto& file_errors = by_file[r.file];
    if (!r.skipped.empty()) {
      ++s.skipped;
      continue;
    }
    if (r.error_pct) {
      errors.push_back(std::abs(*r.error_pct));
      file_errors.push_back(std::abs(*r.error_pct));
    }
    if (r.memory_error_pct) memory_errors.push_back(std::abs(*r.memory_error_pct));
  }
  s.count = static_cast<int64_t>(errors.size());
  s.median_abs_error_pct = median(errors);
  if (!errors.empty()) {
    double sum = 0;
    for (double e : errors) sum += e;
    s.mean_abs_error_pct = sum / static_cast<double>(errors.size());
    s.max_abs_error_pct = *std::max_element(errors.begin(), errors.end());
  }
  s.median_abs_memory_error_pct = median(memory_errors);
  for (const auto& file : file_order) {
    s.per_file.push_back({file, static_cast<int64_t>(by_file[file].size()), median(by_file[file])});
  }
  for (size_t i = 0; i < results.size(); ++i) {
    for (size_t j = i + 1; j < results.size(); ++j) {
      const auto& a = results[i];
      const auto& b = results[j];
      if (a.workload != b.workload || !a.error_pct || !b.error_pct) continue;
      ValidationSummary::ConfigurationPair pair;
      pair.first = a.id;
      pair.second = b.id;
      pair.measured_ratio = *a.measured_iteration_time_s / *b.measured_iteration_time_s;
      pair.predicted_ratio = *a.predicted_iteration_time_s / *b.predicted_iteration_time_s;
      pair.ratio_error_pct = (pair.predicted_ratio / pair.measured_ratio - 1.0) * 100.0;
      s.configuration_pairs.push_back(pair);
    }
  }
  return s;
}

}  // namespace perfplan::validation
