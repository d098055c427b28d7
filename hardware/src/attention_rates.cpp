#include "perfplan/hardware/attention_rates.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace perfplan::hardware {
namespace {

// Linear in log2(x) between the points of `xs` (ascending), the end values beyond them.
double along_seq(const std::vector<double>& xs, const std::vector<double>& ys, double x) {
  if (x <= xs.front()) return ys.front();
  if (x >= xs.back()) return ys.back();
  const auto hi = std::upper_bound(xs.begin(), xs.end(), x);
  const size_t i = static_cast<size_t>(std::distance(xs.begin(), hi));
  const double t = std::log2(x / xs[i - 1]) / std::log2(xs[i] / xs[i - 1]);
  return ys[i - 1] + t * (ys[i] - ys[i - 1]);
}

double lookup(const std::map<int, std::vector<double>>& grid, const std::vector<double>& seq, double seq_len,
              double head_dim) {
  if (grid.empty()) return 0.0;
  auto hi = grid.lower_bound(static_cast<int>(std::ceil(head_dim)));
  if (hi == grid.begin()) return along_seq(seq, hi->second, seq_len);
  if (hi == grid.end()) return along_seq(seq, std::prev(hi)->second, seq_len);
  const auto lo = std::prev(hi);
  const double below = along_seq(seq, lo->second, seq_len), above = along_seq(seq, hi->second, seq_len);
  const double t = std::log2(head_dim / lo->first) / std::log2(static_cast<double>(hi->first) / lo->first);
  return below + t * (above - below);
}

}  // namespace

double AttentionRateTable::forward(double seq_len, double head_dim, bool causal) const {
  return lookup(causal ? forward_causal : forward_noncausal, seq, seq_len, head_dim);
}

double AttentionRateTable::backward(double seq_len, double head_dim, bool causal) const {
  return lookup(causal ? backward_causal : backward_noncausal, seq, seq_len, head_dim);
}

const AttentionRateTable* AttentionRates::kernel(const std::string& kernel_name) const {
  const auto it = kernels.find(kernel_name);
  return it == kernels.end() ? nullptr : &it->second;
}

}  // namespace perfplan::hardware
