#pragma once
// A framework's command-line flags as data (launch/schemas/<framework>-<version>.json, read from
// the framework's own argument parser at a named commit): the flags it knows, their value kinds,
// and the combinations it asserts on. check_command() tests an emitted command against it.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace perfplan::launch {

struct FlagSpec {
  std::string kind;  // switch | int | float | str | choice | list
  std::vector<std::string> choices;
  std::string item;  // list items: int | float | str
};

struct FlagSchema {
  std::string framework;
  std::string version;
  std::string source;
  std::map<std::string, FlagSpec> flags;
  // One flag (or all of several) asks for another (or any of several), optionally only when the
  // first has a value and with a value for the second, as the framework asserts.
  struct Requires {
    std::vector<std::string> if_flags, then_any;
    std::string if_value, if_value_not, if_value_contains;
    std::optional<double> if_value_min;
    std::string value, value_not;
    std::vector<std::string> value_in;
    std::optional<double> value_min, value_max;
  };
  // Terms multiply: flags, numbers, WORLD_SIZE (the launcher's) and DATA_PARALLEL_SIZE
  // (WORLD_SIZE / (TP x PP x CP)); `when` is the framework's condition, as text.
  struct Divides {
    std::vector<std::string> divisor;
    std::string of, when;
  };
  // An environment variable the framework asserts on: `value` (or anything but `value_not`)
  // when any flag of `when_any` is given or any of `when_any_above_1` exceeds 1, unless one of
  // `unless_any` is given.
  struct EnvRule {
    std::string var, value, value_not, source;
    std::vector<std::string> when_any, when_any_above_1, unless_any;
  };
  std::vector<Requires> requires_flags;
  std::vector<EnvRule> env;
  std::vector<std::vector<std::string>> conflicts;  // unconditional ones
  std::vector<Divides> divides;
};

// Reads a schema file; InputError naming the file and key when malformed.
FlagSchema load_flag_schema(const std::filesystem::path& file);
// <data dir>/launch/schemas
std::filesystem::path default_schema_directory();

// Problems of the flags after the script name of a shell command ("torchrun ... pretrain_gpt.py
// --a 1 \ --b ..."): unknown flags, values of the wrong kind, a flag given twice, a required
// companion missing, conflicting flags together, divisibility the framework asserts, and
// environment variables (`export VAR=value` lines before the script) it asserts on. Empty when
// the framework's parser and checks would accept it.
std::vector<std::string> check_command(const FlagSchema& schema, const std::string& command,
                                       const std::string& script = "pretrain_gpt.py");

}  // namespace perfplan::launch
