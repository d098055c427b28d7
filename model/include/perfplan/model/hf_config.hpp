#pragma once
// Hugging Face config.json -> Architecture. The only place that reads architecture JSON.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "perfplan/model/architecture.hpp"

namespace perfplan::model {

// model_type values this reader understands.
const std::vector<std::string>& supported_model_types();

// Reads the keys of a config.json object. `origin` names the file (or catalog entry) in errors.
// Throws InputError on an unknown model_type, a missing, mistyped or nonsensical key.
Architecture architecture_from_hf_config(const nlohmann::json& config, const std::string& origin);

// Parses JSON text; malformed JSON is an InputError naming the origin and the position.
Architecture parse_hf_config(std::string_view json_text, const std::string& origin);

// Reads a config.json file.
Architecture load_hf_config(const std::filesystem::path& path);

}  // namespace perfplan::model
