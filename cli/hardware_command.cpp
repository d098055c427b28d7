// `perfplan hardware`: the GPUs, links and clusters in hardware_specs/.
#include <iostream>

#include "commands.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/report/hardware_report.hpp"

namespace perfplan::cli {

int run_hardware_command(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "perfplan hardware: list the GPUs, links and clusters of hardware_specs/\n";
    return 0;
  }
  if (!args.empty()) throw InputError("perfplan hardware takes no arguments, got '" + args[0] + "'");
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  std::cout << report::render_hardware_text(hardware);
  return 0;
}

}  // namespace perfplan::cli
