#pragma once
// The built-in catalog, loaded once per test binary (read-only after load).
#include "perfplan/model/catalog.hpp"

namespace perfplan::test {

inline const model::Catalog& catalog() {
  static const model::Catalog kCatalog = model::Catalog::load(model::default_catalog_directory());
  return kCatalog;
}

inline const model::Architecture& arch(const std::string& name) { return catalog().find(name).architecture; }

}  // namespace perfplan::test
