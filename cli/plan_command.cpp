// `perfplan plan`: the best layouts of a model on a cluster.
#include <sstream>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/common/version.hpp"
#include "perfplan/launch/launch_config.hpp"
#include "commands.hpp"
#include "option_style.hpp"
#include "perfplan/common/limits.hpp"
#include "perfplan/predictor/gpu_support.hpp"
#include "perfplan/predictor/kernel_db_check.hpp"
#include "perfplan/model/catalog.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/report/plan_report.hpp"
#include "plan_arguments.hpp"

namespace perfplan::cli {
namespace po = boost::program_options;


PlanArguments parse_plan_arguments(const std::vector<std::string>& args, const char* usage, bool report) {
  PlanArguments a;
  std::string rank = "throughput", dtype = "bf16", framework_name, search = "exhaustive";
  double mem_headroom_gib = 2.0;
  po::options_description options(usage);
  options.add_options()
      ("help,h", "show this help")
      ("model", po::value(&a.model), "catalog name or config.json")
      ("cluster", po::value(&a.cluster), "cluster name, cluster JSON file, or a mixed cluster NAME:GPUS,NAME:GPUS")
      ("gpus", po::value(&a.gpus), "number of GPUs")
      ("gbs", po::value(&a.request.global_batch_size)->default_value(1024), "global batch (sequences)")
      ("seq", po::value(&a.request.seq_len)->default_value(4096), "sequence length")
      ("tokens", po::value(&a.request.training_tokens)->default_value(1e12), "training tokens (time-to-train, cost)")
      ("rank", po::value(&rank)->default_value(rank), "throughput | time | cost")
      ("top", po::value(&a.request.top_k)->default_value(10), "how many layouts to show")
      ("dtype", po::value(&dtype)->default_value(dtype), "bf16 | fp16 | fp8, or a list (bf16,fp8) to compare")
      ("framework", po::value(&framework_name)->default_value(hardware::kDefaultFramework),
       "software stack NAME[@VERSION] (hardware_specs/frameworks)")
      ("threads", po::value<int64_t>()->default_value(0), "search threads (0: all cores)")
      ("search", po::value(&search)->default_value(search),
       "exhaustive (every layout) | quick (families' representatives, then the best few families in full)")
      ("deadline", po::value<double>(), "days to train --tokens in: choose the cheapest GPU count up to --gpus that meets it")
      ("budget", po::value<double>(), "USD to train --tokens with: choose the fastest GPU count up to --gpus within it")
      ("tp", po::value(&a.request.constraints.tp), "fix the tensor-parallel degree")
      ("pp", po::value(&a.request.constraints.pp), "fix the pipeline-parallel degree")
      ("cp", po::value(&a.request.constraints.cp), "fix the context-parallel degree")
      ("ep", po::value(&a.request.constraints.ep), "fix the expert-parallel degree")
      ("dp", po::value(&a.request.constraints.dp), "fix the data-parallel degree")
      ("max-tp", po::value(&a.request.constraints.max_tp), "largest tensor-parallel degree to search")
      ("max-pp", po::value(&a.request.constraints.max_pp), "largest pipeline-parallel degree to search")
      ("max-cp", po::value(&a.request.constraints.max_cp), "largest context-parallel degree to search")
      ("max-ep", po::value(&a.request.constraints.max_ep), "largest expert-parallel degree to search")
      ("no-fsdp", "do not search FSDP / ZeRO-3")
      ("mem-headroom", po::value(&mem_headroom_gib)->default_value(2.0),
       "GiB each GPU keeps free beside the predicted peak (allocator fragmentation)")
      ("no-kernels", "roofline only: ignore the GPU's measured kernel database (hardware_specs/kernels/<gpu>.jsonl)");
  if (report) {
    options.add_options()("output,o", po::value(&a.output)->default_value("report.html"), "HTML file to write");
  } else {
    options.add_options()("emit", po::value(&a.emit),
                          "print the best layout as megatron | megatron-bridge | nemo | torchtitan config "
                          "(plans for that framework unless --framework is given)")(
        "json", "print JSON");
  }
  po::variables_map vm;
  // No positional arguments: a stray word is an error, not ignored.
  po::store(po::command_line_parser(args).options(options).positional(po::positional_options_description()).style(kOptionStyle).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    a.help = true;
    return a;
  }
  const bool mixed = a.cluster.find(':') != std::string::npos;
  if (a.model.empty() || a.cluster.empty() || (a.gpus <= 0 && !mixed)) {
    throw InputError(std::string("perfplan ") + (report ? "report" : "plan") + " needs --model, --cluster and --gpus N (N > 0)");
  }
  a.json = vm.count("json") > 0;
  if (search == "quick") {
    a.request.search = planner::PlanRequest::Search::kQuick;
  } else if (search != "exhaustive") {
    throw InputError("--search '" + search + "': accepted are exhaustive, quick");
  }
  if (a.json && !a.emit.empty()) throw InputError("give --emit or --json, not both (plan --json carries the launch config)");
  if (!a.emit.empty()) {
    // The plan is made for the framework whose config is written: --emit names it unless
    // --framework does, and the two must agree.
    const launch::LaunchFramework emit = launch::parse_launch_framework(a.emit);
    const std::string profile = framework_name.substr(0, framework_name.find('@'));
    if (vm["framework"].defaulted()) {
      framework_name = emit == launch::LaunchFramework::kMegatron ? std::string(hardware::kDefaultFramework)
                                                                  : launch::to_string(emit);
    } else if (launch::launch_framework_for(profile) != emit) {
      const auto writer = launch::launch_framework_for(profile);
      throw InputError("--emit " + a.emit + " writes " + launch::launch_target(emit).name + " config, but the plan is for --framework " +
                       framework_name + (writer ? " (whose config is --emit " + launch::to_string(*writer) + ")"
                                                : " (perfplan writes no launch config for it)") +
                       ": give one of them, or both for the same framework");
    }
  }
  // Read signed, so -1 is reported as -1 (an unsigned option would wrap it to 4294967295).
  if (const int64_t threads = vm["threads"].as<int64_t>(); threads < 0 || threads > limits::kMaxThreads) {
    throw InputError("--threads " + std::to_string(threads) + ": accepted: 0 (all cores) to " +
                     std::to_string(limits::kMaxThreads));
  } else {
    a.request.threads = static_cast<unsigned>(threads);
  }
  a.request.constraints.no_fsdp = vm.count("no-fsdp") > 0;
  {
    const auto& k = a.request.constraints;
    // 0 inside the request means "not fixed"; a 0 the user typed is no degree, not "any".
    for (const auto& [name, v] : std::vector<std::pair<const char*, int64_t>>{
             {"tp", k.tp}, {"pp", k.pp}, {"cp", k.cp}, {"ep", k.ep}, {"dp", k.dp}, {"max-tp", k.max_tp},
             {"max-pp", k.max_pp}, {"max-cp", k.max_cp}, {"max-ep", k.max_ep}}) {
      if (vm.count(name) && (v < 1 || v > limits::kMaxDegree)) {
        throw InputError("--" + std::string(name) + " must be a positive degree, 1 to " + std::to_string(limits::kMaxDegree) +
                         " (got " + std::to_string(v) + ")");
      }
    }
  }
  if (vm.count("deadline")) a.deadline_days = vm["deadline"].as<double>();
  if (vm.count("budget")) a.budget_usd = vm["budget"].as<double>();
  for (const auto& [name, v] : {std::pair<const char*, std::optional<double>>{"--deadline", a.deadline_days},
                                std::pair<const char*, std::optional<double>>{"--budget", a.budget_usd}}) {
    if (v && !(*v > 0 && *v < 1e12)) throw InputError(std::string(name) + " must be a positive number");
  }
  if (a.deadline_days && a.budget_usd) throw InputError("give --deadline or --budget, not both");
  if (!(mem_headroom_gib >= 0 && mem_headroom_gib <= 1024)) {
    throw InputError("--mem-headroom must be between 0 and 1024 GiB (got " + std::to_string(mem_headroom_gib) + ")");
  }
  a.request.memory_headroom_bytes = mem_headroom_gib * 1073741824.0;
  a.request.rank_by = planner::parse_rank_by(rank);
  std::vector<model::DType> dtypes;
  {
    std::stringstream list(dtype);
    for (std::string one; std::getline(list, one, ',');) dtypes.push_back(model::parse_dtype(one));
    if (dtypes.empty()) throw InputError("--dtype needs a precision: bf16, fp16 or fp8");
  }
  a.request.dtype = dtypes.front();
  const auto catalog = model::Catalog::load(model::default_catalog_directory());
  a.request.architecture = model::resolve_architecture(a.model, catalog);
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  std::string framework_note;
  a.request.framework = hardware.framework_flag(framework_name, framework_note);
  if (!framework_note.empty()) std::cerr << "perfplan: " << framework_note << "\n";
  a.request.attention = model::parse_attention_kernel(a.request.framework.defaults.attention);
  if (mixed) {
    a.request.cluster = hardware.heterogeneous_cluster(a.cluster);
    if (a.gpus > 0 && a.gpus != a.request.cluster.num_gpus) {
      throw InputError(fmt::format("--gpus {} does not match the mixed cluster '{}' ({} GPUs)", a.gpus, a.cluster,
                                   a.request.cluster.num_gpus));
    }
    a.gpus = a.request.cluster.num_gpus;
  } else if (a.cluster.find(',') != std::string::npos) {
    if (a.cluster.back() == ',') throw InputError("--cluster '" + a.cluster + "': an empty cluster name in the list");
    // Alternatives, not a mixed cluster: the same job planned on each.
    std::stringstream names(a.cluster);
    for (std::string name; std::getline(names, name, ',');) {
      if (name.empty()) throw InputError("--cluster '" + a.cluster + "': an empty cluster name in the list");
      planner::PlanRequest alternative = a.request;
      alternative.cluster = hardware.cluster(name, a.gpus);
      alternative.band = hardware.prediction_band(alternative.cluster.gpu.name, alternative.framework.family);
      a.alternatives.push_back(std::move(alternative));
    }
    a.request.cluster = a.alternatives.front().cluster;
  } else {
    a.request.cluster = hardware.cluster(a.cluster, a.gpus);
  }
  a.request.band = hardware.prediction_band(mixed ? std::string() : a.request.cluster.gpu.name,
                                            a.request.framework.family);
  // The GPU's measured kernels, as predict uses them (else plan and predict would disagree on
  // the same layout); a mixed cluster keeps the roofline (one database serves one GPU type).
  if (!vm.count("no-kernels")) {
    const auto kernels_dir = hardware::default_hardware_directory() / "kernels";
    if (!mixed) a.request.compute = predictor::default_kernel_model(kernels_dir, a.request.cluster.gpu);
    for (auto& alternative : a.alternatives) {
      alternative.compute = predictor::default_kernel_model(kernels_dir, alternative.cluster.gpu);
    }
  }
  if (dtypes.size() > 1) {
    // Precision alternatives: each cluster alternative (or the one cluster) at each dtype.
    std::vector<planner::PlanRequest> bases = a.alternatives.empty() ? std::vector<planner::PlanRequest>{a.request} : a.alternatives;
    a.alternatives.clear();
    for (const auto& base : bases) {
      for (model::DType d : dtypes) {
        planner::PlanRequest alternative = base;
        alternative.dtype = d;
        a.alternatives.push_back(std::move(alternative));
      }
    }
  }
  // A progress bar on stderr for searches longer than a second, when stderr is a terminal.
  if (isatty(STDERR_FILENO)) {
    auto start = std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
    auto lock = std::make_shared<std::mutex>();
    a.request.progress = [start, lock](int64_t done, int64_t total) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - *start).count();
      if (elapsed < 1.0 || total <= 0) return;
      std::lock_guard<std::mutex> guard(*lock);
      const int width = 40;
      const int filled = static_cast<int>(width * done / total);
      std::fprintf(stderr, "\r[%s%s] %lld/%lld layouts", std::string(static_cast<size_t>(filled), '#').c_str(),
                   std::string(static_cast<size_t>(width - filled), ' ').c_str(), static_cast<long long>(done),
                   static_cast<long long>(total));
      if (done == total) std::fprintf(stderr, "\n");
    };
  }
  return a;
}

int run_plan_command(const std::vector<std::string>& args) {
  const PlanArguments a = parse_plan_arguments(args, "perfplan plan --model M --cluster C --gpus N [options]", false);
  if (a.help) return 0;
  PlanArguments chosen = a;
  std::string gpu_count_line;
  if (!a.alternatives.empty()) {
    // Each alternative's best layout; the winner by the ranking asked for gets the full table.
    std::string lines = "alternatives (best layout on each, ranked by " + planner::to_string(a.request.rank_by) + "):\n";
    const planner::PlanRequest* winner = nullptr;
    double best_score = 0;
    for (const auto& alternative : a.alternatives) {
      if (const auto why = predictor::check_gpu_support(alternative.cluster, alternative.dtype, alternative.attention)) {
        lines += fmt::format("  {:<12} {:<5} {}\n", alternative.cluster.name, model::to_string(alternative.dtype),
                             why->detail);
        continue;
      }
      planner::PlanRequest one = alternative;
      one.top_k = 1;
      one.progress = nullptr;
      const auto result = planner::plan(one);
      if (result.top.empty()) {
        lines += fmt::format("  {:<12} {:<5} nothing fits\n", alternative.cluster.name, model::to_string(alternative.dtype));
        continue;
      }
      const auto& c = result.top.front();
      const double score = planner::rank_score(c, a.request.rank_by);
      lines += fmt::format("  {:<12} {:<5} {:>12.0f} tokens/s  {:>7.1f} days  {:>10.3g} $  {}\n", alternative.cluster.name,
                           model::to_string(alternative.dtype),
                           c.prediction.tokens_per_s, c.time_to_train_s / 86400.0, c.cost_usd,
                           predictor::to_string(c.config));
      if (!winner || score > best_score) winner = &alternative, best_score = score;
    }
    if (!winner) throw InputError("no layout fits on any of the clusters " + a.cluster);
    chosen.request = *winner;
    gpu_count_line = lines + "chosen: " + winner->cluster.name + " " + model::to_string(winner->dtype) + "\n\n";
  }
  if (a.deadline_days || a.budget_usd) {
    if (!a.alternatives.empty()) throw InputError("--deadline and --budget take one cluster, not alternatives");
    if (!a.request.cluster.parts.empty()) throw InputError("--deadline and --budget need a homogeneous cluster");
    const auto choice = planner::choose_gpu_count(
        a.request, a.request.cluster.num_gpus,
        a.deadline_days ? std::optional<double>(*a.deadline_days * 86400.0) : std::nullopt, a.budget_usd);
    if (choice.gpus == 0) throw InputError("no layout fits at any GPU count up to " + std::to_string(a.gpus));
    chosen.request.cluster.num_gpus = choice.gpus;
    gpu_count_line = "gpu count  " + choice.summary + "\n";
  }
  const planner::PlanResult r = planner::plan(chosen.request);
  if (r.top.empty()) throw InputError(r.stats.nothing_fits);
  if (!a.emit.empty()) {
    std::cout << best_launch_config(chosen, r).text;
    return 0;
  }
  if (!a.json) std::cout << gpu_count_line;
  if (a.json) {
    const report::LaunchSection launch = best_launch_config(chosen, r);
    std::cout << report::render_plan_json(chosen.request, r, &launch);
  } else {
    std::cout << report::render_plan_text(chosen.request, r);
  }
  return 0;
}

}  // namespace perfplan::cli
