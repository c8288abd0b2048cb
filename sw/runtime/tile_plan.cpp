#include "sw/runtime/tile_plan.h"

#include "sw/runtime/plan_cost.h"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace minconv::sw {

namespace {

uint64_t align4(uint64_t v) { return (v + 3) / 4 * 4; }

[[noreturn]] void fail(const LayerShape& l, const std::string& why) {
  throw std::runtime_error("layer '" + l.name + "': " + why);
}

uint32_t channels_per_tile(const LayerShape& l, const BufferHalves& h) {
  uint32_t tc = static_cast<uint32_t>(l.out_c);
  while (tc > 0 && weight_chunk_bytes(tc, l.filter_bytes()) > h.wt) --tc;
  if (tc == 0)
    fail(l,
         "one filter (" + std::to_string(l.filter_bytes()) + " bytes) does not fit half the weight buffer");
  if (tc >= h.rows && tc < static_cast<uint32_t>(l.out_c)) tc = tc / h.rows * h.rows;
  return tc;
}

int in_rows(const LayerShape& l, int th) { return std::min(l.in_h, (th - 1) * l.g.stride_h + l.g.kh); }
int in_cols(const LayerShape& l, int tw) { return std::min(l.in_w, (tw - 1) * l.g.stride_w + l.g.kw); }

// Final output rows x columns per tile: full rows if possible, as many as the input and output halves hold.
void spatial_tile(const LayerShape& l, const BufferHalves& h, uint32_t tc, int& th, int& tw) {
  if (!largest_block(l, h, tc, static_cast<uint32_t>(l.in_c), false, th, tw))
    fail(l, "not even one output pixel fits the accelerator's buffers");
}

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// Below h.min_tiles tiles: smaller channel chunks when the weights are the bigger load (whole array rows),
// then fewer final output rows per tile.
void split_for_overlap(const LayerShape& l, const BufferHalves& h, uint32_t& tc, int& th, int tw) {
  const auto chunks = [&] { return ceil_div(l.out_c, static_cast<int>(tc)); };
  const auto spatial = [&] { return ceil_div(l.final_h(), th) * ceil_div(l.final_w(), tw); };
  const int want = static_cast<int>(h.min_tiles);
  if (chunks() * spatial() >= want) return;
  const uint64_t weights = uint64_t(l.out_c) * (l.filter_bytes() + 12);
  const uint64_t input = uint64_t(l.in_h) * l.in_w * l.in_c;
  if (std::max(weights, input) <= h.min_split_bytes) return;
  const int R = static_cast<int>(h.rows);
  if (weights >= input && l.out_c > R) {
    const int per_chunk = ceil_div(ceil_div(l.out_c, ceil_div(want, spatial())), R) * R;
    tc = std::min(tc, static_cast<uint32_t>(per_chunk));
  }
  if (chunks() * spatial() >= want || tw < l.final_w()) return;
  th = std::min(th, std::max(1, ceil_div(l.final_h(), ceil_div(want, chunks()))));
}

Tile make_tile(const LayerShape& l, const TilePlan& p, int spatial, int chunk, int n_cols) {
  const golden::ConvGeometry& g = l.g;
  Tile t;
  t.spatial = spatial;
  t.chunk = chunk;
  const int u = l.unit();
  t.fy0 = (spatial / n_cols) * static_cast<int>(p.th);
  t.fx0 = (spatial % n_cols) * static_cast<int>(p.tw);
  t.fh = std::min(static_cast<int>(p.th), l.final_h() - t.fy0);
  t.fw = std::min(static_cast<int>(p.tw), l.final_w() - t.fx0);
  t.oy0 = t.fy0 * u;
  t.ox0 = t.fx0 * u;
  t.th = t.fh * u;
  t.tw = t.fw * u;
  t.c0 = chunk * static_cast<int>(p.tc);
  t.tc = std::min(static_cast<int>(p.tc), l.out_c - t.c0);
  const int iy0 = t.oy0 * g.stride_h - g.pad_top,
            iy1 = (t.oy0 + t.th - 1) * g.stride_h - g.pad_top + g.kh - 1;
  const int ix0 = t.ox0 * g.stride_w - g.pad_left,
            ix1 = (t.ox0 + t.tw - 1) * g.stride_w - g.pad_left + g.kw - 1;
  t.y_lo = std::max(0, iy0);
  t.x_lo = std::max(0, ix0);
  t.in_h = std::min(l.in_h - 1, iy1) - t.y_lo + 1;
  t.in_w = std::min(l.in_w - 1, ix1) - t.x_lo + 1;
  t.pad_t = t.y_lo - iy0;
  t.pad_l = t.x_lo - ix0;
  t.pad_b = std::max(0, iy1 - (l.in_h - 1));
  t.pad_r = std::max(0, ix1 - (l.in_w - 1));
  return t;
}

// Today's plan without splitting: the rules of plan_tiles' comment.
TilePlan unsplit_plan(const LayerShape& l, const BufferHalves& h) {
  uint32_t tc = channels_per_tile(l, h);
  int th = 0, tw = 0;
  spatial_tile(l, h, tc, th, tw);
  split_for_overlap(l, h, tc, th, tw);
  const int n_spatial = ceil_div(l.final_h(), th) * ceil_div(l.final_w(), tw);
  const int n_chunks = ceil_div(l.out_c, static_cast<int>(tc));
  // Loop order: reload whichever costs less DRAM traffic.
  const uint64_t w_total = uint64_t(l.out_c) * (l.filter_bytes() + 12);
  const uint64_t in_total =
      uint64_t(n_spatial) * in_rows(l, th * l.unit()) * in_cols(l, tw * l.unit()) * l.in_c;
  const bool weights_outer = w_total + n_chunks * in_total <= in_total + n_spatial * w_total;
  return make_plan(l, static_cast<uint32_t>(th), static_cast<uint32_t>(tw), tc, static_cast<uint32_t>(l.in_c),
                   weights_outer);
}

}  // namespace

uint64_t block_input_bytes(const LayerShape& l, int th, int tw, uint32_t ic) {
  return uint64_t(in_rows(l, th * l.unit())) * in_cols(l, tw * l.unit()) * ic;
}

bool largest_block(const LayerShape& l, const BufferHalves& h, uint32_t tc, uint32_t ic, bool split, int& th,
                   int& tw) {
  const int u = l.unit();
  const auto fits = [&](int rows, int cols) {
    const uint64_t out = split ? uint64_t(rows) * u * cols * u * tc * 4  // the conv tile's partial sums
                               : uint64_t(rows) * cols * tc * l.out_buffer_elem();
    return block_input_bytes(l, rows, cols, ic) <= h.in && out <= h.out;
  };
  tw = l.final_w();
  th = 0;
  while (th < l.final_h() && fits(th + 1, tw)) ++th;
  if (th > 0) return true;
  th = 1;
  while (tw > 0 && !fits(1, tw)) --tw;
  return tw > 0;
}

uint64_t weight_chunk_bytes(uint32_t tc, uint32_t filter_bytes) {
  return align4(uint64_t{tc} * filter_bytes) + 12ull * tc;
}

TilePlan make_plan(const LayerShape& l, uint32_t th, uint32_t tw, uint32_t tc, uint32_t ic,
                   bool weights_outer) {
  TilePlan p;
  p.th = th;
  p.tw = tw;
  p.tc = tc;
  p.ic = ic;
  p.slices = static_cast<uint32_t>(ceil_div(l.in_c, static_cast<int>(ic)));
  p.weights_outer = weights_outer;
  const int n_cols = ceil_div(l.final_w(), static_cast<int>(tw));
  const int n_spatial = ceil_div(l.final_h(), static_cast<int>(th)) * n_cols;
  const int n_chunks = ceil_div(l.out_c, static_cast<int>(tc));
  const int S = static_cast<int>(p.slices);
  int block = 0;
  for (int a = 0; a < (weights_outer ? n_chunks : n_spatial); ++a) {
    for (int b = 0; b < (weights_outer ? n_spatial : n_chunks); ++b, ++block) {
      for (int k = 0; k < S; ++k) {
        Tile t = make_tile(l, p, weights_outer ? b : a, weights_outer ? a : b, n_cols);
        t.slice = k;
        t.block = block;
        t.ic0 = k * static_cast<int>(ic);
        t.icn = std::min(static_cast<int>(ic), l.in_c - t.ic0);
        t.first_slice = k == 0;
        t.last_slice = k == S - 1;
        p.tiles.push_back(t);
      }
    }
  }
  return p;
}

TilePlan plan_tiles(const LayerShape& l, const BufferHalves& h) {
  if (!h.split_reduction) return unsplit_plan(l, h);
  std::optional<TilePlan> baseline;
  try {
    baseline = unsplit_plan(l, h);
  } catch (const std::runtime_error&) {  // slices of the input channels may still fit
  }
  std::optional<TilePlan> best = best_plan(l, h, std::move(baseline));
  if (!best) unsplit_plan(l, h);  // throws why not even the smallest tile fits
  if (!best) fail(l, "not even one output pixel of one input-channel slice fits the accelerator's buffers");
  return std::move(*best);
}

}  // namespace minconv::sw
