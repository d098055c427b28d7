// `perfplan predict`: one model, one cluster, one parallel layout -> time, throughput, memory.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include <boost/program_options.hpp>

#include "perfplan/common/version.hpp"
#include "commands.hpp"
#include "option_style.hpp"
#include "perfplan/model/catalog.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/common/limits.hpp"
#include "perfplan/predictor/ignored_options.hpp"
#include "perfplan/predictor/kernel_db_check.hpp"
#include "perfplan/predictor/kernel_db_model.hpp"
#include "perfplan/predictor/predict.hpp"
#include "perfplan/report/prediction_report.hpp"

namespace perfplan::cli {
namespace po = boost::program_options;

int run_predict_command(const std::vector<std::string>& args) {
  predictor::ParallelConfig c;
  std::string model_name, cluster_name, recompute = "none", dtype = "bf16", schedule, attention, framework_name,
              rank_order = "tp-cp-ep-dp-pp", trace_path, kernels_path;
  int64_t gpus = 0;
  int zero = 0;
  po::options_description options("perfplan predict --model M --cluster C --gpus N [layout] [options]");
  options.add_options()
      ("help,h", "show this help")
      ("model", po::value(&model_name), "catalog name or config.json")
      ("cluster", po::value(&cluster_name), "cluster name (perfplan hardware lists them) or cluster JSON file")
      ("gpus", po::value(&gpus), "number of GPUs")
      ("tp", po::value(&c.tp)->default_value(1), "tensor parallel")
      ("pp", po::value(&c.pp)->default_value(1), "pipeline parallel")
      ("dp", po::value(&c.dp)->default_value(0), "data parallel (default: gpus / (tp * pp * cp))")
      ("cp", po::value(&c.cp)->default_value(1), "context parallel")
      ("ep", po::value(&c.ep)->default_value(1), "expert parallel")
      ("etp", po::value(&c.etp)->default_value(1), "expert tensor parallel")
      ("vp", po::value(&c.vp)->default_value(1), "virtual pipeline chunks per stage")
      ("mbs", po::value(&c.micro_batch_size)->default_value(1), "micro-batch size (sequences)")
      ("gbs", po::value(&c.global_batch_size)->default_value(0), "global batch (sequences; default: dp * mbs)")
      ("seq", po::value(&c.seq_len)->default_value(4096), "sequence length")
      ("sp", "sequence parallelism")
      ("zero", po::value(&zero)->default_value(0), "ZeRO stage 0-3 (3 = FSDP)")
      ("distributed-optimizer", "Megatron distributed optimizer (optimizer state sharded over DP)")
      ("shard-size", po::value(&c.shard_size)->default_value(0),
       "HSDP: shard the ZeRO / distributed-optimizer state over this many DP ranks, replicate over the rest (0: all)")
      ("recompute", po::value(&recompute)->default_value(recompute), "none | selective | full")
      ("schedule", po::value(&schedule), "gpipe | 1f1b | interleaved | zb-h1 | zb-h2 (default: 1f1b, interleaved when vp > 1)")
      ("post-validation", "no barrier before the optimizer step (Zero Bubble's optimizer post-validation): steps overlap")
      ("dtype", po::value(&dtype)->default_value(dtype), "bf16 | fp16 | fp8 | fp32")
      ("attention", po::value(&attention), "flash | flash2 | flash3 | unfused (default: the framework's)")
      ("framework", po::value(&framework_name)->default_value(hardware::kDefaultFramework),
       "software stack NAME[@VERSION] (hardware_specs/frameworks)")
      ("tp-comm-overlap", "overlap TP/SP collectives with GEMMs")
      ("moe-comm-overlap", "overlap the EP all-to-all with computation")
      ("moe-dispatcher", po::value<std::string>()->default_value("alltoall"), "alltoall | flex (DeepEP / HybridEP)")
      ("no-grad-overlap", "do not overlap the DP gradient reduction with backward")
      ("rank-order", po::value(&rank_order)->default_value(rank_order), "placement order, innermost first")
      ("trace", po::value(&trace_path), "write the timeline as a Chrome / Perfetto trace")
      ("kernels", po::value(&kernels_path), "measured kernel database (JSONL; default: hardware_specs/kernels/<gpu>.jsonl when present)")
      ("no-kernels", "roofline only: ignore any kernel database")
      ("json", "print JSON");
  po::variables_map vm;
  // No positional arguments: a stray word is an error, not ignored.
  po::store(po::command_line_parser(args).options(options).positional(po::positional_options_description()).style(kOptionStyle).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  if (model_name.empty() || cluster_name.empty() || gpus <= 0) {
    throw InputError("perfplan predict needs --model, --cluster and --gpus N (N > 0)");
  }
  c = c.with_defaults(gpus);
  c.sequence_parallel = vm.count("sp") > 0;
  c.zero_stage = zero;
  c.distributed_optimizer = vm.count("distributed-optimizer") > 0;
  c.recompute = model::parse_recompute(recompute);
  c.dtype = model::parse_dtype(dtype);
  // The attention kernel is the framework's unless given.
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  std::string framework_note;
  const hardware::FrameworkSpec framework = hardware.framework_flag(framework_name, framework_note);
  if (!framework_note.empty()) std::cerr << "perfplan predict: " << framework_note << "\n";
  c.attention = model::parse_attention_kernel(attention.empty() ? framework.defaults.attention : attention);
  c.optimizer_post_validation = vm.count("post-validation") > 0;
  c.schedule = vm.count("schedule") ? predictor::parse_pipeline_schedule(schedule)
                                    : (c.vp > 1 ? predictor::PipelineSchedule::kInterleaved
                                                : predictor::PipelineSchedule::kOneFOneB);
  c.overlap_tp_comm = vm.count("tp-comm-overlap") > 0;
  c.overlap_moe_comm = vm.count("moe-comm-overlap") > 0;
  c.moe_dispatcher = predictor::parse_moe_dispatcher(vm["moe-dispatcher"].as<std::string>());
  c.overlap_grad_reduce = vm.count("no-grad-overlap") == 0;
  c.rank_order = predictor::parse_rank_order(rank_order);

  const auto catalog = model::Catalog::load(model::default_catalog_directory());
  const model::Architecture arch = model::resolve_architecture(model_name, catalog);
  if (const auto ignored = predictor::ignored_option(arch, c, vm.count("schedule") > 0)) throw InputError("--" + *ignored);
  if (cluster_name.find(':') != std::string::npos && !std::filesystem::exists(cluster_name)) {
    throw InputError("--cluster " + cluster_name + ": a mixed cluster (NAME:GPUS,NAME:GPUS) is for plan and report, "
                     "which place the stages; predict takes one cluster name or cluster file");
  }
  const hardware::ClusterSpec cluster = hardware.cluster(cluster_name, gpus);
  predictor::PredictOptions predict_options;
  if (vm.count("trace") && trace_path.empty()) throw InputError("--trace needs a file to write the timeline to");
  predict_options.timeline = !trace_path.empty();
  predict_options.band = hardware.prediction_band(cluster.parts.empty() ? cluster.gpu.name : std::string(),
                                                  framework.family);
  if (vm.count("kernels") && vm.count("no-kernels")) throw InputError("perfplan predict: --kernels and --no-kernels exclude each other");
  std::optional<predictor::KernelDbModel> kernel_model;
  if (!vm.count("no-kernels")) {
    auto db = vm.count("kernels") ? std::optional(kerneldb::KernelDatabase::load(kernels_path))
                                  : kerneldb::load_kernel_db_for_gpu(hardware::default_hardware_directory() / "kernels", cluster.gpu.name);
    // A database of no named GPU, of another GPU, or faster than this GPU's physics is refused,
    // not announced and then ignored or applied.
    if (db) predictor::check_kernel_db_for_gpu(*db, cluster.gpu);
    if (db) {
      std::cerr << "perfplan predict: kernel database " << db->origin() << " (" << db->entries().size() << " measurements)\n";
      kernel_model.emplace(std::move(*db));
      predict_options.compute = &*kernel_model;
    }
  }
  const predictor::Prediction p = predictor::predict(arch, cluster, framework, c, predict_options).value();
  if (!trace_path.empty()) {
    if (p.timeline_events > limits::kMaxTimelineEvents) {
      throw InputError("--trace: this step's timeline holds " + std::to_string(p.timeline_events) +
                       " events (pp x vp x micro-batches x passes); a trace holds at most " +
                       std::to_string(limits::kMaxTimelineEvents) +
                       ": trace fewer micro-batches (a smaller --gbs or a larger --mbs)");
    }
    std::ofstream out(trace_path);
    if (!out) throw InputError(trace_path + ": cannot write the trace file");
    out << report::render_chrome_trace(p, arch.name);
    out.close();
    if (!out) throw InputError(trace_path + ": cannot write the trace file (disk full?)");
  }
  std::cout << (vm.count("json") ? report::render_prediction_json(p, arch, cluster, c, kPerfplanVersion)
                                 : report::render_prediction_text(p, arch, cluster, c));
  return 0;
}

}  // namespace perfplan::cli
