#pragma once
// Subcommands of the perfplan executable. Each returns the process exit code; bad input throws
// perfplan::InputError (or a program_options error), caught in main().
#include <string>
#include <vector>

namespace perfplan::cli {

int run_model_command(const std::vector<std::string>& args);
int run_models_command(const std::vector<std::string>& args);
int run_predict_command(const std::vector<std::string>& args);
int run_validate_command(const std::vector<std::string>& args);
int run_calibrate_command(const std::vector<std::string>& args);
int run_hardware_command(const std::vector<std::string>& args);
int run_plan_command(const std::vector<std::string>& args);
int run_report_command(const std::vector<std::string>& args);
int run_profile_command(const std::vector<std::string>& args);
int run_kernels_command(const std::vector<std::string>& args);
// The whole command line (argv after the program name): the exit code, errors on stderr.
int run_cli(std::vector<std::string> args);

}  // namespace perfplan::cli
