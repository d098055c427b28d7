// common::parse_json_text refuses a key given twice in one object (every JSON file the project
// reads goes through it); common has no test program of its own, model's links it.
#include <doctest/doctest.h>

#include <string>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/json_file.hpp"
#include "perfplan/model/hf_config.hpp"

TEST_CASE("A JSON key given twice in one object is refused, naming the key") {
  std::string message;
  try {
    perfplan::model::parse_hf_config(R"({"model_type": "llama", "vocab_size": 128256, "vocab_size": 5})",
                                     "config.json");
  } catch (const perfplan::InputError& e) {
    message = e.what();
  }
  CHECK(message == "config.json: duplicate key \"vocab_size\" in one JSON object; each key may appear once");
  CHECK_THROWS_WITH_AS(perfplan::common::parse_json_text(R"({"a": [{"x": 1, "y": 2, "x": 3}]})", "f.json"),
                       "f.json: duplicate key \"x\" in one JSON object; each key may appear once",
                       perfplan::InputError);
  // The same key in different objects, and again after a nested object closes, is no duplicate.
  const auto doc = perfplan::common::parse_json_text(R"({"x": {"x": {"x": 1}}, "y": [{"x": 2}, {"x": 3}]})", "f.json");
  CHECK(doc["y"][1]["x"] == 3);
  CHECK(doc["x"]["x"]["x"] == 1);
}

TEST_CASE("parse_json_text: a syntax error says where, never quoting the file's text") {
  try {
    perfplan::common::parse_json_text(R"({"password": hunter2})", "secret.json");
    FAIL("no error");
  } catch (const perfplan::InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("secret.json: malformed JSON") == 0);
    CHECK(what.find("column") != std::string::npos);
    CHECK(what.find("hunter2") == std::string::npos);
  }
}
