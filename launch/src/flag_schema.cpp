#include "perfplan/launch/flag_schema.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "perfplan/common/data_directory.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/common/json_file.hpp"

namespace perfplan::launch {
namespace {

using nlohmann::json;

bool is_int(const std::string& v) {
  if (v.empty()) return false;
  size_t i = v[0] == '-' ? 1 : 0;
  if (i == v.size()) return false;
  for (; i < v.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
  }
  return true;
}

bool is_float(const std::string& v) {
  try {
    size_t used = 0;
    const double x = std::stod(v, &used);
    return used == v.size() && std::isfinite(x);
  } catch (const std::exception&) {
    return false;
  }
}

bool value_fits(const std::string& kind, const std::string& v) {
  if (kind == "int") return is_int(v);
  if (kind == "float") return is_float(v);
  return !v.empty();
}

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

std::string unquote(std::string v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  return v;
}

}  // namespace

std::filesystem::path default_schema_directory() { return common::data_directory() / "launch" / "schemas"; }

FlagSchema load_flag_schema(const std::filesystem::path& file) {
  const json doc = common::read_json_file(file);
  const std::string where = file.string();
  FlagSchema s;
  try {
    s.framework = doc.at("framework").get<std::string>();
    s.version = doc.at("version").get<std::string>();
    s.source = doc.at("source").get<std::string>();
    for (const auto& [name, spec] : doc.at("flags").items()) {
      FlagSpec f;
      f.kind = spec.at("kind").get<std::string>();
      if (f.kind != "switch" && f.kind != "int" && f.kind != "float" && f.kind != "str" && f.kind != "choice" &&
          f.kind != "list") {
        throw InputError(where + ": flags." + name + ".kind: accepted switch, int, float, str, choice, list (got '" +
                         f.kind + "')");
      }
      if (f.kind == "choice") {
        for (const auto& v : spec.at("choices")) f.choices.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      }
      if (f.kind == "list") f.item = spec.value("item", std::string("str"));
      s.flags[name] = f;
    }
    const auto strings = [](const json& v) {
      std::vector<std::string> out;
      for (const auto& x : v.is_array() ? v : json::array({v})) out.push_back(x.is_string() ? x.get<std::string>() : x.dump());
      return out;
    };
    const auto text = [](const json& r, const char* key) {
      if (!r.contains(key)) return std::string();
      return r.at(key).is_string() ? r.at(key).get<std::string>() : r.at(key).dump();
    };
    const auto number = [](const json& r, const char* key) -> std::optional<double> {
      if (!r.contains(key) || !r.at(key).is_number()) return std::nullopt;
      return r.at(key).get<double>();
    };
    for (const auto& r : doc.value("requires", json::array())) {
      FlagSchema::Requires q;
      q.if_flags = strings(r.at("if"));
      q.then_any = r.contains("any_of") ? strings(r.at("any_of")) : strings(r.at("then"));
      q.if_value = text(r, "if_value");
      q.if_value_not = text(r, "if_value_not");
      q.if_value_contains = text(r, "if_value_contains");
      q.if_value_min = number(r, "if_value_min");
      q.value = text(r, "value");
      q.value_not = text(r, "value_not");
      if (r.contains("value_in")) {
        for (const auto& v : r.at("value_in")) q.value_in.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      }
      q.value_min = number(r, "value_min");
      q.value_max = number(r, "value_max");
      s.requires_flags.push_back(std::move(q));
    }
    for (const auto& e : doc.value("env", json::array())) {
      FlagSchema::EnvRule rule;
      rule.var = e.at("var").get<std::string>();
      rule.value = text(e, "value");
      rule.value_not = text(e, "value_not");
      rule.source = text(e, "source");
      if (e.contains("when_any")) rule.when_any = strings(e.at("when_any"));
      if (e.contains("when_any_above_1")) rule.when_any_above_1 = strings(e.at("when_any_above_1"));
      if (e.contains("unless_any")) rule.unless_any = strings(e.at("unless_any"));
      if (rule.value.empty() == rule.value_not.empty()) {
        throw InputError(where + ": env rule for " + rule.var + ": give exactly one of value, value_not");
      }
      s.env.push_back(std::move(rule));
    }
    for (const auto& c : doc.value("conflicts", json::array())) {
      if (!c.contains("when")) s.conflicts.push_back(strings(c.at("flags")));
    }
    for (const auto& d : doc.value("divides", json::array())) {
      FlagSchema::Divides v;
      const json& divisor = d.at("divisor");
      for (const auto& term : divisor.is_array() ? divisor : json::array({divisor})) {
        v.divisor.push_back(term.is_string() ? term.get<std::string>() : term.dump());
      }
      v.of = d.at("of").get<std::string>();
      v.when = text(d, "when");
      s.divides.push_back(std::move(v));
    }
  } catch (const json::exception& e) {
    throw InputError(where + ": malformed flag schema (" + e.what() + ")");
  }
  return s;
}

std::vector<std::string> check_command(const FlagSchema& schema, const std::string& command, const std::string& script) {
  std::vector<std::string> problems;
  // Tokens after the script, line continuations dropped.
  // Comment lines dropped, then line continuations.
  std::string text;
  {
    std::istringstream lines(command);
    for (std::string line; std::getline(lines, line);) {
      const size_t first = line.find_first_not_of(" \t");
      if (first != std::string::npos && line[first] == '#') continue;
      text += line + "\n";
    }
  }
  for (size_t at = text.find("\\\n"); at != std::string::npos; at = text.find("\\\n")) text.replace(at, 2, " ");
  const size_t start = text.find(script);
  if (start == std::string::npos) return {"no '" + script + "' in the command"};
  std::istringstream in(text.substr(start + script.size()));
  std::vector<std::string> tokens;
  for (std::string t; in >> t;) {
    if (t.rfind("#", 0) == 0) break;
    tokens.push_back(t);
  }
  std::map<std::string, std::vector<std::string>> given;
  for (size_t i = 0; i < tokens.size();) {
    const std::string flag = tokens[i++];
    if (flag.rfind("--", 0) != 0) {
      problems.push_back("'" + flag + "' is not a flag (a value without one)");
      continue;
    }
    std::vector<std::string> values;
    while (i < tokens.size() && !(tokens[i].rfind("--", 0) == 0 && !is_float(tokens[i]))) values.push_back(unquote(tokens[i++]));
    if (given.count(flag)) problems.push_back(flag + " given twice");
    given[flag] = values;
    const auto spec = schema.flags.find(flag);
    if (spec == schema.flags.end()) {
      problems.push_back(flag + ": not a " + schema.framework + " " + schema.version + " flag");
      continue;
    }
    const FlagSpec& f = spec->second;
    if (f.kind == "switch") {
      if (!values.empty()) problems.push_back(flag + " takes no value (got '" + values.front() + "')");
    } else if (f.kind == "list") {
      if (values.empty()) problems.push_back(flag + " needs at least one value");
      for (const auto& v : values) {
        if (!value_fits(f.item, v)) problems.push_back(flag + ": '" + v + "' is not a " + f.item);
      }
    } else if (values.size() != 1) {
      problems.push_back(flag + " takes one value (got " + std::to_string(values.size()) + ")");
    } else if (f.kind == "choice") {
      if (std::find(f.choices.begin(), f.choices.end(), values.front()) == f.choices.end()) {
        problems.push_back(flag + ": '" + values.front() + "' is not one of its choices");
      }
    } else if (!value_fits(f.kind, values.front())) {
      problems.push_back(flag + ": '" + values.front() + "' is not a " + f.kind);
    }
  }
  const auto value_of = [&](const std::string& flag) -> std::string {
    const auto it = given.find(flag);
    return it == given.end() || it->second.empty() ? "" : it->second.front();
  };
  const auto as_number = [](const std::string& v) -> std::optional<double> {
    return is_float(v) ? std::optional<double>(std::stod(v)) : std::nullopt;
  };
  for (const auto& r : schema.requires_flags) {
    bool applies = true;
    for (const auto& f : r.if_flags) applies = applies && given.count(f) > 0;
    if (!applies) continue;
    const std::string v = value_of(r.if_flags.front());
    if (!r.if_value.empty() && v != r.if_value) continue;
    if (!r.if_value_not.empty() && v == r.if_value_not) continue;
    if (!r.if_value_contains.empty() && v.find(r.if_value_contains) == std::string::npos) continue;
    if (r.if_value_min && !(as_number(v) && *as_number(v) >= *r.if_value_min)) continue;
    const auto present = std::find_if(r.then_any.begin(), r.then_any.end(), [&](const std::string& f) { return given.count(f) > 0; });
    std::string when = r.if_flags.front() + (v.empty() ? "" : " " + v);
    if (present == r.then_any.end()) {
      problems.push_back(when + " requires " + r.then_any.front());
      continue;
    }
    const std::string w = value_of(*present);
    const bool value_ok = (r.value.empty() || w == r.value) && (r.value_not.empty() || w != r.value_not) &&
                          (r.value_in.empty() || std::find(r.value_in.begin(), r.value_in.end(), w) != r.value_in.end()) &&
                          (!r.value_min || (as_number(w) && *as_number(w) >= *r.value_min)) &&
                          (!r.value_max || (as_number(w) && *as_number(w) <= *r.value_max));
    if (!value_ok) problems.push_back(when + " requires " + *present + " with another value than '" + w + "'");
  }
  for (const auto& c : schema.conflicts) {
    std::vector<std::string> present;
    for (const auto& f : c) {
      if (given.count(f)) present.push_back(f);
    }
    if (present.size() > 1) problems.push_back(present[0] + " conflicts with " + present[1]);
    if (c.size() == 1 && present.size() == 1) problems.push_back(present[0] + " must not be set");
  }
  // The launcher's world size (torchrun --nnodes x --nproc_per_node) and the data-parallel size.
  std::optional<double> world;
  {
    std::istringstream head(text.substr(0, start));
    std::vector<std::string> t;
    for (std::string w; head >> w;) t.push_back(w);
    double nodes = 1, per_node = 0;
    for (size_t i = 0; i + 1 < t.size(); ++i) {
      if (t[i] == "--nnodes" && is_int(t[i + 1])) nodes = std::stod(t[i + 1]);
      if (t[i] == "--nproc_per_node" && is_int(t[i + 1])) per_node = std::stod(t[i + 1]);
    }
    if (per_node > 0) world = nodes * per_node;
  }
  const auto degree = [&](const char* flag) { return as_number(value_of(flag)).value_or(1.0); };
  // Environment: `export VAR=value` (or `VAR=value` before the launcher) lines ahead of the script.
  std::map<std::string, std::string> env;
  {
    std::istringstream head(text.substr(0, start));
    for (std::string w; head >> w;) {
      const size_t eq = w.find('=');
      if (eq == std::string::npos || eq == 0 || w.rfind("--", 0) == 0) continue;
      env[w.substr(0, eq)] = unquote(w.substr(eq + 1));
    }
  }
  for (const auto& rule : schema.env) {
    bool applies = rule.when_any.empty() && rule.when_any_above_1.empty();
    for (const auto& f : rule.when_any) applies = applies || given.count(f) > 0;
    for (const auto& f : rule.when_any_above_1) applies = applies || (given.count(f) && degree(f.c_str()) > 1);
    for (const auto& f : rule.unless_any) applies = applies && given.count(f) == 0;
    if (!applies) continue;
    const auto it = env.find(rule.var);
    const std::string where = rule.source.empty() ? "" : " (" + rule.source + ")";
    if (!rule.value.empty() && (it == env.end() || it->second != rule.value)) {
      problems.push_back(rule.var + " must be " + rule.value + " here" + where);
    }
    if (!rule.value_not.empty() && it != env.end() && it->second == rule.value_not) {
      problems.push_back(rule.var + " must not be " + rule.value_not + " here" + where);
    }
  }
  const auto term = [&](const std::string& t) -> std::optional<double> {
    if (t == "WORLD_SIZE") return world;
    if (t == "DATA_PARALLEL_SIZE") {
      if (!world) return std::nullopt;
      return *world / (degree("--tensor-model-parallel-size") * degree("--pipeline-model-parallel-size") *
                       degree("--context-parallel-size"));
    }
    if (t.rfind("--", 0) != 0) return as_number(t);
    if (!given.count(t)) return std::nullopt;
    return as_number(value_of(t));
  };
  for (const auto& d : schema.divides) {
    // A condition of the form "--flag not set" excludes runs giving that flag; other conditions
    // hold where every term is given.
    const size_t not_set = d.when.find(" not set");
    if (not_set != std::string::npos && given.count(d.when.substr(0, not_set))) continue;
    double divisor = 1;
    bool known = true;
    for (const auto& t : d.divisor) {
      const auto x = term(t);
      known = known && x && *x > 0;
      if (known) divisor *= *x;
    }
    if (!known) continue;
    double of = 0;
    if (d.of == "--pipeline-model-parallel-layout") {
      const std::string layout = value_of(d.of);
      if (layout.empty()) continue;
      of = static_cast<double>(std::count(layout.begin(), layout.end(), '|') + 1);
    } else {
      const auto x = term(d.of);
      if (!x) continue;
      of = *x;
      if (d.of == "--num-layers") {
        // An explicit layout or first / last stage sizes replace the even split; the embedding and
        // the loss count as a layer each where asked.
        if (given.count("--pipeline-model-parallel-layout") || given.count("--decoder-first-pipeline-num-layers") ||
            given.count("--decoder-last-pipeline-num-layers")) {
          continue;
        }
        of += (given.count("--account-for-embedding-in-pipeline-split") ? 1 : 0) +
              (given.count("--account-for-loss-in-pipeline-split") ? 1 : 0);
        if (d.divisor.size() == 1 && d.divisor.front() == "--num-layers-per-virtual-pipeline-stage") {
          of /= degree("--pipeline-model-parallel-size");  // layers per pipeline stage
        }
      }
    }
    if (std::fmod(of, divisor) != 0) {
      std::string names;
      for (const auto& t : d.divisor) names += (names.empty() ? "" : " x ") + t;
      problems.push_back(d.of + " (" + number_text(of) + ") must divide by " + names + " (" + number_text(divisor) + ")");
    }
  }
  return problems;
}

}  // namespace perfplan::launch
