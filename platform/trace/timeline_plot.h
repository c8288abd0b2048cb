#pragma once
// The timeline picture of a trace: one lane per track (slices as boxes over simulated time, nested slices
// thinner), one lane per percentage counter (busy % as bars), the outer slices of each process's first track
// (images, layers) labelled, a key of the other slice names. Drawn by gnuplot from a data file and a script
// written beside the picture (OUT.dat, OUT.gp for OUT.png), so the picture can be redrawn or restyled.
#include <string>

#include "platform/trace/timeline.h"

namespace minconv::platform::trace {

struct PlotOptions {
  std::string png_path;
  std::string title;
  std::string process;        // draw only the process of this name ("" = every process)
  bool all_counters = false;  // also counter series that are not percentages (scaled to their maximum)
  std::string gnuplot = "gnuplot";
  unsigned width = 1400;  // pixels
};

// Writes the data file and script and runs gnuplot. Returns "" on success, else what went wrong. Throws
// std::invalid_argument if there is nothing to draw (no tracks, or no process named options.process).
std::string plot_timeline(const Timeline& timeline, const PlotOptions& options);

}  // namespace minconv::platform::trace
