#pragma once
// Published attention kernel rates (hardware_specs/attention/*.json): the fraction of a GPU's
// dense peak one fused attention kernel reaches, by pass, causality, head dimension and
// sequence length, interpolated between the printed points.
#include <map>
#include <string>
#include <vector>

namespace perfplan::hardware {

// One kernel's utilisation grid on one architecture.
struct AttentionRateTable {
  std::vector<double> seq;  // sequence lengths (queries = keys), ascending
  // utilisation[head_dim] = one value per seq; backward_causal is derived (see the data file).
  std::map<int, std::vector<double>> forward_noncausal, forward_causal, backward_noncausal, backward_causal;

  // Fraction of the dense peak at this shape: linear in log2(seq) and log2(head_dim) between
  // the printed points, the nearest printed point beyond them.
  double forward(double seq_len, double head_dim, bool causal) const;
  double backward(double seq_len, double head_dim, bool causal) const;
};

// The tables of one architecture and dtype, by kernel name (flash3, cudnn, flash2).
struct AttentionRates {
  std::string name;          // file stem, e.g. "hopper-bf16"
  std::string architecture;  // matched against GpuSpec::architecture
  std::string measured_on;   // GPU spec the rates were measured on
  std::string source;
  std::map<std::string, AttentionRateTable> kernels;

  const AttentionRateTable* kernel(const std::string& name) const;
};

}  // namespace perfplan::hardware
