#pragma once
// Order statistics of error lists: median and percentiles (linear interpolation between the
// order statistics, NumPy's default "linear" method), Spearman rank correlation.
#include <optional>
#include <vector>

namespace perfplan::validation {

std::optional<double> median(std::vector<double> values);
// q in [0, 1]; nullopt for an empty list.
std::optional<double> percentile(std::vector<double> values, double q);
// Spearman's rho of two equally long lists (ties get their mean rank); nullopt when either list
// is constant or shorter than 2.
std::optional<double> spearman(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace perfplan::validation
