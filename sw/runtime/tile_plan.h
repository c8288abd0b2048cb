#pragma once
// The tile planner of a conv/fc layer: a plain function of the layer's shape and the accelerator's buffer
// halves (no hardware needed to test it). docs/runtime.md "Tiling" describes the rules.
#include <cstdint>
#include <string>
#include <vector>

#include "sw/golden/int8_ops.h"

namespace minconv::sw {

// One conv/fc layer as the planner sees it (fc: a 1x1 conv of a 1 x 1 x K input).
struct LayerShape {
  std::string name;
  int in_h = 0, in_w = 0, in_c = 0;
  int out_h = 0, out_w = 0, out_c = 0;
  golden::ConvGeometry g;
  bool relu = false, raw = false;
  // Pooling fused into the accelerator's output path (regs::accel::PoolMode), non-overlapping k x k
  // windows: only the pooled outputs leave the accelerator.
  uint32_t pool_mode = 0;
  int pool_k = 1;
  uint32_t filter_bytes() const { return static_cast<uint32_t>(g.kh * g.kw * in_c); }
  uint32_t elem() const { return raw ? 4 : 1; }             // output bytes per value
  int unit() const { return pool_mode != 0 ? pool_k : 1; }  // conv output rows (columns) per final one
  // The tensor the layer writes to DRAM: pooled when pooling is fused.
  int final_h() const { return out_h / unit(); }
  int final_w() const { return out_w / unit(); }
  // Output-buffer bytes per final output value while a tile runs (average pooling keeps int32 sums).
  uint32_t out_buffer_elem() const { return pool_mode == 2 ? 4 : elem(); }
};

// Half of each accelerator buffer (a tile's share: the other half is being loaded) and the array rows.
struct BufferHalves {
  uint32_t in = 0, wt = 0, out = 0;
  uint32_t rows = 1;
  // Cut the layer into at least this many tiles where its shape allows, so that the first tile's loads
  // and the last tile's drain (which nothing overlaps) are a small part of the layer.
  uint32_t min_tiles = 1;
  // ... but only a layer whose weights or input exceed this many bytes (small layers gain nothing from it).
  uint32_t min_split_bytes = 4096;
  // Reduction splitting: also consider plans that cut the input channels into slices (partial sums stay in
  // the output half between the slices of an output block) and other channel chunks, and keep the one the
  // cost model (sw/runtime/plan_cost.h) finds fastest.
  bool split_reduction = false;
  uint32_t cols = 1;                   // array columns: output pixels per fold (the cost model)
  double dram_bytes_per_cycle = 12.8;  // DRAM peak bytes per accelerator cycle (the cost model)
  // The first tile's weights load during the previous layer's last tile, which lasts this many cycles (0:
  // they load with the first tile's input).
  double first_weights_hidden_cycles = 0;
  uint32_t burst_bytes = 256;  // DMA burst: contiguous runs are moved in bursts of at most this
  // Weight sharing: the weights are loaded once for a stream of images, so the cost model counts no weight
  // loads.
  bool weights_resident = false;
};

// One tile: which spatial block and channel chunk, its conv output window (oy0, ox0, th, tw), the window of
// the final (pooled, or else the same) output it writes (fy0, fx0, fh, fw), and the input window it reads
// (real pixels only; the padding around them is virtual).
//
// With reduction splitting, tile (spatial, chunk, slice) covers input channels ic0 .. ic0 + icn - 1 of the
// output block (spatial, chunk): the block's slices run one after the other; all but the last leave int32
// partial sums in the output half (PSUM_OUT), all but the first add to them (PSUM_IN). `block` numbers the
// output blocks in execution order.
struct Tile {
  int spatial = 0, chunk = 0, slice = 0, block = 0;
  int ic0 = 0, icn = 0;
  bool first_slice = true, last_slice = true;
  int oy0 = 0, ox0 = 0, c0 = 0, th = 0, tw = 0, tc = 0;
  int fy0 = 0, fx0 = 0, fh = 0, fw = 0;
  int y_lo = 0, x_lo = 0, in_h = 0, in_w = 0, pad_t = 0, pad_l = 0, pad_b = 0, pad_r = 0;
};

struct TilePlan {
  uint32_t th = 0, tw = 0, tc = 0;  // final (pooled) output rows x cols x channels per tile
  uint32_t ic = 0, slices = 1;      // input channels per slice, slices per output block (1: no splitting)
  bool weights_outer = false;       // channel chunks outer (weights loaded once) or spatial blocks outer
  std::vector<Tile> tiles;          // in execution order
  int item_in(const Tile& t) const { return t.spatial * static_cast<int>(slices) + t.slice; }
  int item_wt(const Tile& t) const { return t.chunk * static_cast<int>(slices) + t.slice; }
};

// Bytes of a chunk of `tc` filters and their 12-byte post-scale records in the weight buffer.
uint64_t weight_chunk_bytes(uint32_t tc, uint32_t filter_bytes);

// Bytes of the input window of a block of th x tw final outputs with `ic` input channels.
uint64_t block_input_bytes(const LayerShape& layer, int th, int tw, uint32_t ic);

// The largest block of final outputs, th rows of full width or else one row of tw columns, whose input window
// of `ic` channels fits halves.in and whose outputs fit halves.out (split: the conv tile's int32 partial
// sums, 4 bytes per value); false if not even one output fits.
bool largest_block(const LayerShape& layer, const BufferHalves& halves, uint32_t tc, uint32_t ic, bool split,
                   int& th, int& tw);

// Bytes of the post-scale records of `tc` filters.
inline uint32_t post_bytes(uint32_t tc) { return 12 * tc; }

// Plans the layer: channels per tile (as many filters as half the weight buffer holds, rounded down to whole
// array rows when at least that many fit), then output rows (full width) or, if not even one row fits, one
// row of as many columns as fit half the input and output buffers; then, below `min_tiles` tiles, smaller
// channel chunks (whole array rows; when the weights outweigh the input) and then fewer rows per tile; then
// the loop order with the fewer DRAM bytes. With halves.split_reduction, that plan is one candidate among
// plans with other channel chunks, input-channel slices and rows per tile, and the cost model's fastest
// wins (docs/runtime.md "Reduction splitting"). Throws std::runtime_error ("layer 'name': why") if not even
// one filter or one output pixel fits.
TilePlan plan_tiles(const LayerShape& layer, const BufferHalves& halves);

// A plan with the given output block (final rows x cols x channels), input channels per slice (`ic` <
// layer.in_c: split) and loop order: the tiles in execution order, slices innermost.
TilePlan make_plan(const LayerShape& layer, uint32_t th, uint32_t tw, uint32_t tc, uint32_t ic,
                   bool weights_outer);

}  // namespace minconv::sw
