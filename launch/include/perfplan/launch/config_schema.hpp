#pragma once
// A framework's configuration keys as data (launch/schemas/<framework>-<version>.json, read from
// the framework's own dataclasses / config parser at a named commit): dotted keys with their
// value kinds, and the combinations the framework asserts on. The keyed counterpart of
// flag_schema.hpp, for frameworks configured by keys rather than command-line flags:
//   megatron-bridge  `key=value` overrides of a recipe (OmegaConf dotlist)
//   nemo             `recipe.<key> = <python value>` lines of a NeMo 2.0 recipe
//   torchtitan       a TOML job config ([section] key = value)
// check_config() tests an emitted config against it.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace perfplan::launch {

enum class ConfigForm { kOverrides, kPythonRecipe, kToml };

struct KeySpec {
  std::string kind;  // int | float | bool | str | choice | list | dtype | object
  std::vector<std::string> choices;
  bool nullable = false;
  std::string default_value;  // as the framework's dataclass declares it; empty when not simple
};

struct ConfigSchema {
  std::string framework, version, source;
  std::map<std::string, KeySpec> keys;
  // A condition on the config, as the framework states it: terms joined by " and ", each
  // "<key> set", "<key> not set", "<key> > N", "<key> >= N", "<key> == V", "<key> != V". Text in
  // another form cannot be evaluated: the constraint is then counted as unchecked.
  struct Requires {
    std::vector<std::string> if_keys;
    std::string if_value, if_value_not, if_value_contains, when;
    std::optional<double> if_value_min;
    std::string then, value, value_not;
    std::vector<std::string> value_in;
    std::optional<double> value_min;
    std::string source;
  };
  struct Divides {
    std::vector<std::string> divisor;  // keys, numbers, WORLD_SIZE, DATA_PARALLEL_SIZE; they multiply
    std::vector<std::string> of;       // the same terms; they add
    std::string when, source;
  };
  struct Product {
    std::vector<std::string> factors;
    std::string equals, source;
  };
  struct Conflict {
    std::vector<std::string> keys;
    std::string when, source;
  };
  std::vector<Requires> requires_keys;
  std::vector<Divides> divides;
  std::vector<Product> products;
  std::vector<Conflict> conflicts;
  // A key whose value sets others when the framework applies it (Megatron-Bridge's
  // mixed_precision recipe name overwrites model.bf16, ...), unless the config sets them itself.
  struct Implies {
    std::string if_key, if_value_contains, source;
    std::map<std::string, std::string> sets;
  };
  std::vector<Implies> implies;
  // Keys naming the data-parallel size's factors: DATA_PARALLEL_SIZE = WORLD_SIZE / their product.
  std::vector<std::string> model_parallel_keys;
};

// Reads a schema file; InputError naming the file and key when malformed.
ConfigSchema load_config_schema(const std::filesystem::path& file);

// The key = value assignments of an emitted config in order (comments, imports and the launcher
// skipped), values as written (Python / TOML literals, quotes kept); `recipe.<key>.append(...)`
// appears as <key> with the value "append(...)". InputError for a line of another form.
std::vector<std::pair<std::string, std::string>> parse_config(ConfigForm form, const std::string& text);

struct ConfigCheck {
  std::vector<std::string> problems;  // empty: the framework's checks would accept it
  int64_t checked = 0;                // constraints evaluated
  int64_t unchecked = 0;              // constraints whose condition or terms could not be evaluated
};

// Unknown keys, values of the wrong kind, a key given twice, requirements, divisibility, products
// and conflicts the framework asserts. `facts` supplies what the config leaves to the recipe or
// the launcher (WORLD_SIZE, model.config.num_layers, ...).
ConfigCheck check_config(const ConfigSchema& schema, ConfigForm form, const std::string& text,
                         const std::map<std::string, std::string>& facts);

}  // namespace perfplan::launch
