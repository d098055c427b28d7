#include "perfplan/report/hardware_report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "perfplan/common/units.hpp"

namespace perfplan::report {

std::string render_hardware_text(const hardware::HardwareCatalog& hardware) {
  std::string out;
  out += fmt::format("{:<16} {:>9} {:>9} {:>9} {:>5} {:>8} {:>9} {:>9} {:>7}\n", "gpu", "16bit TF/s", "fp8 TF/s",
                           "HBM GiB", "SMs", "HBM TB/s", "NVLink", "$/GPU-h", "GEMM eff");
  for (const auto& g : hardware.gpus()) {
    out += fmt::format("{:<16} {:>9.0f} {:>9.0f} {:>9.1f} {:>5} {:>8.2f} {:>7.0f}GB {:>9.2f} {:>7.2f}\n", g.name,
                             std::max(g.peak_bf16_flops_per_s, g.peak_fp16_flops_per_s) / 1e12, g.peak_fp8_flops_per_s / 1e12,
                             g.hbm_bytes / units::kGiB, g.sm_count, g.hbm_bytes_per_s / 1e12,
                             g.nvlink_bytes_per_s / 1e9, g.price_per_gpu_hour_usd, g.gemm_efficiency);
  }
  out += fmt::format("\n{:<18} {:>12} {:>10}  {}\n", "link", "GB/s/dir", "latency", "source");
  for (const auto& l : hardware.links()) {
    out += fmt::format("{:<18} {:>12.1f} {:>8.1f}us  {}\n", l.name, l.bandwidth_bytes_per_s / 1e9, l.latency_s * 1e6,
                             l.source.substr(0, 70));
  }
  out += fmt::format("\n{:<16} {:<16} {:>9} {:>10} {:>5}  {:<18} {}\n", "cluster", "gpu", "per node", "NVL domain",
                           "NICs", "intra", "inter");
  for (const auto& c : hardware.clusters()) {
    out += fmt::format("{:<16} {:<16} {:>9} {:>10} {:>5}  {:<18} {}\n", c.name, c.gpu.name, c.gpus_per_node,
                             c.nvlink_domain_size, c.nics_per_node, c.intra_node.name, c.inter_node.name);
  }
  return out;
}

std::string render_kernel_db_entries(const kerneldb::KernelDatabase& db, const std::string& origin) {
  std::string out;
  out += fmt::format("{}: GPU {}, source {}, {} measurements\n", origin,
                     db.context().gpu.empty() ? std::string("unknown (context.gpu is empty)") : db.context().gpu,
                     db.context().source,
                           db.entries().size());
  for (const auto& e : db.entries()) {
    std::string shape;
    for (const auto& [key, value] : e.params) shape += (shape.empty() ? "" : ",") + key + "=" + value;
    out += fmt::format("  {:<12} {:<5} {:<48} {:>12.3f} us  x{}\n", e.op, e.dtype, shape, e.seconds * 1e6,
                             e.samples);
  }
  return out;
}

}  // namespace perfplan::report
