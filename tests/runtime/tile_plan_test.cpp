// The tile planner as a plain function: expectations worked out by hand from the rules in docs/runtime.md.
#include "sw/runtime/tile_plan.h"

#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sw/runtime/plan_cost.h"

namespace minconv::sw {
namespace {

LayerShape conv(int in_h, int in_w, int in_c, int out_c, int k, int pad) {
  LayerShape l;
  l.name = "c";
  l.in_h = in_h;
  l.in_w = in_w;
  l.in_c = in_c;
  l.g = golden::ConvGeometry{k, k, 1, 1, pad, pad, pad, pad};
  l.out_h = l.g.out_h(in_h);
  l.out_w = l.g.out_w(in_w);
  l.out_c = out_c;
  return l;
}

TEST(TilePlan, LeNetFc1IsOneTile) {
  // 400 inputs -> 120 outputs: 120 filters of 400 B + 120 post-scale records = 49,440 B <= 131,072.
  const TilePlan p = plan_tiles(conv(1, 1, 400, 120, 1, 0), BufferHalves{32768, 131072, 16384, 8});
  EXPECT_EQ(p.tc, 120u);
  EXPECT_EQ(p.th, 1u);
  EXPECT_EQ(p.tw, 1u);
  ASSERT_EQ(p.tiles.size(), 1u);
}

TEST(TilePlan, LeNetFc1WithMinTilesIsFourChannelChunks) {
  // Weights (49,440 B) outweigh the input (400 B): 4 tiles want ceil(120 / 4) = 30 channels, rounded up to
  // whole rows of 8: 32, 32, 32, 24.
  const TilePlan p = plan_tiles(conv(1, 1, 400, 120, 1, 0), BufferHalves{32768, 131072, 16384, 8, 4});
  EXPECT_EQ(p.tc, 32u);
  ASSERT_EQ(p.tiles.size(), 4u);
  EXPECT_EQ(p.tiles[3].c0, 96);
  EXPECT_EQ(p.tiles[3].tc, 24);
}

TEST(TilePlan, MinTilesSplitsRowsWhenTheInputOutweighsTheWeights) {
  // LeNet conv1 with its 2x2 max pool fused: 28x28x1 input (784 B) against 6 x (25 + 12) = 222 B of
  // weights; the 14 pooled rows in 4 tiles: ceil(14 / 4) = 4 pooled rows (8 conv rows) per tile.
  LayerShape l = conv(28, 28, 1, 6, 5, 2);
  l.pool_mode = 1;
  l.pool_k = 2;
  const TilePlan p = plan_tiles(l, BufferHalves{32768, 131072, 16384, 8, 4, 0});
  EXPECT_EQ(p.tc, 6u);
  EXPECT_EQ(p.th, 4u);
  EXPECT_EQ(p.tw, 14u);
  ASSERT_EQ(p.tiles.size(), 4u);
  const Tile& last = p.tiles[3];
  EXPECT_EQ(last.fy0, 12);
  EXPECT_EQ(last.fh, 2);
  EXPECT_EQ(last.oy0, 24);  // conv rows 24..27
  EXPECT_EQ(last.th, 4);
  EXPECT_EQ(last.y_lo, 22);  // input rows 22..27 and 2 rows of virtual padding
  EXPECT_EQ(last.in_h, 6);
  EXPECT_EQ(last.pad_b, 2);
}

TEST(TilePlan, LayersAtOrBelowMinSplitBytesStayWhole) {
  // The same conv1: input 784 B and weights 222 B are both <= 4,096 B (the default min_split_bytes).
  LayerShape l = conv(28, 28, 1, 6, 5, 2);
  l.pool_mode = 1;
  l.pool_k = 2;
  EXPECT_EQ(plan_tiles(l, BufferHalves{32768, 131072, 16384, 8, 4}).tiles.size(), 1u);
  // LeNet fc3: 10 filters of 84 B + records = 960 B.
  EXPECT_EQ(plan_tiles(conv(1, 1, 84, 10, 1, 0), BufferHalves{32768, 131072, 16384, 8, 4}).tiles.size(), 1u);
}

TEST(TilePlan, PooledTilesCoverWholeWindowsAndDropTheEdgeRemainder) {
  // 3x3 pad 1 conv 13x17 -> 13x17, max pool 3/3 -> 4x5: conv rows 12 and columns 15, 16 are never computed.
  // Output half 100 B holds 100 / 8 channels = 12 pooled values: 2 pooled rows of 5 (one row needs 5 x 8 =
  // 40 B; two 80 B; three 120 B).
  LayerShape l = conv(13, 17, 4, 8, 3, 1);
  l.pool_mode = 1;
  l.pool_k = 3;
  const TilePlan p = plan_tiles(l, BufferHalves{65536, 65536, 100, 8});
  EXPECT_EQ(p.th, 2u);
  EXPECT_EQ(p.tw, 5u);
  ASSERT_EQ(p.tiles.size(), 2u);
  EXPECT_EQ(p.tiles[1].oy0, 6);
  EXPECT_EQ(p.tiles[1].th, 6);  // conv rows 6..11
  EXPECT_EQ(p.tiles[1].tw, 15);
  // Average pooling keeps int32 sums in the output half: 4 B per pooled value, so one pooled row (160 B)
  // no longer fits 100 B: one row of as many pooled columns as fit, 3 (96 B).
  l.pool_mode = 2;
  const TilePlan a = plan_tiles(l, BufferHalves{65536, 65536, 100, 8});
  EXPECT_EQ(a.th, 1u);
  EXPECT_EQ(a.tw, 3u);
}

TEST(TilePlan, ChannelsRoundDownToWholeArrayRows) {
  // 3x3x64 filters: 576 B + 12 = 588 B each; 6 fit 4,096 B (7 need 4,116), rounded down to 4 rows -> 16
  // chunks.
  const TilePlan p = plan_tiles(conv(8, 8, 64, 64, 3, 1), BufferHalves{65536, 4096, 16384, 4});
  EXPECT_EQ(p.tc, 4u);
  EXPECT_EQ(p.th, 8u);  // the whole 8x8 output in one spatial block
  EXPECT_EQ(p.tiles.size(), 16u);
  EXPECT_EQ(p.tiles[15].c0, 60);
  EXPECT_EQ(p.tiles[15].tc, 4);
}

TEST(TilePlan, InputRowsWithHaloAndVirtualPadding) {
  // 26x26x16, 3x3 pad 1: a block of th output rows reads th + 2 input rows of 26 x 16 = 416 B; 2,048 B hold 4
  // rows, so th = 2 and 13 blocks. Block 0 starts above the image (1 row of padding), block 12 ends below it.
  const TilePlan p = plan_tiles(conv(26, 26, 16, 32, 3, 1), BufferHalves{2048, 131072, 16384, 8});
  EXPECT_EQ(p.tc, 32u);
  EXPECT_EQ(p.th, 2u);
  EXPECT_EQ(p.tw, 26u);
  ASSERT_EQ(p.tiles.size(), 13u);
  const Tile& first = p.tiles.front();
  EXPECT_EQ(first.y_lo, 0);
  EXPECT_EQ(first.in_h, 3);
  EXPECT_EQ(first.pad_t, 1);
  EXPECT_EQ(first.pad_b, 0);
  EXPECT_EQ(first.pad_l, 1);
  EXPECT_EQ(first.pad_r, 1);
  const Tile& last = p.tiles.back();
  EXPECT_EQ(last.oy0, 24);
  EXPECT_EQ(last.y_lo, 23);
  EXPECT_EQ(last.in_h, 3);
  EXPECT_EQ(last.pad_t, 0);
  EXPECT_EQ(last.pad_b, 1);
}

TEST(TilePlan, LoopOrderMovesFewerBytes) {
  // Filters of 3x3x16 = 144 B + 12: 16 fit 2,596 B (17 need 2,652), so 2 channel chunks x 13 blocks; a block
  // counts 4 input rows x 26 x 16 = 1,664 B. Weights outer: 32 x 156 + 2 x 13 x 1,664 = 48,256 B; blocks
  // outer: 13 x 1,664 + 13 x 32 x 156 = 86,528 B. So chunks are outer: tiles 0..12 use chunk 0.
  const TilePlan p = plan_tiles(conv(26, 26, 16, 32, 3, 1), BufferHalves{2048, 2596, 16384, 8});
  EXPECT_EQ(p.tc, 16u);
  ASSERT_EQ(p.tiles.size(), 26u);
  EXPECT_TRUE(p.weights_outer);
  EXPECT_EQ(p.tiles[12].chunk, 0);
  EXPECT_EQ(p.tiles[13].chunk, 1);
  EXPECT_EQ(p.tiles[13].spatial, 0);
}

BufferHalves split_halves(uint32_t in, uint32_t wt, uint32_t out, uint32_t rows, uint32_t cols) {
  BufferHalves h{in, wt, out, rows, 2};
  h.split_reduction = true;
  h.cols = cols;
  return h;
}

// Every (output pixel, output channel, input channel) is computed exactly once; slices of a block are
// consecutive, PSUM_OUT on all but the last and PSUM_IN on all but the first; every tile fits the halves.
void expect_covers_and_fits(const LayerShape& l, const BufferHalves& h, const TilePlan& p) {
  // Input channels summed into each (conv pixel, out channel): with the consecutive slices checked below,
  // in_c means every input channel exactly once.
  std::vector<int> channels(static_cast<std::size_t>(l.out_h) * l.out_w * l.out_c, 0);
  for (std::size_t i = 0; i < p.tiles.size(); ++i) {
    const Tile& t = p.tiles[i];
    EXPECT_EQ(t.first_slice, t.slice == 0);
    EXPECT_EQ(t.last_slice, t.slice + 1 == static_cast<int>(p.slices));
    EXPECT_EQ(t.ic0, t.slice * static_cast<int>(p.ic));
    if (t.slice > 0) {
      const Tile& prev = p.tiles[i - 1];
      EXPECT_EQ(prev.block, t.block);
      EXPECT_EQ(prev.slice + 1, t.slice);
      EXPECT_EQ(std::tie(prev.oy0, prev.ox0, prev.c0), std::tie(t.oy0, t.ox0, t.c0));
    }
    EXPECT_LE(uint64_t(t.in_h) * t.in_w * t.icn, h.in);
    EXPECT_LE(weight_chunk_bytes(t.tc, l.g.kh * l.g.kw * t.icn), h.wt);
    const uint64_t out =
        p.slices > 1 ? uint64_t(t.th) * t.tw * t.tc * 4 : uint64_t(t.fh) * t.fw * t.tc * l.out_buffer_elem();
    EXPECT_LE(out, h.out);
    for (int y = t.oy0; y < t.oy0 + t.th; ++y)
      for (int x = t.ox0; x < t.ox0 + t.tw; ++x)
        for (int o = t.c0; o < t.c0 + t.tc; ++o)
          channels[(std::size_t(y) * l.out_w + x) * l.out_c + o] += t.icn;
  }
  for (int y = 0; y < l.out_h; ++y) {
    for (int x = 0; x < l.out_w; ++x) {
      const bool needed = y < l.final_h() * l.unit() && x < l.final_w() * l.unit();  // under a pool window
      for (int o = 0; o < l.out_c; ++o)
        ASSERT_EQ(channels[(std::size_t(y) * l.out_w + x) * l.out_c + o], needed ? l.in_c : 0)
            << y << "," << x;
    }
  }
}

TEST(TilePlan, SplitReductionFitsWhatNoWholeTileDoes) {
  // 5,000 input channels do not fit a 4,096-byte input half: without splitting the layer cannot run.
  const LayerShape l = conv(1, 1, 5000, 10, 1, 0);
  BufferHalves h = split_halves(4096, 131072, 16384, 8, 8);
  const TilePlan p = plan_tiles(l, h);
  EXPECT_GE(p.slices, 2u);
  EXPECT_LE(p.ic, 4096u);
  expect_covers_and_fits(l, h, p);
  h.split_reduction = false;
  EXPECT_THROW(plan_tiles(l, h), std::runtime_error);
}

TEST(TilePlan, SplitPlansCoverEveryProductOnce) {
  // Small halves force slices, chunks and blocks together, with and without a fused pool.
  for (const uint32_t pool : {0u, 1u, 2u}) {
    LayerShape l = conv(12, 10, 48, 20, 3, 1);
    l.pool_mode = pool;
    l.pool_k = pool != 0 ? 2 : 1;
    const BufferHalves h = split_halves(600, 2048, 512, 4, 4);
    const TilePlan p = plan_tiles(l, h);
    EXPECT_GE(p.slices, 2u) << "pool " << pool;
    expect_covers_and_fits(l, h, p);
  }
}

TEST(TilePlan, CostModelHandWorked) {
  // LeNet fc1 as one tile on an 8x8 array, 12.8 B/cycle, 256-byte bursts (2 cycles each beyond the bytes).
  // Loads: input 400 B in 2 bursts = 31.25 + 4; weights 48,000 B in 188 bursts = 3,750 + 376; records
  // 1,440 B in 6 bursts = 112.5 + 12. T_tile: K = 400, 15 folds: 4 + 14 * 400 + (400 + 8 + 8 - 1) + 3 =
  // 6,022, plus the 50-cycle gap. Drain: 120 B, 1 burst = 9.375 + 2.
  const LayerShape l = conv(1, 1, 400, 120, 1, 0);
  const BufferHalves h = split_halves(32768, 131072, 16384, 8, 8);
  const PlanCost c = estimate_cost(l, h, make_plan(l, 1, 1, 120, 400, true));
  EXPECT_EQ(c.compute_cycles, 6022u);
  EXPECT_EQ(c.dram_bytes, 400u + 48000u + 1440u + 120u);
  EXPECT_DOUBLE_EQ(c.cycles, 35.25 + 4126 + 124.5 + 6072 + 11.375);
  // Loaded during a previous tile of 3,000 cycles, the weights' 4,126 cycles show 1,126.
  BufferHalves pre = h;
  pre.first_weights_hidden_cycles = 3000;
  EXPECT_DOUBLE_EQ(estimate_cost(l, pre, make_plan(l, 1, 1, 120, 400, true)).cycles,
                   35.25 + 1126 + 124.5 + 6072 + 11.375);
}

TEST(TilePlan, TinyYoloConv8On32x32SplitsAndBeatsTheUnsplitPlan) {
  // 13x13x1024 -> 1024, 3x3: 9,216-byte filters, 173 KB of input against a 32 KB input half.
  const LayerShape l = conv(13, 13, 1024, 1024, 3, 1);
  BufferHalves h = split_halves(32768, 131072, 16384, 32, 32);
  const TilePlan split = plan_tiles(l, h);
  EXPECT_GT(split.slices, 1u);
  expect_covers_and_fits(l, h, split);
  h.split_reduction = false;
  const TilePlan whole = plan_tiles(l, h);
  EXPECT_EQ(whole.slices, 1u);
  h.split_reduction = true;
  EXPECT_LT(estimate_cost(l, h, split).cycles, 0.5 * estimate_cost(l, h, whole).cycles);
}

TEST(TilePlan, WhatDoesNotFitIsAnErrorNamingTheLayer) {
  EXPECT_THAT(
      [] {
        plan_tiles(conv(1, 1, 5000, 10, 1, 0), BufferHalves{4096, 131072, 16384, 8});
      },
      ::testing::ThrowsMessage<std::runtime_error>(
          ::testing::HasSubstr("layer 'c': not even one output pixel")));
  EXPECT_THAT(
      [] {
        plan_tiles(conv(1, 1, 5000, 10, 1, 0), BufferHalves{65536, 4096, 16384, 8});
      },
      ::testing::ThrowsMessage<std::runtime_error>(
          ::testing::HasSubstr("one filter (5000 bytes) does not fit")));
}

}  // namespace
}  // namespace minconv::sw
