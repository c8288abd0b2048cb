#pragma once
// One process of a trace (one SoC): the TraceSink its components report to. Keeps the open slices of each
// track (a short stack per track) and the counter windows; passes finished slices straight to the writer,
// except a slice that starts when the open slice around it starts: that one is held until the enclosing
// slice is written, so that a viewer that orders slices of equal start and length by file order sees the
// enclosing one first.
// Times in the file are relative to the process's origin (TraceSink::set_origin).
#include <cstdint>
#include <string>
#include <vector>

#include "platform/trace/trace_sink.h"
#include "platform/trace/window_counter.h"

namespace minconv::platform::trace {

class TraceWriter;

class ProcessTrace : public TraceSink {
 public:
  ProcessTrace(TraceWriter& writer, unsigned pid, const std::string& name);

  unsigned pid() const { return pid_; }
  const std::string& name() const { return name_; }
  // TraceSink
  void set_origin(const sc_core::sc_time& t) override;
  Detail detail() const override;
  TrackId track(const std::string& name) override;
  CounterId counter_track(const std::string& name, bool bytes) override;
  void complete(TrackId track, std::string_view name, const sc_core::sc_time& start,
                const sc_core::sc_time& end, const nlohmann::json& args = {}) override;
  void begin(TrackId track, std::string_view name, const sc_core::sc_time& at) override;
  void end(TrackId track, const sc_core::sc_time& at, const nlohmann::json& args = {}) override;
  void counter(CounterId counter, const sc_core::sc_time& start, const sc_core::sc_time& end,
               uint64_t read_bytes = 0, uint64_t write_bytes = 0) override;

  // Writes every counter track's samples; returns {counter name: window width in us} for the file's notes.
  nlohmann::json write_counters();

 private:
  struct Slice {
    std::string name;
    uint64_t start_ps, end_ps;
    nlohmann::json args;
  };
  struct Open {
    std::string name;
    uint64_t start_ps;
    std::vector<Slice> held;  // finished slices inside this one with its start, written after it
  };
  struct Counter {
    std::string name;
    bool bytes;
    WindowCounter windows;
  };
  uint64_t rel(const sc_core::sc_time& t) const;  // ps from the origin, never negative
  // Writes a finished slice of `track` (or holds it, see above), then the slices it held.
  void finish(TrackId track, Slice slice, std::vector<Slice> held);
  void write_counter(const Counter& c);

  TraceWriter& writer_;
  unsigned pid_;
  std::string name_;
  uint64_t origin_ps_ = 0;
  std::vector<std::string> track_names_;  // index = track id - 1
  std::vector<std::vector<Open>> open_;   // open slices per track
  std::vector<Counter> counters_;
};

}  // namespace minconv::platform::trace
