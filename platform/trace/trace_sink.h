#pragma once
// Where platform components report what they did, for a timeline trace (docs/trace.md). A component holds a
// `TraceSink*` that the SoC sets (nullptr when nothing is traced): tracing off costs one pointer test per
// hook, and nothing a component does depends on whether it is traced.
//
// Tracks are timelines of slices (a DMA channel, the accelerator, the CPU); slices on one track nest (a
// slice begun inside another ends before it). Counter tracks sum resource usage (busy time, bytes) per fixed
// window of simulated time. All times are absolute simulated times.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <systemc>

namespace minconv::platform::trace {

// How much a trace holds, each level adding to the one before (docs/trace.md).
enum class Detail {
  kLayers = 0,  // CPU: layer slices and driver phases; counters (DRAM, bus, DMA, accelerator busy)
  kTiles = 1,   // + DMA jobs, accelerator tiles (folds summarised in args), CPU waits and block moves
  kFolds = 2,   // + every fold of every tile, every descriptor of a DMA list
};
const char* to_string(Detail d);
// "layers", "tiles" or "folds"; nullopt for anything else.
std::optional<Detail> parse_detail(std::string_view text);

using TrackId = uint32_t;
using CounterId = uint32_t;

class TraceSink {
 public:
  virtual ~TraceSink() = default;

  virtual Detail detail() const = 0;
  bool wants(Detail d) const { return static_cast<int>(d) <= static_cast<int>(detail()); }

  // The simulated time shown as 0 (default: time 0). The CPU stub sets it when its program starts, so that
  // SoCs that run one after the other in one simulation line up in the viewer; earlier times show as 0.
  virtual void set_origin(const sc_core::sc_time& t) = 0;

  // Declares a slice track (shown in this order) or a counter track and returns its id for the calls below;
  // declaring a name again returns the same track.
  virtual TrackId track(const std::string& name) = 0;
  // `bytes`: the counter also shows read and write bandwidth, not only the busy fraction.
  virtual CounterId counter_track(const std::string& name, bool bytes) = 0;

  // A slice [start, end] with optional args (a JSON object).
  virtual void complete(TrackId track, std::string_view name, const sc_core::sc_time& start,
                        const sc_core::sc_time& end, const nlohmann::json& args = {}) = 0;
  // A slice whose end is not known yet: begin() opens it, end() closes the innermost open one of the track.
  virtual void begin(TrackId track, std::string_view name, const sc_core::sc_time& at) = 0;
  virtual void end(TrackId track, const sc_core::sc_time& at, const nlohmann::json& args = {}) = 0;
  // The resource was busy during [start, end) and moved these bytes meanwhile (spread evenly over it).
  virtual void counter(CounterId counter, const sc_core::sc_time& start, const sc_core::sc_time& end,
                       uint64_t read_bytes = 0, uint64_t write_bytes = 0) = 0;
};

}  // namespace minconv::platform::trace
