// The command line: the input is split on newlines into argv; every command runs in-process with
// its output discarded. An exit code of 3 (internal error) is a finding; so is a crash or a hang
// (libFuzzer's -timeout).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 512) return 0;
  std::vector<std::string> args;
  std::string current;
  for (size_t i = 0; i < size; ++i) {
    const char ch = static_cast<char>(data[i]);
    if (ch == '\n') {
      args.push_back(current);
      current.clear();
    } else {
      current += ch;
    }
  }
  args.push_back(current);
  if (args.empty() || args.front() == "profile" || args.front() == "calibrate" || args.front() == "report") {
    return 0;  // they start programs, refit constants or write files: not fuzzed here
  }
  for (const auto& a : args) {
    if (a.find("--write") != std::string::npos || a.find("--trace") != std::string::npos || a == "-o") return 0;
  }
  static std::ostringstream sink;
  auto* old = std::cout.rdbuf(sink.rdbuf());
  static FILE* null_err = std::fopen("/dev/null", "w");
  const int saved = dup(fileno(stderr));
  dup2(fileno(null_err), fileno(stderr));
  const int rc = perfplan::cli::run_cli(args);
  dup2(saved, fileno(stderr));
  close(saved);
  std::cout.rdbuf(old);
  sink.str("");
  if (rc == 3) std::abort();  // an internal error: input that should have been refused with a message
  return 0;
}
