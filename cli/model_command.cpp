// `perfplan model` and `perfplan models`.
#include <cstdio>
#include <iostream>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "perfplan/common/version.hpp"
#include "commands.hpp"
#include "option_style.hpp"
#include "perfplan/report/model_report.hpp"
#include "perfplan/model/catalog.hpp"
#include "perfplan/common/input_error.hpp"

namespace perfplan::cli {
namespace po = boost::program_options;

int run_model_command(const std::vector<std::string>& args) {
  int64_t seq = 4096, mbs = 1, tp = 1, cp = 1, ep = 1, etp = 1;
  double capacity_factor = 1.0;
  std::string recompute = "none", dtype = "bf16", attention = "flash", model_name;
  po::options_description options("perfplan model <catalog-name|config.json> [options]");
  options.add_options()
      ("help,h", "show this help")
      ("seq", po::value(&seq)->default_value(seq), "sequence length")
      ("mbs", po::value(&mbs)->default_value(mbs), "micro-batch size (sequences)")
      ("tp", po::value(&tp)->default_value(tp), "tensor-parallel degree")
      ("sp", "sequence parallelism (Megatron SP) in the TP group")
      ("cp", po::value(&cp)->default_value(cp), "context-parallel degree")
      ("ep", po::value(&ep)->default_value(ep), "expert-parallel degree")
      ("etp", po::value(&etp)->default_value(etp), "tensor parallelism inside each expert")
      ("capacity-factor", po::value(&capacity_factor)->default_value(capacity_factor),
       "tokens per expert relative to a balanced split (>= 1)")
      ("recompute", po::value(&recompute)->default_value(recompute), "none | selective | full")
      ("dtype", po::value(&dtype)->default_value(dtype), "bf16 | fp16 | fp8 | fp32")
      ("attention", po::value(&attention)->default_value(attention),
       "flash | unfused (Megatron's materialised scores)")
      ("json", "print JSON instead of text");
  po::options_description hidden;
  hidden.add_options()("model", po::value(&model_name));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).style(kOptionStyle).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  if (model_name.empty()) {
    throw InputError("perfplan model needs a model: a catalog name (perfplan models lists them) or a config.json path");
  }
  model::StepConfig config;
  config.seq_len = seq;
  config.micro_batch_size = mbs;
  config.tp = tp;
  config.sequence_parallel = vm.count("sp") > 0;
  config.cp = cp;
  config.ep = ep;
  config.etp = etp;
  config.capacity_factor = capacity_factor;
  config.recompute = model::parse_recompute(recompute);
  config.dtype = model::parse_dtype(dtype);
  config.attention = model::parse_attention_kernel(attention);

  const auto catalog = model::Catalog::load(model::default_catalog_directory());
  const model::Architecture arch = model::resolve_architecture(model_name, catalog);
  if (!arch.moe && !vm["capacity-factor"].defaulted()) {
    throw InputError("--capacity-factor: " + arch.name + " has no experts (a dense model)");
  }
  const report::ModelReport report = report::make_model_report(arch, config);
  std::cout << (vm.count("json") ? report::render_model_json(report, kPerfplanVersion) : report::render_model_text(report));
  return 0;
}

int run_models_command(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "perfplan models: list the built-in catalog\n";
    return 0;
  }
  if (!args.empty()) throw InputError("perfplan models takes no arguments, got '" + args[0] + "'");
  const auto catalog = model::Catalog::load(model::default_catalog_directory());
  std::cout << fmt::format("{:<18} {:<12} {:>10} {:>10}  {}\n", "name", "model_type", "total", "active", "source");
  for (const auto& entry : catalog.entries()) {
    const auto count = model::count_parameters(entry.architecture);
    std::cout << fmt::format("{:<18} {:<12} {:>9.2f}B {:>9.2f}B  {}\n", entry.name,
                             entry.architecture.model_type, count.total / 1e9, count.active / 1e9, entry.source);
  }
  return 0;
}

}  // namespace perfplan::cli
