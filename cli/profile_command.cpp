// `perfplan profile`: runs a program under libperfplan_inject.so (CUDA_INJECTION64_PATH) and
// summarises the kernel database it writes; `--summarize FILE` summarises an existing database.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/profiler/profile_summary.hpp"

namespace perfplan::cli {
namespace {

constexpr const char* kProfileUsage =
    "usage: perfplan profile [--out FILE] [--steps-range NAME] [--top N] -- COMMAND ARGS...\n"
    "       perfplan profile --summarize FILE [--steps-range NAME] [--top N]\n"
    "Runs COMMAND with the CUPTI injection library (CUDA_INJECTION64_PATH), writes one JSON line per\n"
    "kernel launch, memcpy, memset and NVTX range to FILE (default perfplan_profile.jsonl; %p in FILE\n"
    "becomes each process's id), then prints the top kernels by total GPU time, the kernels per\n"
    "NVTX range and, with --steps-range, the time per step (NVTX ranges named NAME or NAME...).\n"
    "Exit code: COMMAND's when it fails, else 0.\n";

struct ProfileArgs {
  std::string out = "perfplan_profile.jsonl";
  std::optional<std::string> steps_range;
  std::optional<std::string> summarize;
  size_t top = 15;
  std::vector<std::string> command;
  bool help = false;
};

ProfileArgs parse_profile_args(const std::vector<std::string>& args) {
  ProfileArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* option) -> std::string {
      if (i + 1 >= args.size()) throw InputError(std::string("perfplan profile: ") + option + " needs a value");
      return args[++i];
    };
    if (a == "--") {
      parsed.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (a == "-h" || a == "--help") {
      parsed.help = true;
    } else if (a == "--out" || a == "-o") {
      parsed.out = value("--out");
    } else if (a == "--steps-range") {
      parsed.steps_range = value("--steps-range");
    } else if (a == "--summarize") {
      parsed.summarize = value("--summarize");
    } else if (a == "--top") {
      const std::string text = value("--top");
      try {
        size_t used = 0;
        const long n = std::stol(text, &used);
        if (used != text.size() || n <= 0) throw std::invalid_argument(text);
        parsed.top = static_cast<size_t>(n);
      } catch (const std::logic_error&) {
        throw InputError("perfplan profile: --top '" + text + "': expected a positive integer");
      }
    } else if (a.rfind("-", 0) == 0) {
      throw InputError("perfplan profile: unknown option '" + a +
                       "' (accepted: --out, --steps-range, --summarize, --top; put the program after --)");
    } else {
      parsed.command.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
  }
  return parsed;
}

std::string shorten(const std::string& name, size_t width) {
  return name.size() <= width ? name : name.substr(0, width - 3) + "...";
}

void print_summary(const std::string& path, const profiler::ProfileSummary& s, size_t top) {
  std::cout << fmt::format("profile {}: {}, {} kernels, {:.3f} ms kernel time, {} dropped records\n", path,
                           s.gpu.value_or("GPU unknown"), s.kernel_count, static_cast<double>(s.kernel_ns) / 1e6,
                           s.dropped_records);
  std::cout << fmt::format("memcpy: {} ({:.1f} MB, {:.3f} ms)   memset: {} ({:.3f} ms)\n", s.memcpy_count,
                           static_cast<double>(s.memcpy_bytes) / 1e6, static_cast<double>(s.memcpy_ns) / 1e6,
                           s.memset_count, static_cast<double>(s.memset_ns) / 1e6);

  std::cout << "\ntop kernels by total time\n";
  std::cout << fmt::format("{:>8} {:>11} {:>11} {:>7}  {}\n", "count", "total ms", "mean us", "share", "kernel");
  for (size_t i = 0; i < s.kernels.size() && i < top; ++i) {
    const auto& k = s.kernels[i];
    std::cout << fmt::format(
        "{:>8} {:>11.3f} {:>11.3f} {:>6.1f}%  {}\n", k.count, static_cast<double>(k.total_ns) / 1e6,
        static_cast<double>(k.total_ns) / 1e3 / static_cast<double>(k.count), 100.0 * k.share, shorten(k.name, 110));
  }
  if (s.kernels.size() > top) std::cout << fmt::format("  ... {} more kernels (--top)\n", s.kernels.size() - top);

  std::cout << "\nkernels per NVTX range\n";
  std::cout << fmt::format("{:>8} {:>11}  {}\n", "kernels", "total ms", "range");
  for (size_t i = 0; i < s.ranges.size() && i < top; ++i) {
    const auto& r = s.ranges[i];
    std::cout << fmt::format("{:>8} {:>11.3f}  {}\n", r.kernel_count, static_cast<double>(r.kernel_ns) / 1e6,
                             shorten(r.name, 110));
  }
  if (s.ranges.size() > top) std::cout << fmt::format("  ... {} more ranges (--top)\n", s.ranges.size() - top);

  if (s.steps) {
    std::cout << fmt::format("\nsteps (NVTX ranges named '{}')\n", s.steps->range_name);
    if (s.steps->count == 0) {
      std::cout << "  none recorded (is the program emitting NVTX ranges with that name?)\n";
    } else {
      std::cout << fmt::format("  {} steps, mean {:.3f} ms per step (range), mean {:.3f} ms of kernel time per step\n",
                               s.steps->count, s.steps->mean_duration_ns / 1e6, s.steps->mean_kernel_ns / 1e6);
    }
  }
}

int summarize_file(const std::string& path, const ProfileArgs& args) {
  std::ifstream in(path);
  if (!in) throw InputError("perfplan profile: cannot read '" + path + "': " + std::strerror(errno));
  const auto summary = profiler::summarize_profile(in, path, {args.steps_range});
  print_summary(path, summary, args.top);
  return 0;
}

#ifdef PERFPLAN_INJECT_LIBRARY
// Runs the program with the injection library; returns its exit code (128 + signal if killed).
int run_profiled(const ProfileArgs& args) {
  std::error_code ignored;
  std::filesystem::remove(args.out, ignored);  // never summarise a stale file
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    setenv("CUDA_INJECTION64_PATH", PERFPLAN_INJECT_LIBRARY, 1);
    setenv("PERFPLAN_PROFILE_OUT", args.out.c_str(), 1);
#ifdef PERFPLAN_CUPTI_LIBRARY
    setenv("NVTX_INJECTION64_PATH", PERFPLAN_CUPTI_LIBRARY, 0);  // NVTX ranges reach CUPTI
#endif
    std::vector<char*> argv;
    for (const auto& a : args.command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "perfplan profile: cannot run '%s': %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid failed: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}
#endif

}  // namespace

int run_profile_command(const std::vector<std::string>& args) {
  const ProfileArgs parsed = parse_profile_args(args);
  if (parsed.help) {
    std::cout << kProfileUsage;
    return 0;
  }
  if (parsed.summarize) {
    if (!parsed.command.empty())
      throw InputError("perfplan profile: --summarize FILE reads a finished profile and runs no program; got '" +
                       parsed.command.front() + "'");
    return summarize_file(*parsed.summarize, parsed);
  }
  if (parsed.command.empty())
    throw InputError(
        "perfplan profile: no program to run: perfplan profile [--out FILE] [--steps-range NAME] -- COMMAND "
        "ARGS... (or --summarize FILE)");
#ifdef PERFPLAN_INJECT_LIBRARY
  const int exit_code = run_profiled(parsed);
  if (std::filesystem::exists(parsed.out)) {
    summarize_file(parsed.out, parsed);
  } else if (exit_code == 0) {
    std::fprintf(stderr,
                 "perfplan profile: '%s' exited normally but wrote no profile to '%s' (no CUDA work, or the "
                 "profiler did not start: see its warning above)\n",
                 parsed.command.front().c_str(), parsed.out.c_str());
    return 1;
  }
  if (exit_code != 0)
    std::fprintf(stderr, "perfplan profile: '%s' exited with code %d\n", parsed.command.front().c_str(), exit_code);
  return exit_code;
#else
  throw InputError("perfplan was built without CUDA/CUPTI: the profiler is not available");
#endif
}

}  // namespace perfplan::cli
