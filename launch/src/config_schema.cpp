#include "perfplan/launch/config_schema.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/json_file.hpp"

namespace perfplan::launch {
namespace {

using nlohmann::json;

std::string trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

bool is_int(const std::string& v) {
  size_t i = !v.empty() && (v[0] == '-' || v[0] == '+') ? 1 : 0;
  if (i == v.size()) return false;
  for (; i < v.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
  }
  return true;
}

std::optional<double> as_number(const std::string& v) {
  try {
    size_t used = 0;
    const double x = std::stod(v, &used);
    if (used == v.size() && std::isfinite(x)) return x;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

bool quoted(const std::string& v) {
  return v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front();
}

// A literal as the framework would read it: strings unquoted, booleans lower-case, None / null as
// "None".
std::string normal(const std::string& raw) {
  const std::string v = trim(raw);
  if (quoted(v)) return v.substr(1, v.size() - 2);
  if (v == "True" || v == "true") return "true";
  if (v == "False" || v == "false") return "false";
  if (v == "None" || v == "null" || v == "~") return "None";
  return v;
}

bool is_set(const std::map<std::string, std::string>& values, const std::string& key) {
  const auto it = values.find(key);
  return it != values.end() && it->second != "None" && it->second != "false" && !it->second.empty();
}

// One term of a condition; nullopt when it is not of the evaluable forms.
std::optional<bool> term_holds(const std::string& term, const std::map<std::string, std::string>& values) {
  const std::string t = trim(term);
  if (t.size() > 8 && t.compare(t.size() - 8, 8, " not set") == 0) return !is_set(values, trim(t.substr(0, t.size() - 8)));
  if (t.size() > 4 && t.compare(t.size() - 4, 4, " set") == 0) {
    const std::string key = trim(t.substr(0, t.size() - 4));
    if (key.find(' ') != std::string::npos) return std::nullopt;
    return is_set(values, key);
  }
  std::istringstream in(t);
  std::string key, op, rhs, extra;
  if (!(in >> key >> op >> rhs) || (in >> extra)) return std::nullopt;
  if (op != ">" && op != ">=" && op != "<" && op != "<=" && op != "==" && op != "!=") return std::nullopt;
  const auto it = values.find(key);
  const std::string lhs = it == values.end() ? "None" : it->second;
  const std::string r = normal(rhs);
  if (op == "==") return lhs == r;
  if (op == "!=") return lhs != r;
  const auto a = as_number(lhs), b = as_number(r);
  if (!a || !b) return std::nullopt;
  if (op == ">") return *a > *b;
  if (op == ">=") return *a >= *b;
  if (op == "<") return *a < *b;
  return *a <= *b;
}

std::optional<bool> condition_holds(const std::string& when, const std::map<std::string, std::string>& values) {
  if (trim(when).empty()) return true;
  bool all = true;
  size_t start = 0;
  while (true) {
    const size_t at = when.find(" and ", start);
    const auto one = term_holds(when.substr(start, at == std::string::npos ? std::string::npos : at - start), values);
    if (!one) return std::nullopt;
    all = all && *one;
    if (at == std::string::npos) break;
    start = at + 5;
  }
  return all;
}

bool value_fits(const KeySpec& k, const std::string& raw, ConfigForm form) {
  const std::string v = trim(raw);
  const std::string n = normal(v);
  if (k.nullable && n == "None") return true;
  if (k.kind == "int") return is_int(v);
  if (k.kind == "float") return as_number(v).has_value();
  if (k.kind == "bool") return n == "true" || n == "false";
  if (k.kind == "str") return form == ConfigForm::kOverrides ? !v.empty() : quoted(v);
  if (k.kind == "choice") {
    if (form != ConfigForm::kOverrides && !quoted(v) && !as_number(v)) return false;
    return std::find(k.choices.begin(), k.choices.end(), n) != k.choices.end();
  }
  if (k.kind == "list") return v.rfind("[", 0) == 0 || v.rfind("append(", 0) == 0;
  if (k.kind == "dtype") return v.rfind("torch.", 0) == 0 || (form == ConfigForm::kOverrides && !v.empty());
  return !v.empty();  // object
}

std::vector<std::string> strings(const json& v) {
  std::vector<std::string> out;
  for (const auto& x : v.is_array() ? v : json::array({v})) out.push_back(x.is_string() ? x.get<std::string>() : x.dump());
  return out;
}

std::string text_of(const json& r, const char* key) {
  if (!r.contains(key)) return "";
  return r.at(key).is_string() ? r.at(key).get<std::string>() : r.at(key).dump();
}

std::optional<double> number_of(const json& r, const char* key) {
  if (!r.contains(key) || !r.at(key).is_number()) return std::nullopt;
  return r.at(key).get<double>();
}

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

ConfigSchema load_config_schema(const std::filesystem::path& file) {
  const json doc = common::read_json_file(file);
  const std::string where = file.string();
  ConfigSchema s;
  try {
    s.framework = doc.at("framework").get<std::string>();
    s.version = doc.at("version").get<std::string>();
    s.source = doc.at("source").get<std::string>();
    for (const auto& [name, spec] : doc.at("keys").items()) {
      KeySpec k;
      k.kind = spec.at("kind").get<std::string>();
      static const std::set<std::string> kinds = {"int", "float", "bool", "str", "choice", "list", "dtype", "object"};
      if (!kinds.count(k.kind)) {
        throw InputError(where + ": keys." + name + ".kind: accepted int, float, bool, str, choice, list, dtype, object (got '" +
                         k.kind + "')");
      }
      if (k.kind == "choice") k.choices = strings(spec.at("choices"));
      k.nullable = spec.value("nullable", false);
      if (spec.contains("default")) k.default_value = normal(text_of(spec, "default"));
      s.keys[name] = k;
    }
    for (const auto& r : doc.value("requires", json::array())) {
      ConfigSchema::Requires q;
      q.if_keys = strings(r.at("if"));
      q.if_value = r.contains("if_value") ? normal(text_of(r, "if_value")) : "";
      q.if_value_not = r.contains("if_value_not") ? normal(text_of(r, "if_value_not")) : "";
      q.if_value_contains = text_of(r, "if_value_contains");
      q.if_value_min = number_of(r, "if_value_min");
      q.when = text_of(r, "when");
      q.then = text_of(r, "then");
      q.value = r.contains("value") ? normal(text_of(r, "value")) : "";
      q.value_not = r.contains("value_not") ? normal(text_of(r, "value_not")) : "";
      if (r.contains("value_in")) {
        for (const auto& v : strings(r.at("value_in"))) q.value_in.push_back(normal(v));
      }
      q.value_min = number_of(r, "value_min");
      q.source = text_of(r, "source");
      s.requires_keys.push_back(std::move(q));
    }
    for (const auto& d : doc.value("divides", json::array())) {
      ConfigSchema::Divides v;
      v.divisor = strings(d.at("divisor"));
      v.of = strings(d.at("of"));
      v.when = text_of(d, "when");
      v.source = text_of(d, "source");
      s.divides.push_back(std::move(v));
    }
    for (const auto& p : doc.value("products", json::array())) {
      s.products.push_back({strings(p.at("factors")), text_of(p, "equals"), text_of(p, "source")});
    }
    for (const auto& c : doc.value("conflicts", json::array())) {
      s.conflicts.push_back({strings(c.at("keys")), text_of(c, "when"), text_of(c, "source")});
    }
    for (const auto& i : doc.value("implies", json::array())) {
      ConfigSchema::Implies v;
      v.if_key = i.at("if").get<std::string>();
      v.if_value_contains = text_of(i, "if_value_contains");
      v.source = text_of(i, "source");
      for (const auto& [k, x] : i.at("sets").items()) v.sets[k] = normal(x.is_string() ? x.get<std::string>() : x.dump());
      s.implies.push_back(std::move(v));
    }
    if (doc.contains("model_parallel_keys")) s.model_parallel_keys = strings(doc.at("model_parallel_keys"));
  } catch (const json::exception& e) {
    throw InputError(where + ": malformed config schema (" + e.what() + ")");
  }
  return s;
}

std::vector<std::pair<std::string, std::string>> parse_config(ConfigForm form, const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream lines(text);
  std::string section;
  bool after_script = false;
  int line_number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++line_number;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const auto bad = [&]() {
      throw InputError("line " + std::to_string(line_number) + " is not a config assignment: '" + t + "'");
    };
    if (form == ConfigForm::kToml) {
      if (t.front() == '[') {
        if (t.back() != ']') bad();
        section = trim(t.substr(1, t.size() - 2));
        continue;
      }
      const size_t eq = t.find('=');
      if (eq == std::string::npos) bad();
      out.emplace_back((section.empty() ? "" : section + ".") + trim(t.substr(0, eq)), trim(t.substr(eq + 1)));
    } else if (form == ConfigForm::kPythonRecipe) {
      if (t.rfind("import ", 0) == 0 || t.rfind("from ", 0) == 0) continue;
      if (t.rfind("recipe.", 0) != 0) bad();
      const size_t append = t.find(".append(");
      const size_t eq = t.find(" = ");
      if (append != std::string::npos && (eq == std::string::npos || append < eq)) {
        out.emplace_back(t.substr(7, append - 7), t.substr(append + 1));
        continue;
      }
      if (eq == std::string::npos) bad();
      out.emplace_back(trim(t.substr(7, eq - 7)), trim(t.substr(eq + 3)));
    } else {
      // Overrides: key=value tokens after the recipe script (`... script.py key=value \`).
      std::istringstream words(t);
      bool option_value = false;
      for (std::string w; words >> w;) {
        if (w == "\\") continue;
        if (!after_script) {
          after_script = w.size() > 3 && w.compare(w.size() - 3, 3, ".py") == 0;
          continue;
        }
        // The script's own options (--recipe NAME, --mode pretrain, -tp 8, --dry-run).
        if (w.rfind("-", 0) == 0) {
          option_value = w.find('=') == std::string::npos;
          continue;
        }
        const size_t eq = w.find('=');
        if (eq == std::string::npos && option_value) {
          option_value = false;
          continue;
        }
        option_value = false;
        if (eq == std::string::npos || eq == 0) bad();
        out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
      }
    }
  }
  return out;
}

ConfigCheck check_config(const ConfigSchema& schema, ConfigForm form, const std::string& text,
                         const std::map<std::string, std::string>& facts) {
  ConfigCheck out;
  auto& problems = out.problems;
  std::map<std::string, std::string> values;
  for (const auto& [key, fact] : facts) values[key] = normal(fact);
  std::set<std::string> given;
  for (const auto& [key, raw] : parse_config(form, text)) {
    const bool append = raw.rfind("append(", 0) == 0;
    if (given.count(key) && !append) problems.push_back(key + " set twice");
    given.insert(key);
    const auto spec = schema.keys.find(key);
    if (spec == schema.keys.end()) {
      problems.push_back(key + ": not a " + schema.framework + " " + schema.version + " key");
      continue;
    }
    if (append && spec->second.kind != "list") problems.push_back(key + ": append() on a " + spec->second.kind);
    if (!append && !value_fits(spec->second, raw, form)) {
      problems.push_back(key + ": " + raw + " is not a" + (spec->second.nullable ? " nullable " : " ") + spec->second.kind +
                         (spec->second.kind == "choice" ? " of its choices" : ""));
    }
    if (!append) values[key] = normal(raw);
  }
  for (const auto& i : schema.implies) {
    const auto it = values.find(i.if_key);
    if (it == values.end() || it->second.find(i.if_value_contains) == std::string::npos) continue;
    for (const auto& [k, v] : i.sets) values.emplace(k, v);
  }
  const auto world = [&]() -> std::optional<double> {
    const auto it = values.find("WORLD_SIZE");
    return it == values.end() ? std::nullopt : as_number(it->second);
  };
  const auto term = [&](const std::string& t) -> std::optional<double> {
    if (t == "DATA_PARALLEL_SIZE") {
      const auto w = world();
      if (!w) return std::nullopt;
      double model = 1;
      for (const auto& k : schema.model_parallel_keys) {
        const auto it = values.find(k);
        if (it != values.end() && it->second != "None") model *= as_number(it->second).value_or(1.0);
      }
      return *w / model;
    }
    const auto direct = as_number(t);
    if (direct) return direct;
    const auto it = values.find(t);
    if (it == values.end() || it->second == "None") return std::nullopt;
    return as_number(it->second);
  };
  for (const auto& r : schema.requires_keys) {
    bool applies = true;
    for (const auto& k : r.if_keys) applies = applies && values.count(k) > 0 && values.at(k) != "None";
    if (!applies) continue;
    const std::string v = values.at(r.if_keys.front());
    if (!r.if_value.empty() && v != r.if_value) continue;
    if (!r.if_value_not.empty() && v == r.if_value_not) continue;
    if (!r.if_value_contains.empty() && v.find(r.if_value_contains) == std::string::npos) continue;
    if (r.if_value_min) {
      bool all = true;
      for (const auto& k : r.if_keys) all = all && as_number(values.at(k)) && *as_number(values.at(k)) >= *r.if_value_min;
      if (!all) continue;
    }
    const auto when = condition_holds(r.when, values);
    if (!when) {
      ++out.unchecked;
      continue;
    }
    if (!*when) continue;
    // A derived quantity (N_MICROBATCHES, ...) is not a key: the caller checks it.
    if (!schema.keys.count(r.then) && !values.count(r.then)) {
      ++out.unchecked;
      continue;
    }
    ++out.checked;
    const std::string rule = r.if_keys.front() + " = " + v + " requires " + r.then;
    // A key the config leaves out has its declared default (None when the schema gives none).
    const auto it = values.find(r.then);
    std::string w = "None";
    if (it != values.end()) {
      w = it->second;
    } else if (const auto spec = schema.keys.find(r.then); spec != schema.keys.end() && !spec->second.default_value.empty()) {
      w = spec->second.default_value;
    }
    const bool constrained = !r.value.empty() || !r.value_not.empty() || !r.value_in.empty() || r.value_min;
    if (!constrained) {
      if (w == "None" || w.empty()) problems.push_back(rule + " (not set here; " + r.source + ")");
      continue;
    }
    const bool ok = (r.value.empty() || w == r.value) && (r.value_not.empty() || w != r.value_not) &&
                    (r.value_in.empty() || std::find(r.value_in.begin(), r.value_in.end(), w) != r.value_in.end()) &&
                    (!r.value_min || (as_number(w) && *as_number(w) >= *r.value_min));
    if (!ok) problems.push_back(rule + " with another value than " + w + " (" + r.source + ")");
  }
  for (const auto& d : schema.divides) {
    const auto when = condition_holds(d.when, values);
    if (!when) {
      ++out.unchecked;
      continue;
    }
    if (!*when) continue;
    double divisor = 1, of = 0;
    bool known = true;
    for (const auto& t : d.divisor) {
      const auto x = term(t);
      known = known && x && *x > 0;
      if (known) divisor *= *x;
    }
    for (const auto& t : d.of) {
      const auto x = term(t);
      known = known && x;
      if (known) of += *x;
    }
    if (!known) {
      ++out.unchecked;
      continue;
    }
    ++out.checked;
    if (std::fmod(of, divisor) != 0) {
      std::string names, sum;
      for (const auto& t : d.divisor) names += (names.empty() ? "" : " x ") + t;
      for (const auto& t : d.of) sum += (sum.empty() ? "" : " + ") + t;
      problems.push_back(sum + " (" + number_text(of) + ") must divide by " + names + " (" + number_text(divisor) + ") (" +
                         d.source + ")");
    }
  }
  for (const auto& p : schema.products) {
    double product = 1;
    bool known = true, inferred = false;
    for (const auto& f : p.factors) {
      const auto x = term(f);
      known = known && x;
      if (!known) break;
      if (*x == -1) inferred = true;
      else product *= *x;
    }
    const auto target = term(p.equals);
    if (!known || !target) {
      ++out.unchecked;
      continue;
    }
    ++out.checked;
    const bool ok = inferred ? std::fmod(*target, product) == 0 : product == *target;
    if (!ok) {
      std::string names;
      for (const auto& f : p.factors) names += (names.empty() ? "" : " x ") + f;
      problems.push_back(names + " (" + number_text(product) + ") must equal " + p.equals + " (" + number_text(*target) +
                         ") (" + p.source + ")");
    }
  }
  for (const auto& c : schema.conflicts) {
    std::vector<std::string> present;
    for (const auto& k : c.keys) {
      if (is_set(values, k)) present.push_back(k);
    }
    std::optional<bool> when = true;
    if (c.when == "both set" || c.when == "both True" || c.when.empty()) {
      when = true;
    } else {
      when = condition_holds(c.when, values);
    }
    if (!when) {
      ++out.unchecked;
      continue;
    }
    ++out.checked;
    if (*when && present.size() > 1) problems.push_back(present[0] + " conflicts with " + present[1] + " (" + c.source + ")");
  }
  return out;
}

}  // namespace perfplan::launch
