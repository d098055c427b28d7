// Order statistics and the ranking of layouts, by hand.
#include <doctest/doctest.h>

#include "perfplan/validation/cross_validation.hpp"
#include "perfplan/validation/ranking.hpp"
#include "perfplan/validation/statistics.hpp"

using namespace perfplan;

TEST_CASE("validation statistics: median, linear-interpolated percentiles, Spearman with ties") {
  CHECK(*validation::median({3, 1, 2}) == 2.0);
  CHECK(*validation::median({4, 1, 3, 2}) == 2.5);
  CHECK_FALSE(validation::median({}).has_value());
  // 0..10: the 90th percentile is 9; of {1, 2, 3, 4}: position 0.9 * 3 = 2.7 -> 3 + 0.7 * 1.
  CHECK(*validation::percentile({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9) == doctest::Approx(9.0));
  CHECK(*validation::percentile({4, 1, 3, 2}, 0.9) == doctest::Approx(3.7));
  CHECK(*validation::percentile({4, 1, 3, 2}, 0.1) == doctest::Approx(1.3));
  CHECK(*validation::spearman({1, 2, 3}, {10, 20, 30}) == doctest::Approx(1.0));
  CHECK(*validation::spearman({1, 2, 3}, {30, 20, 10}) == doctest::Approx(-1.0));
  // Ranks (1, 2, 3, 4) against (2, 1, 4, 3): d^2 sums to 4, rho = 1 - 6*4/(4*15) = 0.6.
  CHECK(*validation::spearman({1, 2, 3, 4}, {2, 1, 4, 3}) == doctest::Approx(0.6));
  // Ties share their mean rank: (1, 2.5, 2.5) against (1, 2, 3): Pearson of ranks = sqrt(3)/2.
  CHECK(*validation::spearman({1, 5, 5}, {1, 2, 3}) == doctest::Approx(0.8660254));
  CHECK_FALSE(validation::spearman({1, 1}, {1, 2}).has_value());
}

namespace {

validation::CaseResult result(const std::string& id, const std::string& workload, double measured, double predicted) {
  validation::CaseResult r;
  r.id = id;
  r.workload = workload;
  r.measured_iteration_time_s = measured;
  r.predicted_iteration_time_s = predicted;
  r.error_pct = (predicted - measured) / measured * 100.0;
  return r;
}

}  // namespace

TEST_CASE("validation ranking: Spearman and the regret of the predicted-best layout per workload") {
  const std::vector<validation::CaseResult> results = {
      // Workload A: the predictor swaps the two fastest; it would pick b (12 s) over a (10 s).
      result("a", "A", 10.0, 9.0), result("b", "A", 12.0, 8.0), result("c", "A", 15.0, 14.0),
      // Workload B: right order.
      result("d", "B", 1.0, 1.1), result("e", "B", 2.0, 2.2),
      // A single layout forms no group.
      result("f", "C", 3.0, 3.0)};
  const auto s = validation::rank_workloads(results);
  REQUIRE(s.groups.size() == 2);
  CHECK(s.groups[0].workload == "A");
  CHECK(*s.groups[0].spearman == doctest::Approx(0.5));  // ranks (2,1,3) vs (1,2,3): 1 - 6*2/24
  CHECK(s.groups[0].regret == doctest::Approx(0.2));     // 12 / 10 - 1
  CHECK(s.groups[0].predicted_best == "b");
  CHECK(s.groups[1].regret == 0.0);
  CHECK(*s.median_spearman == doctest::Approx(0.75));
  CHECK(*s.worst_regret == doctest::Approx(0.2));
  CHECK(*s.median_regret == doctest::Approx(0.1));
}

TEST_CASE("validation bands: 10th-90th percentile of measured / predicted, broader groups where few cases") {
  std::vector<validation::ValidationCase> cases;
  std::vector<validation::CaseResult> out;
  for (int i = 0; i < 11; ++i) {
    validation::ValidationCase c;
    c.gpu = "H100-SXM5-80GB";
    c.framework_family = i < 10 ? "megatron" : "jax";
    cases.push_back(c);
    // measured / predicted = 0.8, 0.85, ..., 1.3 (predicted 1 s).
    out.push_back(result("c" + std::to_string(i), "w", 0.8 + 0.05 * i, 1.0));
  }
  const auto bands = validation::prediction_bands(cases, out);
  const auto find = [&](const std::string& gpu, const std::string& stack) -> const hardware::BandEntry* {
    for (const auto& b : bands) {
      if (b.gpu_family == gpu && b.framework_family == stack) return &b;
    }
    return nullptr;
  };
  const auto* all = find("", "");
  REQUIRE(all != nullptr);
  CHECK(all->band.cases == 11);
  CHECK(all->band.low_ratio == doctest::Approx(0.85));   // position 1.0 of 0..10
  CHECK(all->band.high_ratio == doctest::Approx(1.25));  // position 9.0
  REQUIRE(find("H100", "megatron") != nullptr);          // 10 cases: enough
  CHECK(find("H100", "megatron")->band.high_ratio == doctest::Approx(1.205));  // 0.8 .. 1.25, position 8.1
  CHECK(find("H100", "jax") == nullptr);                 // one case: the broader groups answer
}
