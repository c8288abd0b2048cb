#pragma once
// What the user asked minconv-sim for, shared by its jobs.
#include <string>

#include "platform/trace/trace_writer.h"

namespace minconv::platform {

// --trace FILE.json and its --trace-* flags (docs/trace.md).
struct TraceRequest {
  std::string path;             // "" = no trace
  trace::TraceOptions options;  // --trace-detail, --trace-limit, --trace-window
  unsigned images = 1;          // --trace-images: images traced per SoC, from the first
};

struct RunOptions {
  std::string report_path;  // --report FILE.json ("" = none)
  std::string vcd_path;     // --vcd FILE ("" = none)
  TraceRequest trace;       // --trace FILE.json
  bool quiet = false;       // --quiet: no progress lines
  int threads = 1;          // -j/--threads: calibration, golden checks beside the simulation (same results)
  std::string cache_dir;    // --cache-dir: calibration cache (calibration_cache.h); "" = none (--no-cache)
  unsigned batch = 1;       // --batch: images per stream (docs/runtime.md, "Batch streaming")
};

// Exit codes of minconv-sim.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;  // the simulation ran but something failed (check, bus error, error report)
constexpr int kExitConfig = 2;  // bad command line or configuration: nothing was simulated

}  // namespace minconv::platform
