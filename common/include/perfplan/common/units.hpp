#pragma once
// Unit conversions. Inside perfplan every quantity is SI (seconds, bytes, FLOP/s, bytes/s);
// vendor units are converted once, where they are read, with these factors.
namespace perfplan::units {

inline constexpr double kKiB = 1024.0;
inline constexpr double kMiB = 1024.0 * kKiB;
inline constexpr double kGiB = 1024.0 * kMiB;
inline constexpr double kGB = 1e9;       // decimal gigabyte (HBM capacities, link bandwidths)
inline constexpr double kTera = 1e12;    // TFLOP/s -> FLOP/s
inline constexpr double kMicro = 1e-6;   // us -> s
inline constexpr double kSecondsPerHour = 3600.0;
inline constexpr double kSecondsPerDay = 86400.0;

}  // namespace perfplan::units
