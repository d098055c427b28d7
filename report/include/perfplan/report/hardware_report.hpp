#pragma once
// Renderers of specs and measurements: the hardware catalog (`perfplan hardware`) and a kernel
// database (`perfplan kernels show`).
#include <string>

#include "perfplan/hardware/hardware.hpp"
#include "perfplan/kerneldb/kernel_db.hpp"

namespace perfplan::report {

std::string render_hardware_text(const hardware::HardwareCatalog& hardware);
std::string render_kernel_db_entries(const kerneldb::KernelDatabase& db, const std::string& origin);

}  // namespace perfplan::report
