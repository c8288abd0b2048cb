#pragma once
// Progress of a long run on standard error: a bar redrawn in place with rate and time left when stderr is a
// terminal, a plain line every 10% (or 30 s) when it is not, nothing when quiet.
#include <chrono>
#include <cstdint>
#include <string>

namespace minconv::platform {

class Progress {
 public:
  // `what` names the items ("images"); nothing is printed for a total below `min_total`.
  Progress(std::string label, std::string what, uint64_t total, bool quiet, uint64_t min_total = 2);
  // `done` items of `total` are finished.
  void update(uint64_t done);
  // Ends the bar (a newline on a terminal); called by the destructor if needed.
  void finish();
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

 private:
  std::string line(uint64_t done, double seconds) const;

  std::string label_, what_;
  uint64_t total_;
  bool enabled_;
  bool terminal_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_;
  uint64_t last_decile_ = 0;
};

}  // namespace minconv::platform
