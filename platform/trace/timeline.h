#pragma once
// A trace read back for drawing: the slices of each track and the samples of each counter, per process. Reads
// Chrome trace-event JSON (what minconv-sim --trace writes; any file with X, B/E, C and M events), streaming:
// each event is dropped once it has been read, so only the timeline itself is held.
#include <cstdint>
#include <istream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace minconv::platform::trace {

struct TimelineSlice {
  double start_us = 0, dur_us = 0;
  std::string name;
  int depth = 0;  // nesting depth on its track (0: outermost), filled by Timeline::finish()
};

struct TimelineTrack {
  std::string name;
  int64_t sort = 0;
  std::vector<TimelineSlice> slices;
};

struct TimelineCounter {
  std::string name;                                // "<counter> <series>", e.g. "dram busy %"
  std::vector<std::pair<double, double>> samples;  // (time us, value), in time order after finish()
};

struct TimelineProcess {
  std::string name;
  int64_t sort = 0;
  std::map<int64_t, TimelineTrack> tracks;          // by tid
  std::map<std::string, TimelineCounter> counters;  // by name
};

struct Timeline {
  std::map<int64_t, TimelineProcess> processes;  // by pid
  uint64_t events = 0;                           // events read

  // Reads every event of a trace file; throws std::runtime_error naming the problem if it is not a trace.
  static Timeline read(std::istream& in);
  // Sorts slices and samples and computes slice depths.
  void finish();
  // The earliest start and latest end of anything in the processes (0, 0 if empty).
  std::pair<double, double> span() const;
};

}  // namespace minconv::platform::trace
