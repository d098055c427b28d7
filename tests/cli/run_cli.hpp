#pragma once
// Runs the built `perfplan` binary and captures its exit code, stdout and stderr apart.
// stdout comes through popen(); stderr is redirected to a private temporary file.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace perfplan::cli_test {

struct CliResult {
  int exit_code = -1;  // WEXITSTATUS, or -1 when the process did not exit normally
  std::string out;
  std::string err;
};

inline std::string perfplan_binary() { return PERFPLAN_BINARY; }
inline std::filesystem::path test_data_dir() { return PERFPLAN_TEST_DATA_DIR; }
inline std::filesystem::path golden_dir() { return PERFPLAN_GOLDEN_DIR; }
// The repository root: golden_dir() is <root>/tests/cli/golden.
inline std::filesystem::path source_dir() { return golden_dir().parent_path().parent_path().parent_path(); }

// Single-quoted for /bin/sh: the only character to escape is the quote itself.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

inline std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline CliResult run_perfplan(const std::vector<std::string>& args) {
  std::string err_path = (std::filesystem::temp_directory_path() / "perfplan_cli_stderr_XXXXXX").string();
  const int fd = mkstemp(err_path.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed for " + err_path);
  close(fd);

  // Under a time limit: a hang is a failure (exit 124), not a stuck test run.
  std::string command = "timeout 120 " + shell_quote(perfplan_binary());
  // Appended piece by piece: `"literal" + std::string&&` trips GCC 12's -Wrestrict (PR 105329).
  for (const auto& arg : args) {
    command += ' ';
    command += shell_quote(arg);
  }
  command += " 2>";
  command += shell_quote(err_path);

  CliResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    std::filesystem::remove(err_path);
    throw std::runtime_error("popen failed: " + command);
  }
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  result.err = read_whole_file(err_path);
  std::filesystem::remove(err_path);
  return result;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline size_t line_count(const std::string& text) {
  size_t lines = 0;
  for (char c : text) lines += (c == '\n');
  if (!text.empty() && text.back() != '\n') ++lines;
  return lines;
}

}  // namespace perfplan::cli_test
