#include "perfplan/validation/ranking.hpp"

#include <algorithm>
#include <map>

#include "perfplan/validation/statistics.hpp"

namespace perfplan::validation {

RankingSummary rank_workloads(const std::vector<CaseResult>& results) {
  std::map<std::string, std::vector<const CaseResult*>> by_workload;
  std::vector<std::string> order;
  for (const auto& r : results) {
    if (!r.skipped.empty() || !r.measured_iteration_time_s || !r.predicted_iteration_time_s) continue;
    if (!by_workload.count(r.workload)) order.push_back(r.workload);
    by_workload[r.workload].push_back(&r);
  }
  RankingSummary s;
  std::vector<double> rhos, regrets;
  for (const auto& workload : order) {
    const auto& group = by_workload[workload];
    if (group.size() < 2) continue;
    WorkloadRanking w;
    w.workload = workload;
    w.layouts = static_cast<int64_t>(group.size());
    std::vector<double> measured, predicted;
    const CaseResult* predicted_best = group.front();
    const CaseResult* measured_best = group.front();
    for (const CaseResult* r : group) {
      measured.push_back(*r->measured_iteration_time_s);
      predicted.push_back(*r->predicted_iteration_time_s);
      if (*r->predicted_iteration_time_s < *predicted_best->predicted_iteration_time_s) predicted_best = r;
      if (*r->measured_iteration_time_s < *measured_best->measured_iteration_time_s) measured_best = r;
    }
    w.spearman = spearman(predicted, measured);
    w.regret = *predicted_best->measured_iteration_time_s / *measured_best->measured_iteration_time_s - 1.0;
    w.predicted_best = predicted_best->id;
    w.measured_best = measured_best->id;
    if (w.spearman) rhos.push_back(*w.spearman);
    regrets.push_back(w.regret);
    s.groups.push_back(std::move(w));
  }
  s.median_spearman = median(rhos);
  s.median_regret = median(regrets);
  if (!regrets.empty()) s.worst_regret = *std::max_element(regrets.begin(), regrets.end());
  return s;
}

}  // namespace perfplan::validation
