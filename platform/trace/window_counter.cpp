#include "platform/trace/window_counter.h"

#include <algorithm>

namespace minconv::platform::trace {

WindowCounter::WindowCounter(uint64_t width_ps, std::size_t max_windows)
    : width_ps_(std::max<uint64_t>(width_ps, 1)), max_windows_(std::max<std::size_t>(max_windows, 2)) {}

void WindowCounter::make_room(uint64_t last_ps) {
  while (last_ps / width_ps_ >= max_windows_) {
    std::vector<Window> merged((windows_.size() + 1) / 2);
    for (std::size_t i = 0; i < windows_.size(); ++i) {
      Window& m = merged[i / 2];
      m.busy_ps += windows_[i].busy_ps;
      m.read_bytes += windows_[i].read_bytes;
      m.write_bytes += windows_[i].write_bytes;
    }
    windows_ = std::move(merged);
    width_ps_ *= 2;
  }
  const std::size_t need = static_cast<std::size_t>(last_ps / width_ps_) + 1;
  if (windows_.size() < need) windows_.resize(need);
}

void WindowCounter::add(uint64_t start_ps, uint64_t end_ps, uint64_t read_bytes, uint64_t write_bytes) {
  end_ps = std::max(end_ps, start_ps);
  make_room(end_ps > start_ps ? end_ps - 1 : start_ps);
  if (end_ps == start_ps) {
    Window& w = windows_[static_cast<std::size_t>(start_ps / width_ps_)];
    w.read_bytes += static_cast<double>(read_bytes);
    w.write_bytes += static_cast<double>(write_bytes);
    return;
  }
  const double span = static_cast<double>(end_ps - start_ps);
  for (uint64_t t = start_ps; t < end_ps;) {
    const uint64_t index = t / width_ps_;
    const uint64_t stop = std::min(end_ps, (index + 1) * width_ps_);
    Window& w = windows_[static_cast<std::size_t>(index)];
    const double share = static_cast<double>(stop - t) / span;
    w.busy_ps += stop - t;
    w.read_bytes += share * static_cast<double>(read_bytes);
    w.write_bytes += share * static_cast<double>(write_bytes);
    t = stop;
  }
}

}  // namespace minconv::platform::trace
