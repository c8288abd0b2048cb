#include "sw/runtime/plan_cost.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "sw/runtime/half_tracker.h"

namespace minconv::sw {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

uint64_t tile_compute_cycles(const LayerShape& l, const BufferHalves& h, const Tile& t) {
  const uint64_t K = uint64_t(l.g.kh) * l.g.kw * t.icn, R = h.rows, C = std::max(1u, h.cols);
  const uint64_t folds = ceil_div(t.tc, R) * ceil_div(uint64_t(t.th) * t.tw, C);
  return 4 + (folds - 1) * std::max({K, R, C}) + K + R + C - 1 + 3;
}

namespace {

// DRAM bytes of a transfer and its cycles at the cost model's DMA rate.
struct Transfer {
  uint64_t bytes = 0;
  double cycles = 0;
  // `runs` contiguous runs of `run` bytes each, cut into bursts.
  void add(const BufferHalves& h, uint64_t runs, uint64_t run) {
    const uint64_t bursts = runs * ceil_div(run, std::max(1u, h.burst_bytes));
    bytes += runs * run;
    cycles += static_cast<double>(runs * run) / h.dram_bytes_per_cycle + kBurstOverheadCycles * bursts;
  }
};

// Tile i's loads (what HalfTracker says is not already in a half); tile 0's weights may load during the
// previous layer: only what outlasts its last tile counts.
Transfer tile_loads(const LayerShape& l, const BufferHalves& h, const TilePlan& p, std::size_t i,
                    HalfTracker& in, HalfTracker& wt) {
  const Tile& t = p.tiles[i];
  const bool split = t.icn < l.in_c;
  const uint64_t taps = uint64_t(l.g.kh) * l.g.kw;
  Transfer x;
  bool load = false;
  in.place(i, p.item_in(t), load);
  if (load && split) x.add(h, uint64_t(t.in_h) * t.in_w, uint64_t(t.icn));
  if (load && !split) x.add(h, uint64_t(t.in_h), uint64_t(t.in_w) * t.icn);
  wt.place(i, p.item_wt(t), load);
  Transfer w;
  if (load && split) w.add(h, uint64_t(t.tc) * taps, uint64_t(t.icn));
  if (load && !split) w.add(h, 1, uint64_t(t.tc) * taps * t.icn);
  if (load && t.last_slice) w.add(h, 1, post_bytes(static_cast<uint32_t>(t.tc)));
  if (i == 0) w.cycles = std::max(0.0, w.cycles - h.first_weights_hidden_cycles);
  if (h.weights_resident) w = Transfer{};  // loaded once for a stream of images
  x.bytes += w.bytes;
  x.cycles += w.cycles;
  return x;
}

Transfer tile_drain(const LayerShape& l, const BufferHalves& h, const Tile& t) {
  Transfer x;
  if (!t.last_slice) return x;
  if (t.tc == l.out_c) {
    x.add(h, uint64_t(t.fh), uint64_t(t.fw) * t.tc * l.elem());
  } else {
    x.add(h, uint64_t(t.fh) * t.fw, uint64_t(t.tc) * l.elem());
  }
  return x;
}

// The block of at least half of `th` final rows whose conv pixels fill the columns of the array best.
int best_fill_rows(const LayerShape& l, const BufferHalves& h, int th, int tw) {
  const uint64_t C = std::max(1u, h.cols), u = l.unit();
  int best = th;
  double best_fill = 0;
  for (int r = th; r >= std::max(1, th / 2); --r) {
    const uint64_t px = r * u * tw * u;
    const double fill = static_cast<double>(px) / static_cast<double>(ceil_div(px, C) * C);
    if (fill > best_fill + 1e-9) {
      best_fill = fill;
      best = r;
    }
  }
  return best;
}

std::vector<uint32_t> slice_channels(const LayerShape& l) {
  std::vector<uint32_t> out;
  for (uint32_t S : {1u, 2u, 3u, 4u, 6u, 8u, 12u, 16u, 24u, 32u, 48u, 64u, 96u, 128u}) {
    if (S > static_cast<uint32_t>(l.in_c)) break;
    const uint32_t ic = static_cast<uint32_t>(ceil_div(l.in_c, S));
    if (out.empty() || out.back() != ic) out.push_back(ic);
  }
  return out;
}

std::vector<uint32_t> chunk_channels(const LayerShape& l, const BufferHalves& h, uint32_t ic) {
  const uint32_t kf = static_cast<uint32_t>(l.g.kh * l.g.kw) * ic;
  uint32_t most = static_cast<uint32_t>(l.out_c);
  while (most > 0 && weight_chunk_bytes(most, kf) > h.wt) --most;
  std::vector<uint32_t> out;
  if (most == 0) return out;
  out.push_back(most);
  for (uint32_t m : {1u, 2u, 3u, 4u, 6u, 8u, 12u, 16u, 24u, 32u, 48u, 64u, 96u, 128u}) {
    const uint32_t tc = m * h.rows;
    if (tc < most) out.push_back(tc);
  }
  return out;
}

}  // namespace

PlanCost estimate_cost(const LayerShape& l, const BufferHalves& h, const TilePlan& p) {
  PlanCost c;
  HalfTracker in, wt;
  const std::size_t n = p.tiles.size();
  Transfer next = tile_loads(l, h, p, 0, in, wt);
  c.dram_bytes = next.bytes;
  c.cycles = next.cycles;
  for (std::size_t i = 0; i < n; ++i) {
    const uint64_t compute = tile_compute_cycles(l, h, p.tiles[i]);
    next = i + 1 < n ? tile_loads(l, h, p, i + 1, in, wt) : Transfer{};
    const Transfer drain = i > 0 ? tile_drain(l, h, p.tiles[i - 1]) : Transfer{};
    c.compute_cycles += compute;
    c.dram_bytes += next.bytes + tile_drain(l, h, p.tiles[i]).bytes;
    c.cycles += std::max(static_cast<double>(compute) + kTileGapCycles, next.cycles + drain.cycles);
  }
  c.cycles += tile_drain(l, h, p.tiles.back()).cycles;
  return c;
}

std::optional<TilePlan> best_plan(const LayerShape& l, const BufferHalves& h,
                                  std::optional<TilePlan> baseline) {
  std::optional<TilePlan> best = std::move(baseline);
  double best_cycles = best ? estimate_cost(l, h, *best).cycles * 0.98 : HUGE_VAL;
  for (uint32_t ic : slice_channels(l)) {
    const bool split = ic < static_cast<uint32_t>(l.in_c);
    for (uint32_t tc : chunk_channels(l, h, ic)) {
      int th = 0, tw = 0;
      if (!largest_block(l, h, tc, ic, split, th, tw)) continue;
      for (int rows : {th, best_fill_rows(l, h, th, tw)}) {
        for (bool weights_outer : {true, false}) {
          TilePlan p =
              make_plan(l, static_cast<uint32_t>(rows), static_cast<uint32_t>(tw), tc, ic, weights_outer);
          const double cycles = estimate_cost(l, h, p).cycles;
          if (cycles < best_cycles) {
            best_cycles = cycles;
            best = std::move(p);
          }
        }
      }
    }
  }
  return best;
}

}  // namespace minconv::sw
