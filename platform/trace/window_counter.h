#pragma once
// Usage of one resource per window of simulated time: busy time and bytes read and written, the raw data of
// a counter track. Windows have a fixed width; when a run would need more than `max_windows` of them, pairs
// of windows are merged and the width doubles, so the memory a counter holds stays bounded however long the
// traced run is. Times are picoseconds from the trace's origin.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace minconv::platform::trace {

class WindowCounter {
 public:
  struct Window {
    uint64_t busy_ps = 0;  // time the resource was busy inside the window
    double read_bytes = 0;
    double write_bytes = 0;
  };

  // width_ps > 0, max_windows >= 2.
  WindowCounter(uint64_t width_ps, std::size_t max_windows);

  // The resource was busy during [start_ps, end_ps) and moved these bytes, spread evenly over the interval
  // (all into start's window if the interval is empty). Intervals may arrive in any order.
  void add(uint64_t start_ps, uint64_t end_ps, uint64_t read_bytes, uint64_t write_bytes);

  uint64_t width_ps() const { return width_ps_; }
  // Window i covers [i * width_ps, (i + 1) * width_ps); windows after the last one used are absent.
  const std::vector<Window>& windows() const { return windows_; }

 private:
  void make_room(uint64_t last_ps);  // merges windows until last_ps's window fits under max_windows

  uint64_t width_ps_;
  std::size_t max_windows_;
  std::vector<Window> windows_;
};

}  // namespace minconv::platform::trace
