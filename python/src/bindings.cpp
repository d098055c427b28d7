// The native half of `import perfplan`: api::Library's predict / plan / throughput_matrix on
// dictionaries of the CLI's option names, results as plain dictionaries (python/perfplan/ wraps
// them in dataclasses). InputError becomes ValueError with the same message; the GIL is released
// while perfplan computes, so Python threads can call it at once.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <memory>
#include <optional>
#include <string>

#include "perfplan/perfplan.hpp"

namespace py = pybind11;
using namespace perfplan;

namespace {

template <typename T>
void take(const py::dict& d, const char* key, T& out) {
  if (!d.contains(key) || d[key].is_none()) return;
  try {
    out = d[key].cast<T>();
  } catch (const py::cast_error&) {
    // The Python layer checked the type: what is left is a value the C++ type cannot hold.
    throw InputError(std::string(key) + " = " + py::str(d[key]).cast<std::string>() +
                     " is out of range for this option");
  }
}

api::PlanOptions plan_options(const py::dict& d) {
  api::PlanOptions o;
  take(d, "model", o.model);
  take(d, "cluster", o.cluster);
  take(d, "gpus", o.gpus);
  take(d, "gbs", o.gbs);
  take(d, "seq", o.seq);
  take(d, "tokens", o.tokens);
  take(d, "rank", o.rank);
  take(d, "top", o.top);
  take(d, "dtype", o.dtype);
  take(d, "framework", o.framework);
  take(d, "threads", o.threads);
  take(d, "tp", o.tp);
  take(d, "pp", o.pp);
  take(d, "cp", o.cp);
  take(d, "ep", o.ep);
  take(d, "dp", o.dp);
  take(d, "max_tp", o.max_tp);
  take(d, "max_pp", o.max_pp);
  take(d, "max_cp", o.max_cp);
  take(d, "max_ep", o.max_ep);
  take(d, "no_fsdp", o.no_fsdp);
  take(d, "mem_headroom", o.mem_headroom);
  return o;
}

api::PredictOptions predict_options(const py::dict& d) {
  api::PredictOptions o;
  take(d, "model", o.model);
  take(d, "cluster", o.cluster);
  take(d, "gpus", o.gpus);
  take(d, "tp", o.tp);
  take(d, "pp", o.pp);
  take(d, "dp", o.dp);
  take(d, "cp", o.cp);
  take(d, "ep", o.ep);
  take(d, "etp", o.etp);
  take(d, "vp", o.vp);
  take(d, "mbs", o.mbs);
  take(d, "gbs", o.gbs);
  take(d, "seq", o.seq);
  take(d, "sp", o.sp);
  take(d, "zero", o.zero);
  take(d, "distributed_optimizer", o.distributed_optimizer);
  take(d, "shard_size", o.shard_size);
  take(d, "recompute", o.recompute);
  take(d, "schedule", o.schedule);
  take(d, "post_validation", o.post_validation);
  take(d, "dtype", o.dtype);
  take(d, "attention", o.attention);
  take(d, "framework", o.framework);
  take(d, "tp_comm_overlap", o.tp_comm_overlap);
  take(d, "moe_comm_overlap", o.moe_comm_overlap);
  take(d, "moe_dispatcher", o.moe_dispatcher);
  take(d, "no_grad_overlap", o.no_grad_overlap);
  take(d, "rank_order", o.rank_order);
  return o;
}

py::dict layout_dict(const predictor::ParallelConfig& c) {
  py::dict d;
  d["text"] = predictor::to_string(c);
  d["tp"] = c.tp;
  d["sp"] = c.sequence_parallel;
  d["pp"] = c.pp;
  d["vp"] = c.vp;
  d["dp"] = c.dp;
  d["cp"] = c.cp;
  d["ep"] = c.ep;
  d["etp"] = c.etp;
  d["mbs"] = c.micro_batch_size;
  d["gbs"] = c.global_batch_size;
  d["recompute"] = model::to_string(c.recompute);
  d["zero"] = c.zero_stage;
  d["distributed_optimizer"] = c.distributed_optimizer;
  d["shard_size"] = c.shard_size;
  d["schedule"] = predictor::to_string(c.schedule);
  return d;
}

py::dict prediction_dict(const predictor::Prediction& p) {
  py::dict d;
  d["iteration_time_s"] = p.iteration_time_s;
  d["iteration_time_low_s"] = p.band ? p.band->low_s : p.iteration_time_s;
  d["iteration_time_high_s"] = p.band ? p.band->high_s : p.iteration_time_s;
  d["tokens_per_s"] = p.tokens_per_s;
  d["mfu"] = p.mfu;
  d["memory_gib"] = p.memory.peak.total_bytes() / 1073741824.0;
  d["fits"] = p.memory.fits;
  d["micro_batches"] = p.micro_batches;
  d["bubble_fraction"] = p.bubble_fraction;
  return d;
}

struct Native {
  std::shared_ptr<const api::Library> lib;

  py::dict predict(const py::dict& options) const {
    const api::PredictOptions o = predict_options(options);
    predictor::Prediction p;
    {
      py::gil_scoped_release release;
      p = lib->predict(o);
    }
    return prediction_dict(p);
  }

  py::dict plan(const py::dict& options) const {
    const api::PlanOptions o = plan_options(options);
    planner::PlanResult r;
    {
      py::gil_scoped_release release;
      r = lib->plan(o);
    }
    py::list rows;
    for (const auto& c : r.top) {
      py::dict row = prediction_dict(c.prediction);
      row["layout"] = layout_dict(c.config);
      row["time_to_train_s"] = c.time_to_train_s;
      row["cost_usd"] = c.cost_usd;
      row["why"] = c.why;
      row["equivalents"] = c.equivalents;
      row["ties_best"] = c.ties_best;
      rows.append(row);
    }
    py::dict out;
    out["rows"] = rows;
    out["enumerated"] = r.stats.enumerated;
    out["feasible"] = r.stats.feasible;
    out["seconds"] = r.search_seconds;
    out["nothing_fits"] = r.stats.nothing_fits;
    return out;
  }

  py::dict throughput_matrix(const py::list& jobs, const std::vector<std::string>& gpu_types,
                             const std::vector<int64_t>& gpu_counts, const std::string& framework, int threads) const {
    std::vector<api::Job> native;
    for (const auto& item : jobs) {
      const py::dict d = item.cast<py::dict>();
      api::Job j;
      take(d, "name", j.name);
      take(d, "model", j.model);
      take(d, "gbs", j.gbs);
      take(d, "seq", j.seq);
      take(d, "dtype", j.dtype);
      native.push_back(std::move(j));
    }
    api::ThroughputMatrix m;
    {
      py::gil_scoped_release release;
      m = lib->throughput_matrix(native, gpu_types, gpu_counts, framework, threads);
    }
    py::list cells;
    for (const auto& c : m.cells) {
      py::dict d;
      d["job"] = c.job;
      d["gpu_type"] = c.gpu_type;
      d["gpus"] = c.gpus;
      d["feasible"] = c.feasible;
      d["tokens_per_s"] = c.tokens_per_s;
      d["tokens_per_s_low"] = c.tokens_per_s_low;
      d["tokens_per_s_high"] = c.tokens_per_s_high;
      d["mfu"] = c.mfu;
      d["iteration_time_s"] = c.iteration_time_s;
      d["memory_gib"] = c.memory_gib;
      d["layout"] = c.feasible ? py::object(layout_dict(c.layout)) : py::none();
      d["empty_reason"] = c.empty_reason;
      cells.append(d);
    }
    py::dict out;
    out["cells"] = cells;
    out["seconds"] = m.seconds;
    return out;
  }
};

}  // namespace

PYBIND11_MODULE(_perfplan, m) {
  m.doc() = "perfplan native module (use the perfplan package)";
  static py::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  // The message may quote a file's bytes or a path that are not UTF-8: decoded with replacement
  // characters, so it is never lost (pybind11's default conversion would leave no message).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      const std::string what = e.what();
      PyObject* text = PyUnicode_DecodeUTF8(what.data(), static_cast<Py_ssize_t>(what.size()), "replace");
      PyErr_SetObject(input_error.ptr(), text);
      Py_XDECREF(text);
    }
  });
  m.attr("__version__") = kPerfplanVersion;
  py::class_<Native>(m, "Library")
      .def(py::init([](const std::optional<std::filesystem::path>& data_dir) {
             std::shared_ptr<const api::Library> lib;
             {
               py::gil_scoped_release release;
               lib = std::make_shared<const api::Library>(data_dir);
             }
             return Native{lib};
           }),
           py::arg("data_dir") = py::none())
      .def_property_readonly("data_directory", [](const Native& n) { return n.lib->data_directory(); })
      .def("predict", &Native::predict)
      .def("plan", &Native::plan)
      .def("throughput_matrix", &Native::throughput_matrix);
}
