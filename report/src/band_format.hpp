#pragma once
// The prediction band in text and JSON, shared by the prediction and plan renderers.
#include <optional>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/predictor/predict.hpp"

namespace perfplan::report::detail {

inline std::string band_range(const std::optional<predictor::TimeBand>& band, const char* format = "{:.2f}-{:.2f}") {
  return band ? fmt::format(fmt::runtime(format), band->low_s, band->high_s) : std::string("-");
}

inline std::string band_basis(const predictor::TimeBand& band) {
  return fmt::format("10th-90th percentile of measured / predicted ({:.2f}-{:.2f}) over {}", band.from.low_ratio,
                     band.from.high_ratio, band.from.basis);
}

inline nlohmann::ordered_json band_json(const std::optional<predictor::TimeBand>& band) {
  if (!band) return nullptr;
  return {{"low_s", band->low_s},
          {"high_s", band->high_s},
          {"low_ratio", band->from.low_ratio},
          {"high_ratio", band->from.high_ratio},
          {"cases", band->from.cases},
          {"basis", band->from.basis}};
}

}  // namespace perfplan::report::detail
