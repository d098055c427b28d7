#include "perfplan/kerneldb/writer.hpp"

#include "perfplan/common/version.hpp"

namespace perfplan::kerneldb {
namespace {

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

}  // namespace

std::string header_line(std::string_view source, nlohmann::json fields) {
  if (!fields.is_object()) fields = nlohmann::json::object();
  fields["schema_version"] = kSchemaVersion;
  fields["perfplan_version"] = kPerfplanVersion;
  fields["source"] = std::string(source);
  return dump(nlohmann::json{{"context", fields}});
}

std::string record_line(std::string_view type, int64_t start_ns, int64_t end_ns, nlohmann::json fields) {
  if (!fields.is_object()) fields = nlohmann::json::object();
  fields["type"] = std::string(type);
  fields["start_ns"] = start_ns;
  fields["end_ns"] = end_ns;
  fields["duration_ns"] = end_ns - start_ns;
  return dump(fields);
}

}  // namespace perfplan::kerneldb
