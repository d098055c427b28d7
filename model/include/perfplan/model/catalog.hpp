#pragma once
// The built-in catalog of published architectures: one JSON file per model (data, not code).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "perfplan/model/architecture.hpp"

namespace perfplan::model {

struct CatalogEntry {
  std::string name;
  std::vector<std::string> aliases;
  std::string source;  // where the config values come from
  std::optional<double> published_total_parameters;
  std::optional<double> published_active_parameters;
  std::string published_source;
  Architecture architecture;
};

class Catalog {
 public:
  // Reads every *.json in `directory`; InputError on a malformed entry (file, key, problem).
  static Catalog load(const std::filesystem::path& directory);

  // Case-insensitive lookup by name, file name or alias; punctuation is ignored as a fallback
  // ("llama3.1-8b" finds "Llama-3.1-8B"). An unknown name is an InputError that suggests the
  // closest names and lists the catalog.
  const CatalogEntry& find(const std::string& name) const;
  const std::vector<CatalogEntry>& entries() const { return entries_; }

 private:
  std::vector<CatalogEntry> entries_;
  std::vector<std::vector<std::string>> keys_;  // lower-case names accepted for each entry
};

std::filesystem::path default_catalog_directory();

// A catalog name, or a path to a Hugging Face config.json (or a catalog-format file).
Architecture resolve_architecture(const std::string& name_or_path, const Catalog& catalog);

}  // namespace perfplan::model
