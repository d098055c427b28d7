#pragma once
// The one writer of the kernel-database format (kernel_db.hpp describes it): the context header
// and the record lines, used by the profiler (CUPTI) and the Kineto import alike.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace perfplan::kerneldb {

// {"context": {"schema_version": kSchemaVersion, "perfplan_version": <this build>, "source":
// source, ...fields}} (fields: gpu, sm_count, driver, cuda, inputs, ...).
std::string header_line(std::string_view source, nlohmann::json fields);

// One record: `fields` plus "type", "start_ns", "end_ns" and "duration_ns". Invalid UTF-8 in
// names (kernel names are bytes to the driver) is replaced, never thrown on.
std::string record_line(std::string_view type, int64_t start_ns, int64_t end_ns, nlohmann::json fields);

}  // namespace perfplan::kerneldb
