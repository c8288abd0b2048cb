#include "platform/trace/process_trace.h"

#include <cstdio>

#include "platform/trace/trace_writer.h"

namespace minconv::platform::trace {

namespace {
// A counter value with the precision a plot needs and no more (keeps the file small).
double rounded(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", v);
  return std::strtod(text, nullptr);
}
}  // namespace

ProcessTrace::ProcessTrace(TraceWriter& writer, unsigned pid, const std::string& name)
    : writer_(writer), pid_(pid), name_(name) {
  writer_.metadata(pid_, 0, "process_name", {{"name", name}});
  writer_.metadata(pid_, 0, "process_sort_index", {{"sort_index", pid}});
}

void ProcessTrace::set_origin(const sc_core::sc_time& t) { origin_ps_ = to_ps(t); }

uint64_t ProcessTrace::rel(const sc_core::sc_time& t) const {
  const uint64_t ps = to_ps(t);
  return ps > origin_ps_ ? ps - origin_ps_ : 0;
}

Detail ProcessTrace::detail() const { return writer_.options().detail; }

TrackId ProcessTrace::track(const std::string& name) {
  for (std::size_t i = 0; i < track_names_.size(); ++i) {
    if (track_names_[i] == name) return static_cast<TrackId>(i + 1);
  }
  track_names_.push_back(name);
  open_.emplace_back();
  const auto id = static_cast<TrackId>(open_.size());
  writer_.metadata(pid_, id, "thread_name", {{"name", name}});
  writer_.metadata(pid_, id, "thread_sort_index", {{"sort_index", id}});
  return id;
}

CounterId ProcessTrace::counter_track(const std::string& name, bool bytes) {
  for (std::size_t i = 0; i < counters_.size(); ++i) {
    if (counters_[i].name == name) return static_cast<CounterId>(i);
  }
  const TraceOptions& o = writer_.options();
  counters_.push_back(Counter{name, bytes, WindowCounter(to_ps(o.window), o.max_windows)});
  return static_cast<CounterId>(counters_.size() - 1);
}

void ProcessTrace::finish(TrackId track, Slice slice, std::vector<Slice> held) {
  std::vector<Open>* open = track >= 1 && track <= open_.size() ? &open_[track - 1] : nullptr;
  if (open != nullptr && !open->empty() && open->back().start_ps == slice.start_ps) {
    std::vector<Slice>& into = open->back().held;
    into.push_back(std::move(slice));
    into.insert(into.end(), std::make_move_iterator(held.begin()), std::make_move_iterator(held.end()));
    return;
  }
  writer_.slice(pid_, track, slice.name, slice.start_ps, slice.end_ps, slice.args);
  for (const Slice& h : held) writer_.slice(pid_, track, h.name, h.start_ps, h.end_ps, h.args);
}

void ProcessTrace::complete(TrackId track, std::string_view name, const sc_core::sc_time& start,
                            const sc_core::sc_time& end, const nlohmann::json& args) {
  const uint64_t s = rel(start);
  finish(track, Slice{std::string(name), s, std::max(s, rel(end)), args}, {});
}

void ProcessTrace::begin(TrackId track, std::string_view name, const sc_core::sc_time& at) {
  if (track == 0 || track > open_.size()) return;
  open_[track - 1].push_back(Open{std::string(name), rel(at), {}});
}

void ProcessTrace::end(TrackId track, const sc_core::sc_time& at, const nlohmann::json& args) {
  if (track == 0 || track > open_.size() || open_[track - 1].empty()) return;
  Open o = std::move(open_[track - 1].back());
  open_[track - 1].pop_back();
  finish(track, Slice{std::move(o.name), o.start_ps, std::max(o.start_ps, rel(at)), args}, std::move(o.held));
}

void ProcessTrace::counter(CounterId counter, const sc_core::sc_time& start, const sc_core::sc_time& end,
                           uint64_t read_bytes, uint64_t write_bytes) {
  if (counter >= counters_.size()) return;
  counters_[counter].windows.add(rel(start), rel(end), read_bytes, write_bytes);
}

// One sample per window whose values differ from the previous window's (a counter holds its value until
// the next sample), and a last sample of zeros where the data ends.
void ProcessTrace::write_counter(const Counter& c) {
  const uint64_t w = c.windows.width_ps();
  const double per_ps_to_gbps = 1e3 / static_cast<double>(w);  // bytes per window -> GB/s
  nlohmann::json last;
  const std::vector<WindowCounter::Window>& windows = c.windows.windows();
  for (std::size_t i = 0; i <= windows.size(); ++i) {
    const WindowCounter::Window v = i < windows.size() ? windows[i] : WindowCounter::Window{};
    nlohmann::json args = {
        {"busy %", rounded(100.0 * static_cast<double>(v.busy_ps) / static_cast<double>(w))}};
    if (c.bytes) {
      args["read GB/s"] = rounded(v.read_bytes * per_ps_to_gbps);
      args["write GB/s"] = rounded(v.write_bytes * per_ps_to_gbps);
    }
    if (args == last) continue;
    writer_.counter_sample(pid_, c.name, i * w, args);
    last = std::move(args);
  }
}

nlohmann::json ProcessTrace::write_counters() {
  nlohmann::json widths = nlohmann::json::object();
  for (const Counter& c : counters_) {
    write_counter(c);
    widths[c.name] = static_cast<double>(c.windows.width_ps()) / 1e6;
  }
  return widths;
}

}  // namespace minconv::platform::trace
