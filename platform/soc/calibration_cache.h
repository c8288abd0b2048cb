#pragma once
// Calibration results kept on disk between runs (docs/performance.md). Calibrating runs the float network
// over the whole calibration set for each PE kind, the slowest step of a short run; its result depends only
// on the network (structure and weights), the calibration images, the float mode and the code that computes
// it. An entry is keyed by a 128-bit hash of all of these and a code version string, and holds the key and a
// checksum: an entry that is missing, for another key, truncated or corrupt is ignored (and replaced after
// calibrating again), never trusted.
#include <optional>
#include <string>
#include <vector>

#include "sw/golden/network.h"

namespace minconv::platform {

// A version string and the SHA-256 of the sw/golden sources calibration depends on (hashed at build time): a
// change to them gives every entry a new key. Bump the version if calibration changes through other code.
extern const char* const kCalibrationCodeVersion;

struct CalibrationKey {
  uint64_t hi = 0, lo = 0;
  bool operator==(const CalibrationKey& o) const { return hi == o.hi && lo == o.lo; }
  std::string hex() const;
};

CalibrationKey calibration_key(const golden::FloatNetwork& net, const std::vector<golden::TensorF>& images,
                               golden::FloatMode mode);

class CalibrationCache {
 public:
  // Entries live in `dir` (created when the first one is stored); an empty dir disables the cache.
  explicit CalibrationCache(std::string dir = "") : dir_(std::move(dir)) {}
  // $XDG_CACHE_HOME/minconv, else $HOME/.cache/minconv, else "" (no cache).
  static std::string default_dir();

  bool enabled() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }
  std::string path(const CalibrationKey& key) const;

  // The entry for `key` if there is a valid one with `layers` layers in `mode`.
  std::optional<golden::Calibration> load(const CalibrationKey& key, std::size_t layers,
                                          golden::FloatMode mode) const;
  // Writes the entry (to a temporary file, then renamed); false if it could not be written.
  bool store(const CalibrationKey& key, const golden::Calibration& cal) const;

 private:
  std::string dir_;
};

// calibrate() through the cache (if enabled): a valid entry is returned as is, else the calibration is
// computed on `threads` and stored. `hit` (if given) says which.
golden::Calibration calibrate_cached(const CalibrationCache& cache, const golden::FloatNetwork& net,
                                     const std::vector<golden::TensorF>& images, golden::FloatMode mode,
                                     int threads, bool* hit = nullptr);

}  // namespace minconv::platform
