#pragma once
// The trace file: Chrome trace-event JSON (the format ui.perfetto.dev and chrome://tracing open), written as
// the simulation runs. Slices go to the file as soon as they end, one event per line, so the writer holds
// no list of events; counter tracks keep one small record per time window (WindowCounter) and are written
// when the trace is closed. Each process of the trace (one SoC) is a ProcessTrace, the TraceSink its
// components report to. docs/trace.md describes the file.
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <systemc>

#include "platform/trace/trace_sink.h"

namespace minconv::platform::trace {

class ProcessTrace;

struct TraceOptions {
  Detail detail = Detail::kTiles;
  // Slices written at most; later ones are counted and left out.
  uint64_t max_slices = 1000000;
  // Counter window; doubled (pairs merged) while a counter would need more than max_windows windows, which
  // is more than a picture has pixels.
  sc_core::sc_time window = sc_core::sc_time(1, sc_core::SC_US);
  std::size_t max_windows = 20000;
};

// Picoseconds of simulated time (the SystemC time resolution is at least 1 ps).
uint64_t to_ps(const sc_core::sc_time& t);
// Microseconds with up to 6 decimals, exact ("12.5", "0.000125").
std::string us_text(uint64_t ps);

class TraceWriter {
 public:
  // Throws std::runtime_error if the file cannot be created.
  TraceWriter(const std::string& path, const TraceOptions& options);
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  const TraceOptions& options() const { return options_; }
  // A new process (pid 1, 2, ... in call order), named in the trace.
  ProcessTrace& add_process(const std::string& name);

  // Events, for ProcessTrace. Times are picoseconds from the process's origin.
  void metadata(unsigned pid, TrackId tid, const char* what, const nlohmann::json& args);
  void slice(unsigned pid, TrackId tid, std::string_view name, uint64_t start_ps, uint64_t end_ps,
             const nlohmann::json& args);
  void counter_sample(unsigned pid, const std::string& name, uint64_t at_ps, const nlohmann::json& args);

  // Writes the counter tracks and the end of the file. Returns false if anything could not be written.
  bool close();
  uint64_t slices_written() const { return slices_; }
  uint64_t slices_dropped() const { return dropped_; }
  uint64_t counter_samples() const { return samples_; }

 private:
  void line(const std::string& text);

  std::string path_;
  TraceOptions options_;
  std::ofstream out_;
  bool first_ = true;
  bool closed_ = false;
  uint64_t slices_ = 0, dropped_ = 0, samples_ = 0;
  std::vector<std::unique_ptr<ProcessTrace>> processes_;
};

}  // namespace minconv::platform::trace
