#pragma once
// --trace FILE.json (docs/trace.md): one trace file for a run. Each SoC is a process of the trace (soc_min
// pid 1, soc_mul pid 2); its components report to it through the pointer Soc::attach_trace sets. A workload's
// SoCs are traced for their first `images` images only, each image an enclosing slice on the CPU track, and
// a SoC's times count from the start of its CPU program, so that min and mul line up in the viewer.
#include <cstddef>
#include <string>

#include "platform/soc/run_options.h"
#include "platform/soc/soc.h"
#include "platform/trace/trace_writer.h"

namespace minconv::platform {

// The --trace-* flags as typed ("" = not given).
struct TraceFlags {
  std::string detail, limit, images, window;
};

// Checks the flags; throws config::ConfigError naming the flag for a bad value, or for a --trace-* flag
// without --trace.
TraceRequest parse_trace_flags(const std::string& path, const TraceFlags& flags);

class TraceSession {
 public:
  // Opens the file (throws std::runtime_error if it cannot be created).
  explicit TraceSession(const TraceRequest& request);

  // Makes `soc`'s components report to a new process of the trace named after the SoC.
  void attach(Soc& soc);
  // Called by `soc`'s program at the start (begin) and end of its image k (ProgramOptions::image_hook): opens
  // and closes an "image k" slice on the CPU track; the end of the last traced image detaches the SoC.
  void on_image(Soc& soc, std::size_t k, bool begin) const;

  // Writes the rest of the file and, unless quiet, one line about it (and a warning if the slice limit left
  // slices out). Returns false if the file could not be written.
  bool close(bool quiet);

 private:
  TraceRequest request_;
  trace::TraceWriter writer_;
};

}  // namespace minconv::platform
