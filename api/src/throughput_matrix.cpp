#include "perfplan/api/throughput_matrix.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <thread>

#include "perfplan/api/library.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/common/limits.hpp"
#include "perfplan/predictor/gpu_support.hpp"

namespace perfplan::api {

const MatrixCell& ThroughputMatrix::at(const std::string& job, const std::string& gpu_type, int64_t gpus) const {
  for (const auto& c : cells) {
    if (c.job == job && c.gpu_type == gpu_type && c.gpus == gpus) return c;
  }
  throw std::out_of_range("no cell for job '" + job + "' on " + gpu_type + " x " + std::to_string(gpus));
}

ThroughputMatrix Library::throughput_matrix(const std::vector<Job>& jobs, const std::vector<std::string>& gpu_types,
                                            const std::vector<int64_t>& gpu_counts, const std::string& framework,
                                            int threads) const {
  const auto start = std::chrono::steady_clock::now();
  if (threads < 0) throw InputError("threads must be 0 (all cores) or positive (got " + std::to_string(threads) + ")");
  for (int64_t n : gpu_counts) {
    if (n <= 0) throw InputError("gpu counts must be positive (got " + std::to_string(n) + ")");
  }
  const double cells = static_cast<double>(jobs.size()) * static_cast<double>(gpu_types.size()) *
                      static_cast<double>(gpu_counts.size());
  if (cells > static_cast<double>(limits::kMaxMatrixCells)) {
    throw InputError("a throughput matrix of " + std::to_string(jobs.size()) + " jobs x " +
                     std::to_string(gpu_types.size()) + " GPU types x " + std::to_string(gpu_counts.size()) +
                     " counts has more than " + std::to_string(limits::kMaxMatrixCells) +
                     " cells; ask for fewer (split the call)");
  }
  // A type or count listed twice would be searched twice and make at() ambiguous.
  for (size_t i = 0; i < gpu_types.size(); ++i) {
    for (size_t k = 0; k < i; ++k) {
      if (gpu_types[k] == gpu_types[i]) throw InputError("gpu types list '" + gpu_types[i] + "' twice");
    }
  }
  for (size_t i = 0; i < gpu_counts.size(); ++i) {
    for (size_t k = 0; k < i; ++k) {
      if (gpu_counts[k] == gpu_counts[i]) throw InputError("gpu counts list " + std::to_string(gpu_counts[i]) + " twice");
    }
  }
  ThroughputMatrix m;
  m.gpu_types = gpu_types;
  m.gpu_counts = gpu_counts;
  // Each job's request once (model, framework, batch), checked before any search: bad input is
  // an error of the call, not an empty cell.
  std::vector<planner::PlanRequest> base;
  for (const Job& job : jobs) {
    PlanOptions o;
    o.model = job.model;
    o.gbs = job.gbs;
    o.seq = job.seq;
    o.dtype = job.dtype;
    o.framework = framework;
    o.top = 1;
    o.threads = 1;
    o.cluster = gpu_types.empty() ? std::string("dgx-h100") : gpu_types.front();
    o.gpus = gpu_counts.empty() ? 8 : gpu_counts.front();
    base.push_back(plan_request(o));
    m.jobs.push_back(job.name.empty() ? base.back().architecture.name : job.name);
    for (size_t k = 0; k + 1 < m.jobs.size(); ++k) {
      if (m.jobs[k] == m.jobs.back()) {
        throw InputError("two jobs are named '" + m.jobs.back() + "'; give each job a distinct name");
      }
    }
  }
  for (const auto& type : gpu_types) (void)hardware_->cluster(type, 8);  // an unknown type is an InputError here
  for (size_t j = 0; j < jobs.size(); ++j) {
    for (const auto& type : gpu_types) {
      for (int64_t n : gpu_counts) {
        MatrixCell cell;
        cell.job = m.jobs[j];
        cell.gpu_type = type;
        cell.gpus = n;
        m.cells.push_back(std::move(cell));
      }
    }
  }
  const size_t per_job = gpu_types.size() * gpu_counts.size();
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  const auto work = [&]() {
    for (size_t i = next++; i < m.cells.size() && !failed; i = next++) {
      MatrixCell& cell = m.cells[i];
      try {
        planner::PlanRequest r = base[i / per_job];
        r.search = planner::PlanRequest::Search::kQuick;
        try {
          r.cluster = hardware_->cluster(cell.gpu_type, cell.gpus);
        } catch (const InputError& e) {
          cell.empty_reason = e.what();  // e.g. a count that is not whole nodes
          continue;
        }
        // A dtype or kernel the GPU type cannot run (bf16 on V100) is an empty cell saying so,
        // not an error of the whole matrix (planner::plan refuses such a request).
        if (const auto why = predictor::check_gpu_support(r.cluster, r.dtype, r.attention)) {
          cell.empty_reason = why->detail;
          continue;
        }
        r.band = hardware_->prediction_band(r.cluster.gpu.name, r.framework.family);
        const planner::PlanResult result = planner::plan(r);
        if (result.top.empty()) {
          cell.empty_reason = result.stats.nothing_fits;
          continue;
        }
        const auto& best = result.top.front();
        const auto& p = best.prediction;
        cell.feasible = true;
        cell.tokens_per_s = p.tokens_per_s;
        cell.tokens_per_s_low = p.band ? p.tokens_per_s * p.iteration_time_s / p.band->high_s : p.tokens_per_s;
        cell.tokens_per_s_high = p.band ? p.tokens_per_s * p.iteration_time_s / p.band->low_s : p.tokens_per_s;
        cell.mfu = p.mfu;
        cell.iteration_time_s = p.iteration_time_s;
        cell.memory_gib = p.memory.peak.total_bytes() / 1073741824.0;
        cell.layout = best.config;
        cell.layout_text = predictor::to_string(best.config);
      } catch (...) {
        if (!failed.exchange(true)) failure = std::current_exception();
      }
    }
  };
  const unsigned workers = std::max<unsigned>(
      1, std::min<unsigned>(threads > 0 ? static_cast<unsigned>(threads) : std::max(1u, std::thread::hardware_concurrency()),
                            static_cast<unsigned>(std::max<size_t>(1, m.cells.size()))));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return m;
}

}  // namespace perfplan::api
