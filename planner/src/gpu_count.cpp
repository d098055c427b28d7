#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/units.hpp"
#include "perfplan/planner/plan.hpp"

namespace perfplan::planner {

GpuCountChoice choose_gpu_count(const PlanRequest& request, int64_t max_gpus, std::optional<double> deadline_s,
                                std::optional<double> budget_usd) {
  if (!deadline_s && !budget_usd) throw InputError("choosing a GPU count needs a deadline or a budget");
  if ((deadline_s && !(*deadline_s > 0)) || (budget_usd && !(*budget_usd > 0))) {
    throw InputError("the deadline and the budget must be positive");
  }
  GpuCountChoice choice;
  // The cheapest layout at each count for a deadline (cost = GPUs x price x time, so also the
  // fastest); the fastest for a budget.
  PlanRequest ranked = request;
  ranked.rank_by = deadline_s ? RankBy::kCost : RankBy::kTime;
  for (const auto& [gpus, best] : best_at_each_count(ranked, max_gpus)) {
    choice.tried.push_back({gpus, best.time_to_train_s, best.cost_usd});
  }
  if (choice.tried.empty()) return choice;
  const GpuCountOption* best = nullptr;
  for (const auto& o : choice.tried) {
    const bool ok = deadline_s ? o.time_to_train_s <= *deadline_s : o.cost_usd <= *budget_usd;
    if (!ok) continue;
    const bool better = !best || (deadline_s ? o.cost_usd < best->cost_usd : o.time_to_train_s < best->time_to_train_s);
    if (better) best = &o;
  }
  choice.met = best != nullptr;
  if (!best) {
    // Closest: the fastest for a missed deadline, the cheapest for a missed budget.
    best = &*std::min_element(choice.tried.begin(), choice.tried.end(), [&](const auto& a, const auto& b) {
      return deadline_s ? a.time_to_train_s < b.time_to_train_s : a.cost_usd < b.cost_usd;
    });
  }
  choice.gpus = best->gpus;
  const double days = best->time_to_train_s / units::kSecondsPerDay;
  if (deadline_s) {
    choice.summary = fmt::format("{} GPUs: {} the {:.3g}-day deadline in {:.3g} days at ${:.3g} ({})", best->gpus,
                                 choice.met ? "the cheapest count that meets" : "no count up to " +
                                                                                    std::to_string(max_gpus) +
                                                                                    " meets; the fastest misses",
                                 *deadline_s / units::kSecondsPerDay, days, best->cost_usd,
                                 fmt::format("{} counts searched, {} to {} GPUs", choice.tried.size(),
                                             choice.tried.front().gpus, choice.tried.back().gpus));
  } else {
    choice.summary = fmt::format("{} GPUs: {} ${:.3g} in {:.3g} days at ${:.3g} ({} counts searched, {} to {} GPUs)",
                                 best->gpus,
                                 choice.met ? "the fastest count within the budget of" : "no count fits the budget of",
                                 *budget_usd, days, best->cost_usd, choice.tried.size(), choice.tried.front().gpus,
                                 choice.tried.back().gpus);
  }
  return choice;
}

}  // namespace perfplan::planner
