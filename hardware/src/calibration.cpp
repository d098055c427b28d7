#include "perfplan/hardware/calibration.hpp"

#include <cmath>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/json_file.hpp"

namespace perfplan::hardware {

std::string gpu_family(const std::string& gpu_name) { return gpu_name.substr(0, gpu_name.find('-')); }

nlohmann::ordered_json calibration_to_json(const Calibration& c) {
  nlohmann::ordered_json doc;
  doc["generated_by"] = c.command;
  doc["note"] = "Written by perfplan calibrate; never edit by hand (a test checks it against calibrate's output)";
  doc["objective"] = c.objective;
  doc["fitted_on"] = c.fitted_on;
  doc["cases"] = c.cases;
  doc["residual"] = c.residual;
  doc["constants"] = nlohmann::ordered_json::object();
  for (const auto& [key, value] : c.constants) doc["constants"][key] = value;
  doc["bands"] = nlohmann::ordered_json::array();
  for (const auto& e : c.bands) {
    doc["bands"].push_back({{"gpu_family", e.gpu_family},
                            {"framework_family", e.framework_family},
                            {"low_ratio", e.band.low_ratio},
                            {"high_ratio", e.band.high_ratio},
                            {"cases", e.band.cases},
                            {"basis", e.band.basis}});
  }
  return doc;
}

Calibration calibration_from_json(const nlohmann::json& doc, const std::string& origin) {
  const auto fail = [&](const std::string& what) -> void {
    throw InputError(origin + ": " + what + " (this file is written by `perfplan calibrate --write`)");
  };
  if (!doc.is_object()) fail("must hold one JSON object");
  const auto count = [&](const nlohmann::json& value, const std::string& key) -> int64_t {
    const auto n = common::json_integer(value, 0, INT64_MAX);
    if (!n) fail(key + " = " + common::json_excerpt(value) + " must be a whole number >= 0");
    return n.value_or(0);
  };
  Calibration c;
  try {
    c.command = doc.at("generated_by").get<std::string>();
    c.objective = doc.at("objective").get<std::string>();
    c.fitted_on = doc.at("fitted_on").get<std::vector<std::string>>();
    c.cases = count(doc.at("cases"), "cases");
    c.residual = doc.at("residual").get<double>();
    for (const auto& item : doc.at("constants").items()) {
      if (!item.value().is_number() || !std::isfinite(item.value().get<double>())) {
        fail("constants." + item.key() + " must be a finite number");
      }
      c.constants[item.key()] = item.value().get<double>();
    }
    size_t band_index = 0;
    for (const auto& b : doc.at("bands")) {
      const std::string band_path = "bands[" + std::to_string(band_index++) + "]";
      BandEntry e;
      e.gpu_family = b.at("gpu_family").get<std::string>();
      e.framework_family = b.at("framework_family").get<std::string>();
      e.band.low_ratio = b.at("low_ratio").get<double>();
      e.band.high_ratio = b.at("high_ratio").get<double>();
      e.band.cases = count(b.at("cases"), "bands.cases");
      e.band.basis = b.at("basis").get<std::string>();
      if (!(e.band.low_ratio > 0 && e.band.low_ratio <= e.band.high_ratio && std::isfinite(e.band.high_ratio))) {
        fail(band_path + " (gpu_family " + e.gpu_family + ", framework_family " + e.framework_family +
             "): low_ratio must be > 0 and at most high_ratio, got low_ratio " +
             common::json_excerpt(b.at("low_ratio")) + ", high_ratio " + common::json_excerpt(b.at("high_ratio")));
      }
      c.bands.push_back(std::move(e));
    }
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("malformed: ") + e.what());
  }
  return c;
}

}  // namespace perfplan::hardware
