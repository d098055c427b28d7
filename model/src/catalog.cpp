#include "perfplan/common/names.hpp"
#include "perfplan/model/catalog.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>

#include "perfplan/common/data_directory.hpp"
#include "perfplan/common/json_file.hpp"
#include "perfplan/model/hf_config.hpp"
#include "perfplan/common/input_error.hpp"


namespace perfplan::model {
namespace {

std::optional<double> optional_number(const nlohmann::json& object, const char* key,
                                      const std::string& origin) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_number() || it->get<double>() <= 0) {
    throw InputError(origin + ": key 'published." + key + "' must be a positive number or null");
  }
  return it->get<double>();
}

std::string required_string(const nlohmann::json& object, const char* key, const std::string& origin) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw InputError(origin + ": key '" + key + "' must be a non-empty string");
  }
  return it->get<std::string>();
}

CatalogEntry entry_from_json(const nlohmann::json& doc, const std::string& origin) {
  if (!doc.is_object() || !doc.contains("config")) {
    throw InputError(origin + ": a catalog entry needs keys 'name', 'source' and 'config'");
  }
  CatalogEntry entry;
  entry.name = required_string(doc, "name", origin);
  entry.source = required_string(doc, "source", origin);
  if (auto it = doc.find("aliases"); it != doc.end()) {
    if (!it->is_array()) throw InputError(origin + ": key 'aliases' must be a list of strings");
    for (const auto& alias : *it) {
      if (!alias.is_string()) throw InputError(origin + ": key 'aliases' must be a list of strings");
      entry.aliases.push_back(alias.get<std::string>());
    }
  }
  if (auto it = doc.find("published"); it != doc.end() && it->is_object()) {
    entry.published_total_parameters = optional_number(*it, "total_parameters", origin);
    entry.published_active_parameters = optional_number(*it, "active_parameters", origin);
    entry.published_source = it->value("source", std::string());
  }
  entry.architecture = architecture_from_hf_config(doc["config"], origin + " (config)");
  entry.architecture.name = entry.name;
  return entry;
}

}  // namespace

Catalog Catalog::load(const std::filesystem::path& directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    throw InputError("model catalog directory '" + directory.string() +
                     "' does not exist (set PERFPLAN_DATA_DIR to the perfplan source tree)");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& item : std::filesystem::directory_iterator(directory)) {
    if (item.path().extension() == ".json") files.push_back(item.path());
  }
  std::sort(files.begin(), files.end());
  Catalog catalog;
  // Lookups ignore case, so two entries answering to one lower-cased name or alias would make
  // `find` pick one silently: refused, naming both files.
  std::map<std::string, std::filesystem::path> owner;
  for (const auto& file : files) {
    CatalogEntry entry = entry_from_json(common::read_json_file(file), file.string());
    std::vector<std::string> keys = {to_lower(entry.name), to_lower(file.stem().string())};
    for (const auto& alias : entry.aliases) keys.push_back(to_lower(alias));
    for (const auto& key : keys) {
      const auto [it, inserted] = owner.emplace(key, file);
      if (!inserted && it->second != file) {
        throw InputError(file.string() + ": name or alias '" + key + "' is already used by " + it->second.string() +
                         " (catalog names, aliases and file names must be unique, ignoring case)");
      }
    }
    catalog.entries_.push_back(std::move(entry));
    catalog.keys_.push_back(std::move(keys));
  }
  return catalog;
}

const CatalogEntry& Catalog::find(const std::string& name) const {
  const std::string wanted = to_lower(name);
  for (size_t i = 0; i < entries_.size(); ++i) {
    for (const auto& key : keys_[i]) {
      if (key == wanted) return entries_[i];
    }
  }
  const std::string wanted_alnum = alphanumeric_lower(wanted);
  for (size_t i = 0; i < entries_.size(); ++i) {
    for (const auto& key : keys_[i]) {
      if (!wanted_alnum.empty() && alphanumeric_lower(key) == wanted_alnum) return entries_[i];
    }
  }
  // Suggest the entries whose closest key is nearest to what was asked.
  std::vector<std::pair<size_t, size_t>> ranked;  // (distance, entry)
  for (size_t i = 0; i < entries_.size(); ++i) {
    size_t best = SIZE_MAX;
    for (const auto& key : keys_[i]) best = std::min(best, edit_distance(wanted, key));
    ranked.emplace_back(best, i);
  }
  std::sort(ranked.begin(), ranked.end());
  std::string message = "unknown model '" + name + "'";
  if (!ranked.empty()) {
    message += "; did you mean '" + entries_[ranked.front().second].name + "'?";
  }
  message += " Catalog models:";
  for (const auto& entry : entries_) message += " " + entry.name;
  message += "; or give a path to a Hugging Face config.json";
  throw InputError(message);
}

std::filesystem::path default_catalog_directory() { return common::data_directory() / "model" / "catalog"; }

Architecture resolve_architecture(const std::string& name_or_path, const Catalog& catalog) {
  std::filesystem::path path(name_or_path);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // A Hugging Face checkpoint folder: its config.json.
    if (!std::filesystem::is_regular_file(path / "config.json", ec)) {
      throw InputError(name_or_path + ": is a directory without a config.json; give a catalog name or a config.json path");
    }
    path /= "config.json";
  }
  // A path that exists but is no regular file (/dev/null, a FIFO) is read as one: its error
  // names the file, not "unknown model".
  if (std::filesystem::is_regular_file(path, ec) ||
      (name_or_path.find('/') != std::string::npos && std::filesystem::exists(path, ec))) {
    const nlohmann::json doc = common::read_json_file(path);
    if (doc.is_object() && doc.contains("config") && doc.contains("name")) {
      return entry_from_json(doc, path.string()).architecture;
    }
    Architecture a = architecture_from_hf_config(doc, path.string());
    // A checkpoint's config.json is named for its folder.
    const std::string folder = std::filesystem::absolute(path, ec).parent_path().filename().string();
    a.name = (path.filename() == "config.json" && !folder.empty()) ? folder : path.stem().string();
    return a;
  }
  if (path.extension() == ".json") {
    throw InputError(name_or_path + ": cannot open file (expected a Hugging Face config.json)");
  }
  return catalog.find(name_or_path).architecture;
}

}  // namespace perfplan::model
