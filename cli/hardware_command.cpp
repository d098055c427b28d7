// `perfplan hardware`: the GPUs, links and clusters in hardware_specs/.
#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/hardware/hardware.hpp"

namespace perfplan::cli {

int run_hardware_command(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "perfplan hardware: list the GPUs, links and clusters of hardware_specs/\n";
    return 0;
  }
  if (!args.empty()) throw InputError("perfplan hardware takes no arguments, got '" + args[0] + "'");
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  std::cout << fmt::format("{:<16} {:>9} {:>9} {:>9} {:>5} {:>8} {:>9} {:>9} {:>7}\n", "gpu", "16bit TF/s", "fp8 TF/s",
                           "HBM GiB", "SMs", "HBM TB/s", "NVLink", "$/GPU-h", "GEMM eff");
  for (const auto& g : hardware.gpus()) {
    std::cout << fmt::format("{:<16} {:>9.0f} {:>9.0f} {:>9.1f} {:>5} {:>8.2f} {:>7.0f}GB {:>9.2f} {:>7.2f}\n", g.name,
                             std::max(g.peak_bf16_flops_per_s, g.peak_fp16_flops_per_s) / 1e12, g.peak_fp8_flops_per_s / 1e12,
                             g.hbm_bytes / (1024.0 * 1024 * 1024), g.sm_count, g.hbm_bytes_per_s / 1e12,
                             g.nvlink_bytes_per_s / 1e9, g.price_per_gpu_hour_usd, g.gemm_efficiency);
  }
  std::cout << fmt::format("\n{:<18} {:>12} {:>10}  {}\n", "link", "GB/s/dir", "latency", "source");
  for (const auto& l : hardware.links()) {
    std::cout << fmt::format("{:<18} {:>12.1f} {:>8.1f}us  {}\n", l.name, l.bandwidth_bytes_per_s / 1e9, l.latency_s * 1e6,
                             l.source.substr(0, 70));
  }
  std::cout << fmt::format("\n{:<16} {:<16} {:>9} {:>10} {:>5}  {:<18} {}\n", "cluster", "gpu", "per node", "NVL domain",
                           "NICs", "intra", "inter");
  for (const auto& c : hardware.clusters()) {
    std::cout << fmt::format("{:<16} {:<16} {:>9} {:>10} {:>5}  {:<18} {}\n", c.name, c.gpu.name, c.gpus_per_node,
                             c.nvlink_domain_size, c.nics_per_node, c.intra_node.name, c.inter_node.name);
  }
  return 0;
}

}  // namespace perfplan::cli
