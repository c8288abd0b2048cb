#pragma once
// What the user asked minconv-sim for, shared by its jobs.
#include <string>

namespace minconv::platform {

struct RunOptions {
  std::string report_path;  // --report FILE.json ("" = none)
  std::string vcd_path;     // --vcd FILE ("" = none)
  bool quiet = false;       // --quiet: no progress lines
  int threads = 1;          // -j/--threads: calibration, golden checks beside the simulation (same results)
  std::string cache_dir;    // --cache-dir: calibration cache (calibration_cache.h); "" = none (--no-cache)
};

// Exit codes of minconv-sim.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;  // the simulation ran but something failed (check, bus error, error report)
constexpr int kExitConfig = 2;  // bad command line or configuration: nothing was simulated

}  // namespace minconv::platform
