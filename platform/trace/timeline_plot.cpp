#include "platform/trace/timeline_plot.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace minconv::platform::trace {

namespace {

// A row of the picture: a slice track or a counter series.
struct Lane {
  std::string label;
  const TimelineTrack* track = nullptr;
  const TimelineCounter* counter = nullptr;
  double scale = 100;    // counter value drawn at full lane height
  bool outline = false;  // the process's first track: its outer slices are labelled
};

constexpr const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#79706e",
                                    "#1f77b4", "#d62728", "#8c564b", "#17becf", "#bcbd22",
                                    "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5"};
constexpr const char* kOutline[] = {"#c9d6e3", "#e3d9c9"};  // alternating, for labelled slices
constexpr const char* kCounter = "#5b8c5a";

bool is_percent(const std::string& name) { return !name.empty() && name.back() == '%'; }

template <class Map, class Less>
std::vector<const typename Map::mapped_type*> ordered(const Map& m, Less less) {
  std::vector<const typename Map::mapped_type*> v;
  for (const auto& kv : m) v.push_back(&kv.second);
  std::stable_sort(v.begin(), v.end(), less);
  return v;
}

std::vector<Lane> make_lanes(const Timeline& t, const PlotOptions& o) {
  const auto by_sort = [](const auto* a, const auto* b) { return a->sort < b->sort; };
  std::vector<Lane> lanes;
  const auto processes = ordered(t.processes, by_sort);
  const bool prefix = o.process.empty() && processes.size() > 1;
  for (const TimelineProcess* p : processes) {
    if (!o.process.empty() && p->name != o.process) continue;
    const std::string pre = prefix ? p->name + " " : "";
    bool first = true;
    for (const TimelineTrack* track : ordered(p->tracks, by_sort)) {
      lanes.push_back({pre + track->name, track, nullptr, 100, first});
      first = false;
    }
    for (const auto& [name, c] : p->counters) {
      double peak = 0;
      for (const auto& s : c.samples) peak = std::max(peak, s.second);
      if (is_percent(name)) {
        lanes.push_back({pre + name, nullptr, &c, 100, false});
      } else if (o.all_counters) {
        lanes.push_back({pre + name, nullptr, &c, peak > 0 ? peak : 1, false});
      }
    }
  }
  return lanes;
}

std::string clean(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '"'), s.end());
  return s;
}

// Colours of slice names, in order of first appearance; the key lists them.
struct Colours {
  std::map<std::string, std::string> of;
  std::vector<std::string> order;
  const std::string& get(const std::string& name) {
    auto it = of.find(name);
    if (it != of.end()) return it->second;
    order.push_back(name);
    return of[name] = kPalette[(order.size() - 1) % (sizeof kPalette / sizeof *kPalette)];
  }
};

// Block 0: boxes "x y xlo xhi ylo yhi colour"; block 1: labels "x y text".
void write_data(std::ostream& out, const std::vector<Lane>& lanes, double span, Colours& colours) {
  std::ostringstream labels;
  const auto rgb = [](const std::string& hex) { return std::stol(hex.substr(1), nullptr, 16); };
  out << "# x y xlo xhi ylo yhi rgb\n";
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const double y = static_cast<double>(lanes.size() - 1 - i);
    const Lane& lane = lanes[i];
    if (lane.counter != nullptr) {
      const auto& s = lane.counter->samples;
      for (std::size_t k = 0; k + 1 < s.size(); ++k) {
        const double h = 0.8 * std::min(1.0, s[k].second / lane.scale);
        if (h <= 0) continue;
        out << s[k].first << " " << y << " " << s[k].first << " " << s[k + 1].first << " " << y - 0.4 << " "
            << y - 0.4 + h << " " << rgb(kCounter) << "\n";
      }
      continue;
    }
    std::size_t outer = 0;
    for (const TimelineSlice& s : lane.track->slices) {
      const bool labelled = lane.outline && s.depth <= 1;
      const std::string& colour = labelled ? kOutline[outer++ % 2] : colours.get(s.name);
      const double h = 0.4 * std::pow(0.72, s.depth);
      out << s.start_us << " " << y << " " << s.start_us << " " << s.start_us + s.dur_us << " " << y - h
          << " " << y + h << " " << rgb(colour) << "\n";
      if (labelled && s.dur_us >= 0.02 * span) {
        labels << s.start_us + s.dur_us / 2 << " " << (s.depth == 0 ? y + 0.47 : y) << " \"" << clean(s.name)
               << "\"\n";
      }
    }
  }
  out << "\n\n# x y label\n" << labels.str() << "\n";
}

std::string quoted_gp(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

// A tic label is a format string: '%' must be doubled.
std::string tic_label(const std::string& s) {
  std::string t;
  for (char c : s) t += c == '%' ? std::string("%%") : std::string(1, c);
  return quoted_gp(t);
}

std::string quoted_sh(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void write_script(std::ostream& gp, const std::vector<Lane>& lanes, const Colours& colours,
                  const PlotOptions& o, const std::string& data) {
  const std::size_t rows = std::max(lanes.size() * 34, colours.order.size() * 17);
  gp << "set terminal pngcairo size " << o.width << "," << rows + 110 << " font 'sans,9'\n"
     << "set output " << quoted_gp(o.png_path) << "\nset termoption noenhanced\n"
     << "set title " << quoted_gp(o.title) << "\nset xlabel 'simulated time (us)'\n"
     << "set yrange [-0.6:" << static_cast<double>(lanes.size()) - 0.2
     << "]\nset autoscale xfix\nset grid x\n"
     << "set style fill solid 1.0 noborder\nset key outside right top title 'slices'\nset ytics (";
  for (std::size_t i = 0; i < lanes.size(); ++i)
    gp << (i ? ", " : "") << tic_label(lanes[i].label) << " " << lanes.size() - 1 - i;
  gp << ") scale 0\nplot " << quoted_gp(data)
     << " index 0 using 1:2:3:4:5:6:7 with boxxyerror lc rgb variable notitle, \\\n     " << quoted_gp(data)
     << " index 1 using 1:2:3 with labels font ',8' notitle";
  for (const std::string& name : colours.order)
    gp << ", \\\n     NaN with boxes lc rgb '" << colours.of.at(name) << "' title " << quoted_gp(name);
  gp << "\n";
}

std::string base_of(const std::string& png) {
  const bool suffix = png.size() > 4 && png.compare(png.size() - 4, 4, ".png") == 0;
  return suffix ? png.substr(0, png.size() - 4) : png;
}

}  // namespace

std::string plot_timeline(const Timeline& timeline, const PlotOptions& o) {
  const std::vector<Lane> lanes = make_lanes(timeline, o);
  if (lanes.empty())
    throw std::invalid_argument(o.process.empty() ? "the trace has no tracks"
                                                  : "no process named " + o.process);
  const std::string base = base_of(o.png_path), data = base + ".dat", script = base + ".gp";
  const auto [lo, hi] = timeline.span();
  Colours colours;
  std::ofstream d(data);
  write_data(d, lanes, hi - lo, colours);
  std::ofstream gp(script);
  write_script(gp, lanes, colours, o, data);
  d.close();
  gp.close();
  if (!d || !gp) return "cannot write " + data + " or " + script;
  std::remove(o.png_path.c_str());
  const std::string command = quoted_sh(o.gnuplot) + " " + quoted_sh(script);
  if (std::system(command.c_str()) != 0) return "gnuplot failed (" + command + ")";
  struct stat st {};
  if (stat(o.png_path.c_str(), &st) != 0 || st.st_size == 0) return "gnuplot wrote no picture " + o.png_path;
  return "";
}

}  // namespace minconv::platform::trace
