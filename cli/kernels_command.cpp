// `perfplan kernels import TRACE.json [-o OUT.jsonl] [--gpu NAME]`: a torch.profiler (Kineto) trace as a
// kernel database; `perfplan kernels show FILE.jsonl`: the measurements a database holds.
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "perfplan/common/json_file.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/report/hardware_report.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/kerneldb/kernel_db.hpp"
#include "perfplan/kerneldb/kineto_import.hpp"

namespace perfplan::cli {
namespace {

constexpr const char* kKernelsUsage =
    "perfplan kernels import TRACE.json [-o OUT.jsonl] [--gpu NAME]\n"
    "    convert a torch.profiler (Kineto) Chrome trace to a kernel database (stdout without -o);\n"
    "    --gpu names the GPU it ran on (a GPU spec) when the trace has no deviceProperties\n"
    "perfplan kernels show FILE.jsonl\n"
    "    the tagged measurements (perfplan:<op>:<dtype>:<shape> ranges) a kernel database holds\n";

int run_import(const std::vector<std::string>& args) {
  std::string trace_path, out_path, gpu_name;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" || args[i] == "--out") {
      if (i + 1 >= args.size()) throw InputError("perfplan kernels import: " + args[i] + " needs a file name");
      out_path = args[++i];
    } else if (args[i] == "--gpu") {
      if (i + 1 >= args.size()) throw InputError("perfplan kernels import: --gpu needs a GPU name (perfplan hardware lists them)");
      gpu_name = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      throw InputError("perfplan kernels import: unknown option '" + args[i] + "'; accepted: -o FILE, --gpu NAME");
    } else if (trace_path.empty()) {
      trace_path = args[i];
    } else {
      throw InputError("perfplan kernels import takes one trace file, got '" + trace_path + "' and '" + args[i] + "'");
    }
  }
  if (trace_path.empty()) throw InputError("perfplan kernels import needs a trace file (TRACE.json)");
  const std::string trace = common::read_input_file(trace_path, "a torch.profiler trace (JSON)");
  // A GPU spec's name, so predict can match the database with a cluster's GPU.
  if (!gpu_name.empty()) {
    gpu_name = hardware::HardwareCatalog::load(hardware::default_hardware_directory()).gpu(gpu_name).name;
  }
  const std::string jsonl = kerneldb::kineto_trace_to_jsonl(trace, {trace_path, gpu_name});
  if (out_path.empty()) {
    std::cout << jsonl;
    return 0;
  }
  std::ofstream out(out_path, std::ios::binary);
  if (!out) throw InputError(out_path + ": cannot write the kernel database");
  out << jsonl;
  out.close();
  if (!out) throw InputError(out_path + ": cannot write the kernel database (disk full?)");
  // Says what it holds.
  const auto db = kerneldb::KernelDatabase::parse(jsonl, out_path);
  std::cerr << fmt::format("wrote {}: GPU {}, {} tagged measurements\n", out_path,
                           db.context().gpu.empty() ? "unknown" : db.context().gpu, db.entries().size());
  if (db.context().gpu.empty()) {
    std::cerr << "perfplan kernels import: the trace names no GPU and predict refuses such a database; "
                 "rerun with --gpu NAME\n";
  }
  return 0;
}

int run_show(const std::vector<std::string>& args) {
  if (args.size() != 1) throw InputError("perfplan kernels show takes one kernel database file");
  const auto db = kerneldb::KernelDatabase::load(args[0]);
  std::cout << report::render_kernel_db_entries(db, args[0]);
  return 0;
}

}  // namespace

int run_kernels_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << kKernelsUsage;
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "import") return run_import(rest);
  if (args[0] == "show") return run_show(rest);
  throw InputError("perfplan kernels: unknown subcommand '" + args[0] + "'; accepted: import, show");
}

}  // namespace perfplan::cli
