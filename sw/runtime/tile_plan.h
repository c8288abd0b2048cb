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
};

// One tile: which spatial block and channel chunk, its conv output window (oy0, ox0, th, tw), the window of
// the final (pooled, or else the same) output it writes (fy0, fx0, fh, fw), and the input window it reads
// (real pixels only; the padding around them is virtual).
struct Tile {
  int spatial = 0, chunk = 0;
  int oy0 = 0, ox0 = 0, c0 = 0, th = 0, tw = 0, tc = 0;
  int fy0 = 0, fx0 = 0, fh = 0, fw = 0;
  int y_lo = 0, x_lo = 0, in_h = 0, in_w = 0, pad_t = 0, pad_l = 0, pad_b = 0, pad_r = 0;
};

struct TilePlan {
  uint32_t th = 0, tw = 0, tc = 0;  // final (pooled) output rows x cols x channels per tile
  bool weights_outer = false;       // channel chunks outer (weights loaded once) or spatial blocks outer
  std::vector<Tile> tiles;          // in execution order
};

// Bytes of a chunk of `tc` filters and their 12-byte post-scale records in the weight buffer.
uint64_t weight_chunk_bytes(uint32_t tc, uint32_t filter_bytes);

// Plans the layer: channels per tile (as many filters as half the weight buffer holds, rounded down to whole
// array rows when at least that many fit), then output rows (full width) or, if not even one row fits, one
// row of as many columns as fit half the input and output buffers; then, below `min_tiles` tiles, smaller
// channel chunks (whole array rows; when the weights outweigh the input) and then fewer rows per tile; then
// the loop order with the fewer DRAM bytes. Throws std::runtime_error ("layer 'name': why") if not even one
// filter or one output pixel fits.
TilePlan plan_tiles(const LayerShape& layer, const BufferHalves& halves);

}  // namespace minconv::sw
