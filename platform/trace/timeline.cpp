#include "platform/trace/timeline.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace minconv::platform::trace {

namespace {

using nlohmann::json;

double number(const json& e, const char* key) {
  const auto it = e.find(key);
  return it != e.end() && it->is_number() ? it->get<double>() : 0.0;
}

int64_t id(const json& e, const char* key) {
  const auto it = e.find(key);
  return it != e.end() && it->is_number() ? static_cast<int64_t>(it->get<double>()) : 0;
}

std::string text(const json& e, const char* key) {
  const auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

class Reader {
 public:
  explicit Reader(Timeline& t) : t_(t) {}
  void event(const json& e);

 private:
  void metadata(const json& e, TimelineProcess& p);
  Timeline& t_;
  std::map<std::pair<int64_t, int64_t>, std::vector<TimelineSlice>> open_;  // B events waiting for their E
};

void Reader::metadata(const json& e, TimelineProcess& p) {
  const std::string what = text(e, "name");
  const json args = e.value("args", json::object());
  if (what == "process_name") p.name = text(args, "name");
  if (what == "process_sort_index") p.sort = id(args, "sort_index");
  if (what == "thread_name") p.tracks[id(e, "tid")].name = text(args, "name");
  if (what == "thread_sort_index") p.tracks[id(e, "tid")].sort = id(args, "sort_index");
}

void Reader::event(const json& e) {
  ++t_.events;
  const std::string ph = text(e, "ph");
  const int64_t pid = id(e, "pid"), tid = id(e, "tid");
  TimelineProcess& p = t_.processes[pid];
  const double ts = number(e, "ts");
  if (ph == "M") {
    metadata(e, p);
  } else if (ph == "X") {
    p.tracks[tid].slices.push_back({ts, number(e, "dur"), text(e, "name"), 0});
  } else if (ph == "B") {
    open_[{pid, tid}].push_back({ts, 0, text(e, "name"), 0});
  } else if (ph == "E" && !open_[{pid, tid}].empty()) {
    TimelineSlice s = open_[{pid, tid}].back();
    open_[{pid, tid}].pop_back();
    s.dur_us = std::max(0.0, ts - s.start_us);
    p.tracks[tid].slices.push_back(s);
  } else if (ph == "C" && e.contains("args") && e["args"].is_object()) {
    for (const auto& [series, value] : e["args"].items()) {
      if (!value.is_number()) continue;
      TimelineCounter& c = p.counters[text(e, "name") + " " + series];
      c.name = text(e, "name") + " " + series;
      c.samples.emplace_back(ts, value.get<double>());
    }
  }
}

}  // namespace

Timeline Timeline::read(std::istream& in) {
  Timeline t;
  Reader reader(t);
  // Events are the objects at depth 2 ({"traceEvents": [...]}) or 1 (a bare array); each is handled and
  // dropped as soon as it is parsed.
  const json::parser_callback_t keep = [&reader](int depth, json::parse_event_t what, json& value) {
    if (what != json::parse_event_t::object_end || depth > 2 || !value.contains("ph")) return true;
    reader.event(value);
    return false;
  };
  try {
    const json rest = json::parse(in, keep);  // what is left: the file without its events
    (void)rest;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("not a JSON trace: ") + e.what());
  }
  t.finish();
  return t;
}

void Timeline::finish() {
  for (auto& [pid, p] : processes) {
    for (auto& [tid, track] : p.tracks) {
      // By start, longer first, slices of equal extent in file order (as Perfetto orders them).
      std::stable_sort(track.slices.begin(), track.slices.end(), [](const auto& a, const auto& b) {
        return a.start_us != b.start_us ? a.start_us < b.start_us : a.dur_us > b.dur_us;
      });
      std::vector<double> ends;  // end times of the enclosing slices
      for (TimelineSlice& s : track.slices) {
        // Times are exact to the picosecond in the file; their sums in double are not.
        while (!ends.empty() && s.start_us >= ends.back() - 1e-7) ends.pop_back();
        s.depth = static_cast<int>(ends.size());
        ends.push_back(s.start_us + s.dur_us);
      }
    }
    for (auto& [name, c] : p.counters) {
      std::stable_sort(c.samples.begin(), c.samples.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
    }
  }
}

std::pair<double, double> Timeline::span() const {
  double lo = 0, hi = 0;
  bool any = false;
  const auto see = [&](double a, double b) {
    lo = any ? std::min(lo, a) : a;
    hi = any ? std::max(hi, b) : b;
    any = true;
  };
  for (const auto& [pid, p] : processes) {
    for (const auto& [tid, track] : p.tracks)
      for (const TimelineSlice& s : track.slices) see(s.start_us, s.start_us + s.dur_us);
    for (const auto& [name, c] : p.counters)
      for (const auto& [t, v] : c.samples) see(t, t);
  }
  return {lo, hi};
}

}  // namespace minconv::platform::trace
