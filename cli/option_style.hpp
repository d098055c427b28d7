#pragma once
// How the commands parse their flags: boost's default style without prefix guessing, so a
// typed prefix is no silent stand-in for a flag ("--gp 8" was --gpus, "--dis" was
// --distributed-optimizer) and an error names the flag the user typed.
#include <boost/program_options.hpp>

namespace perfplan::cli {

inline constexpr int kOptionStyle = boost::program_options::command_line_style::default_style &
                                    ~boost::program_options::command_line_style::allow_guessing;

}  // namespace perfplan::cli
