#pragma once
// The tile planner's cost model (docs/runtime.md "Reduction splitting"): an estimate of a plan's cycles from
// the accelerator's documented tile timing and the DRAM bytes its loads and drains move, used to choose
// among candidate plans. A model for choosing, not the simulation: the SoC's figures come from running it.
#include <cstdint>
#include <optional>

#include "sw/runtime/tile_plan.h"

namespace minconv::sw {

struct PlanCost {
  uint64_t compute_cycles = 0;  // sum of the tiles' T_tile
  uint64_t dram_bytes = 0;      // loads (as HalfTracker places them) and output drains
  double cycles = 0;            // the estimate below
};

// Per-tile gap between one tile's end and the next one's start (interrupt, driver), cycles.
constexpr double kTileGapCycles = 50;
// What a DMA burst costs beyond its bytes at the DRAM peak, cycles: measured on the default SoC, a 3-D
// job of 64-byte runs moves 64 bytes per 7 accelerator cycles (at the peak: 5).
constexpr double kBurstOverheadCycles = 2;

// T_tile of tile t: 4 + (folds - 1) * max(K, R, C) + K + R + C - 1 + 3 (docs/accelerator.md), K = kh * kw *
// icn.
uint64_t tile_compute_cycles(const LayerShape& layer, const BufferHalves& halves, const Tile& t);

// cycles = load(tile 0) (its weights: what outlasts halves.first_weights_hidden_cycles; no weights at all
//          with halves.weights_resident)
//          + sum over tiles i of max(T_tile(i) + gap, load(i + 1) + drain(i - 1)) + drain(last),
// where a transfer of n bytes in b bursts (contiguous runs cut at halves.burst_bytes) takes
// n / halves.dram_bytes_per_cycle + b * kBurstOverheadCycles.
PlanCost estimate_cost(const LayerShape& layer, const BufferHalves& halves, const TilePlan& plan);

// The fastest plan by estimate_cost among `baseline` and the candidates: input channels per slice ic =
// ceil(in_c / S) for S in 1, 2, 3, 4, 6, 8, ... 128; channel chunks of whole array rows (R, 2R, 3R, 4R, 6R,
// 8R, ...) and the most filters that fit; the largest block that fits and the one of at least half its rows
// that fills the array's columns best; both loop orders. A candidate replaces `baseline` only if it is
// estimated at least 2% faster. Empty if there is no baseline and no candidate fits.
std::optional<TilePlan> best_plan(const LayerShape& layer, const BufferHalves& halves,
                                  std::optional<TilePlan> baseline);

}  // namespace minconv::sw
