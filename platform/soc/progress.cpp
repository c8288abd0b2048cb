#include "platform/soc/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace minconv::platform {

namespace {
constexpr int kBarWidth = 30;
constexpr double kRedrawSeconds = 0.1;  // terminal: at most 10 redraws per second
constexpr double kLineSeconds = 30.0;   // log: at least a line every 30 s

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(std::lround(seconds));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}
}  // namespace

Progress::Progress(std::string label, std::string what, uint64_t total, bool quiet, uint64_t min_total)
    : label_(std::move(label)),
      what_(std::move(what)),
      total_(total),
      enabled_(!quiet && total >= min_total),
      terminal_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() { finish(); }

std::string Progress::line(uint64_t done, double seconds) const {
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  const double left = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%llu/%llu %s, %.1f %s/s, %s elapsed, %s left",
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), what_.c_str(),
                rate, what_.c_str(), clock_text(seconds).c_str(), clock_text(left).c_str());
  return label_ + ": " + buf;
}

void Progress::update(uint64_t done) {
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since_last = std::chrono::duration<double>(now - last_).count();
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const uint64_t decile = total_ > 0 ? 10 * done / total_ : 10;
  if (terminal_) {
    if (since_last < kRedrawSeconds && done < total_) return;
    const int filled = total_ > 0 ? static_cast<int>(kBarWidth * done / total_) : kBarWidth;
    std::fprintf(stderr, "\r[%s%s] %s\x1b[K", std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kBarWidth - filled), ' ').c_str(),
                 line(done, seconds).c_str());
  } else {
    if (decile == last_decile_ && since_last < kLineSeconds) return;
    last_decile_ = decile;
    std::fprintf(stderr, "%s\n", line(done, seconds).c_str());
  }
  std::fflush(stderr);
  last_ = now;
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (terminal_) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

}  // namespace minconv::platform
