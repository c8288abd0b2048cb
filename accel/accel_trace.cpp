// The accelerator's part of a trace (docs/trace.md): each tile as a slice on the "accel" track, holding its
// setup, its folds (summarised in one slice, or one slice each with --trace-detail folds) and the post-scale
// pipeline flush, placed after the timing formula of docs/accelerator.md; and the "accel" busy counter. The
// tile slice lasts exactly the cycles the accelerator counts as busy.
#include <algorithm>
#include <string>

#include "accel/accelerator.h"

namespace minconv::accel {

namespace tr = platform::trace;

void Accelerator::set_trace(tr::TraceSink* sink) {
  trace_ = sink;
  if (sink == nullptr) return;
  track_ = sink->track("accel");
  busy_counter_ = sink->counter_track("accel", false);
}

void Accelerator::trace_tile(const sc_core::sc_time& t0, const TileDescriptor& d, const TileResult& r) {
  const sc_core::sc_time end = t0 + period_ * static_cast<double>(r.cycles);
  trace_->counter(busy_counter_, t0, end);
  if (!trace_->wants(tr::Detail::kTiles)) return;
  const auto at = [&](uint64_t cycles) { return std::min(end, t0 + period_ * static_cast<double>(cycles)); };
  const uint64_t t_fold = fold_cycles(params_.rows, params_.cols, d.k_steps());
  const uint64_t folds_end = kTileSetupCycles + r.counters.folds * t_fold;
  const double pes = static_cast<double>(params_.rows) * params_.cols;
  const std::string out =
      std::to_string(d.out_h) + "x" + std::to_string(d.out_w) + "x" + std::to_string(d.out_c);
  // Enclosing slices first: a viewer orders slices of equal start and length by file order.
  trace_->complete(track_, "tile", t0, end,
                   {{"out", out},
                    {"k", d.k_steps()},
                    {"folds", r.counters.folds},
                    {"cycles_per_fold", t_fold},
                    {"cycles", r.cycles},
                    {"macs", r.counters.macs},
                    {"pe_utilization", r.cycles > 0 ? r.counters.macs / (pes * r.cycles) : 0.0}});
  trace_->complete(track_, "setup", t0, at(kTileSetupCycles));
  trace_->complete(track_, "folds", at(kTileSetupCycles), at(folds_end),
                   {{"folds", r.counters.folds}, {"cycles_per_fold", t_fold}});
  if (trace_->wants(tr::Detail::kFolds)) trace_folds(t0, d, r);
  trace_->complete(track_, "post-scale", at(folds_end), end);
}

// Fold i: channel group i / pixel_groups, pixel group i % pixel_groups (channel groups outer); its last R
// cycles drain the accumulators through the post-scale units.
void Accelerator::trace_folds(const sc_core::sc_time& t0, const TileDescriptor& d, const TileResult& r) {
  const sc_core::sc_time end = t0 + period_ * static_cast<double>(r.cycles);
  const auto at = [&](uint64_t cycles) { return std::min(end, t0 + period_ * static_cast<double>(cycles)); };
  const uint64_t t_fold = fold_cycles(params_.rows, params_.cols, d.k_steps());
  const uint64_t pixel_groups = (d.pixels() + params_.cols - 1) / params_.cols;
  for (uint64_t i = 0; i < r.counters.folds; ++i) {
    const uint64_t start = kTileSetupCycles + i * t_fold;
    trace_->complete(track_, "fold", at(start), at(start + t_fold),
                     {{"channel_group", i / pixel_groups}, {"pixel_group", i % pixel_groups}});
    trace_->complete(track_, "drain + post-scale", at(start + t_fold - params_.rows), at(start + t_fold));
  }
}

}  // namespace minconv::accel
