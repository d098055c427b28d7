#include "perfplan/common/json_file.hpp"
#include "perfplan/api/library.hpp"

#include "perfplan/predictor/ignored_options.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/common/data_directory.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/model/hf_config.hpp"

namespace perfplan::api {
namespace {

void check_degree(const char* flag, int64_t v) {
  if (v < 0 || v > (int64_t{1} << 24)) throw InputError(fmt::format("{} must be a positive degree (got {})", flag, v));
}

}  // namespace

Library::Library(const std::optional<std::filesystem::path>& data_dir)
    : data_dir_(data_dir ? *data_dir : common::data_directory()),
      catalog_(std::make_shared<const model::Catalog>(model::Catalog::load(data_dir_ / "model" / "catalog"))),
      hardware_(std::make_shared<const hardware::HardwareCatalog>(
          hardware::HardwareCatalog::load(data_dir_ / "hardware_specs"))) {}

model::Architecture Library::model(const std::string& name_or_file) const {
  return model::resolve_architecture(name_or_file, *catalog_);
}

model::Architecture Library::model_from_json(const std::string& hf_config_json, const std::string& name) const {
  return model::architecture_from_hf_config(common::parse_json_text(hf_config_json, name), name);
}

hardware::FrameworkSpec Library::framework(const std::string& name_at_version) const {
  std::string note;
  return hardware_->framework_flag(name_at_version, note);
}

hardware::ClusterSpec Library::cluster(const std::string& name_or_file, int64_t gpus) const {
  if (name_or_file.find(':') != std::string::npos) {
    auto c = hardware_->heterogeneous_cluster(name_or_file);
    if (gpus > 0 && gpus != c.num_gpus) {
      throw InputError(fmt::format("gpus {} does not match the mixed cluster '{}' ({} GPUs)", gpus, name_or_file, c.num_gpus));
    }
    return c;
  }
  if (gpus <= 0) throw InputError("cluster '" + name_or_file + "' needs a GPU count (gpus > 0)");
  return hardware_->cluster(name_or_file, gpus);
}

planner::PlanRequest Library::plan_request(const PlanOptions& o) const {
  planner::PlanRequest r;
  for (const auto& [flag, v] : std::vector<std::pair<const char*, int64_t>>{
           {"tp", o.tp}, {"pp", o.pp}, {"cp", o.cp}, {"ep", o.ep}, {"dp", o.dp}, {"max_tp", o.max_tp},
           {"max_pp", o.max_pp}, {"max_cp", o.max_cp}, {"max_ep", o.max_ep}}) {
    check_degree(flag, v);
  }
  r.constraints = {o.tp, o.pp, o.cp, o.ep, o.dp, o.max_tp, o.max_pp, o.max_cp, o.max_ep, o.no_fsdp};
  if (!(o.mem_headroom >= 0 && o.mem_headroom <= 1024)) {
    throw InputError(fmt::format("mem_headroom must be between 0 and 1024 GiB (got {})", o.mem_headroom));
  }
  if (o.gbs <= 0 || o.seq <= 0) throw InputError(fmt::format("gbs and seq must be positive (got {} and {})", o.gbs, o.seq));
  if (o.top <= 0) throw InputError(fmt::format("top must be at least 1 (got {})", o.top));
  if (!(o.tokens > 0 && o.tokens < 1e18)) throw InputError(fmt::format("tokens must be a positive number (got {})", o.tokens));
  if (o.threads < 0) throw InputError(fmt::format("threads must be 0 (all cores) or positive (got {})", o.threads));
  r.memory_headroom_bytes = o.mem_headroom * 1073741824.0;
  r.rank_by = planner::parse_rank_by(o.rank);
  r.dtype = model::parse_dtype(o.dtype);
  r.architecture = model(o.model);
  r.framework = framework(o.framework);
  r.attention = model::parse_attention_kernel(r.framework.defaults.attention);
  r.cluster = cluster(o.cluster, o.gpus);
  r.band = hardware_->prediction_band(r.cluster.parts.empty() ? r.cluster.gpu.name : std::string(), r.framework.family);
  r.global_batch_size = o.gbs;
  r.seq_len = o.seq;
  r.training_tokens = o.tokens;
  r.top_k = o.top;
  r.threads = static_cast<unsigned>(o.threads);
  return r;
}

planner::PlanResult Library::plan(const PlanOptions& options) const { return planner::plan(plan_request(options)); }

predictor::Prediction Library::predict(const PredictOptions& o) const {
  predictor::ParallelConfig c;
  c.tp = o.tp;
  c.pp = o.pp;
  c.dp = o.dp;
  c.cp = o.cp;
  c.ep = o.ep;
  c.etp = o.etp;
  c.vp = o.vp;
  c.micro_batch_size = o.mbs;
  c.global_batch_size = o.gbs;
  c.seq_len = o.seq;
  c.shard_size = o.shard_size;
  if (o.gpus <= 0 && o.cluster.find(':') == std::string::npos) throw InputError("predict needs gpus > 0");
  const hardware::ClusterSpec cl = cluster(o.cluster, o.gpus);
  c = c.with_defaults(cl.num_gpus);
  c.sequence_parallel = o.sp;
  if (o.zero < 0 || o.zero > 3) throw InputError(fmt::format("zero must be 0, 1, 2 or 3 (got {})", o.zero));
  c.zero_stage = o.zero;
  c.distributed_optimizer = o.distributed_optimizer;
  c.recompute = model::parse_recompute(o.recompute);
  c.dtype = model::parse_dtype(o.dtype);
  const hardware::FrameworkSpec fw = framework(o.framework);
  c.attention = model::parse_attention_kernel(o.attention.empty() ? fw.defaults.attention : o.attention);
  c.optimizer_post_validation = o.post_validation;
  c.schedule = !o.schedule.empty() ? predictor::parse_pipeline_schedule(o.schedule)
                                   : (c.vp > 1 ? predictor::PipelineSchedule::kInterleaved : predictor::PipelineSchedule::kOneFOneB);
  c.overlap_tp_comm = o.tp_comm_overlap;
  c.overlap_moe_comm = o.moe_comm_overlap;
  c.moe_dispatcher = predictor::parse_moe_dispatcher(o.moe_dispatcher);
  c.overlap_grad_reduce = !o.no_grad_overlap;
  c.rank_order = predictor::parse_rank_order(o.rank_order);
  predictor::PredictOptions options;
  options.band = hardware_->prediction_band(cl.parts.empty() ? cl.gpu.name : std::string(), fw.family);
  const model::Architecture arch = model(o.model);
  if (const auto ignored = predictor::ignored_option(arch, c, !o.schedule.empty())) throw InputError(*ignored);
  return predictor::predict(arch, cl, fw, c, options).value();
}

}  // namespace perfplan::api
