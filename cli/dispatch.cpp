// The perfplan command line without the process: dispatches a subcommand, turns errors into one
// line on stderr and the exit code (0 ok, 1 bad input, 2 usage, 3 internal error).
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options/errors.hpp>

#include "commands.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/common/version.hpp"

namespace perfplan::cli {
namespace {

constexpr const char* kUsage =
    "usage: perfplan <command> [options]\n"
    "commands:\n"
    "  model <catalog-name|config.json>  parameters, FLOPs, activation memory and the operators of\n"
    "                                    one training step (perfplan model --help)\n"
    "  models                            list the built-in catalog\n"
    "  predict --model M --cluster C --gpus N [--tp --pp --dp --cp --ep --vp --mbs --gbs --seq --sp\n"
    "          --zero --recompute --schedule --dtype] [--json] [--trace step.json]\n"
    "                                    iteration time, throughput, MFU and memory of one layout\n"
    "  validate PATH... [--json] [--plan] [--no-kernels] [--cross-validate [--by file|framework] [--markdown]]\n"
    "  calibrate PATH... [--write] [--json]\n"
    "                                    error on published training runs (with and without a\n"
    "                                    kernel database; --plan ranks each published layout)\n"
    "  hardware                          list the GPUs, links and clusters\n"
    "  plan --model M --cluster C --gpus N [--gbs --seq --tokens --rank throughput|time|cost --top K]\n"
    "       [--json] [--emit megatron|nemo|torchtitan]\n"
    "                                    the best parallel layouts, ranked, with why\n"
    "  report (plan's options) -o report.html\n"
    "                                    a self-contained HTML report of the plan\n"
    "  profile [--out FILE] [--steps-range NAME] -- COMMAND ARGS...\n"
    "                                    run a CUDA program under the CUPTI profiler and summarise its\n"
    "                                    kernels (perfplan profile --help; --validation::summarize FILE)\n"
    "  kernels import TRACE.json [-o OUT.jsonl] | kernels show FILE.jsonl\n"
    "                                    a torch.profiler trace as a kernel database; what one holds\n";

}  // namespace

namespace {

int dispatch(const std::string& command, const std::vector<std::string>& args);

}  // namespace

int run_cli(std::vector<std::string> args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  // Boost.Program_options fills its messages by replacing %value%, %option% ... in a loop, so an
  // argument holding one never ends (found by fuzz_cli_args: `--gpus '8%value%'` hung). Such an
  // argument is no model, cluster, path or number: refused before parsing.
  for (const std::string& arg : args) {
    for (const char* placeholder : {"%value%", "%option%", "%canonical_option%", "%prefix_option%", "%original_token%"}) {
      if (arg.find(placeholder) != std::string::npos) {
        std::fprintf(stderr, "perfplan: error: the argument '%.60s' holds '%s'; accepted: names, paths and numbers\n",
                     arg.c_str(), placeholder);
        return 2;
      }
    }
  }
  const int rc = dispatch(command, args);
  // Output that could not be written (a full disk, a closed pipe) is a failure, not exit 0.
  std::cout.flush();
  if (std::fflush(stdout) != 0 || !std::cout) {
    std::fprintf(stderr, "perfplan: error: cannot write the output (disk full or pipe closed)\n");
    return rc == 0 ? 1 : rc;
  }
  return rc;
}

namespace {

int dispatch(const std::string& command, const std::vector<std::string>& args) {
  try {
    if (command == "model") return run_model_command(args);
    if (command == "models") return run_models_command(args);
    if (command == "predict") return run_predict_command(args);
    if (command == "validate") return run_validate_command(args);
    if (command == "calibrate") return run_calibrate_command(args);
    if (command == "hardware") return run_hardware_command(args);
    if (command == "plan") return run_plan_command(args);
    if (command == "report") return run_report_command(args);
    if (command == "profile") return run_profile_command(args);
    if (command == "kernels") return run_kernels_command(args);
    if (command == "--version" || command == "version") {
      std::printf("perfplan %s\n", kPerfplanVersion);
      return 0;
    }
    std::fprintf(stderr, "perfplan: unknown command '%s'\n%s", command.c_str(), kUsage);
    return 2;
  } catch (const InputError& e) {
    std::fprintf(stderr, "perfplan: error: %s\n", e.what());
    return 1;
  } catch (const boost::program_options::invalid_option_value& e) {
    std::fprintf(stderr, "perfplan %s: %s; accepted: a number of the option's kind (a whole number for counts, degrees "
                         "and sizes), within its range (see perfplan %s --help)\n",
                 command.c_str(), e.what(), command.c_str());
    return 2;
  } catch (const boost::program_options::error& e) {
    std::fprintf(stderr, "perfplan %s: %s (see perfplan %s --help)\n", command.c_str(), e.what(), command.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "perfplan: internal error: %s\n", e.what());
    return 3;
  }
}

}  // namespace

}  // namespace perfplan::cli
