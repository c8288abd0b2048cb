// The accelerator's pooling unit (docs/accelerator.md "Pooling"): the pooled tile against the golden
// maxpool/avgpool, a fused conv + pool tile against golden conv then pool, the descriptor checks, the
// timing term and the buffer counters.
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "accel/engine/tile_engine.h"
#include "tests/accel/accel_test_util.h"

namespace minconv::accel {
namespace {

namespace ra = regs::accel;

TileDescriptor pooled_desc(unsigned h, unsigned w, unsigned c, uint32_t mode, unsigned k, unsigned s) {
  TileDescriptor d;
  d.in_h = h;
  d.in_w = w;
  d.in_c = 3;
  d.kh = d.kw = 1;
  d.stride_h = d.stride_w = 1;
  d.out_h = h;
  d.out_w = w;
  d.out_c = c;
  d.pool_mode = mode;
  d.pool_k = k;
  d.pool_stride = s;
  return d;
}

golden::Tensor8 as_tensor(const std::vector<uint8_t>& bytes, int h, int w, int c) {
  golden::Tensor8 t(h, w, c);
  std::memcpy(t.data.data(), bytes.data(), bytes.size());
  return t;
}

TEST(PoolUnit, PoolTileEqualsGoldenMaxAndAveragePooling) {
  std::mt19937 rng(5);
  for (uint32_t mode : {ra::kPoolMax, ra::kPoolAvg}) {
    for (unsigned k = 1; k <= kMaxPoolSide; ++k) {
      for (unsigned s = 1; s <= k; ++s) {
        const TileDescriptor d = pooled_desc(k + 5, k + 3, 3, mode, k, s);  // remainders are dropped
        std::vector<uint8_t> conv(d.out_h * d.out_w * d.out_c);
        for (uint8_t& v : conv) v = static_cast<uint8_t>(std::uniform_int_distribution<int>(-127, 127)(rng));
        const golden::Tensor8 in = as_tensor(conv, int(d.out_h), int(d.out_w), int(d.out_c));
        const golden::Tensor8 want = mode == ra::kPoolMax ? golden::maxpool_int8(in, int(k), int(s))
                                                          : golden::avgpool_int8(in, int(k), int(s));
        const std::vector<uint8_t> got = pool_tile(d, conv);
        ASSERT_EQ(got.size(), want.data.size()) << "k " << k << " s " << s;
        ASSERT_EQ(as_tensor(got, want.h, want.w, want.c).data, want.data) << "mode " << mode << " k " << k;
        EXPECT_EQ(d.final_h(), uint64_t(want.h));
        EXPECT_EQ(d.final_w(), uint64_t(want.w));
      }
    }
  }
}

TEST(PoolUnit, AverageRoundsHalfAwayFromZero) {
  // 2x2 windows, one channel: sums 2 (0.5 -> 1), -2 (-0.5 -> -1), 1 (0.25 -> 0), -6 (-1.5 -> -2).
  const TileDescriptor d = pooled_desc(2, 8, 1, ra::kPoolAvg, 2, 2);
  const std::vector<int8_t> v = {1, 1, -1, -1, 1, 0, -3, -3, 0, 0, 0, 0, 0, 0, 0, 0};
  std::vector<uint8_t> conv(v.size());
  std::memcpy(conv.data(), v.data(), v.size());
  const std::vector<uint8_t> got = pool_tile(d, conv);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(int8_t(got[0]), 1);
  EXPECT_EQ(int8_t(got[1]), -1);
  EXPECT_EQ(int8_t(got[2]), 0);
  EXPECT_EQ(int8_t(got[3]), -2);
}

TEST(PoolUnit, FusedTileEqualsGoldenConvThenPool) {
  std::mt19937 rng(11);
  for (PeKind pe : {PeKind::kMin, PeKind::kMul}) {
    for (uint32_t mode : {ra::kPoolMax, ra::kPoolAvg}) {
      TileJob job;
      TileDescriptor& d = job.desc;
      d = pooled_desc(9, 11, 6, mode, 2, 2);
      d.in_c = 5;
      d.kh = d.kw = 3;
      d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = 1;
      d.relu = mode == ra::kPoolMax;
      job.array = {pe, 4, 4};
      job.input = test::random_int8(rng, d.input_bytes());
      job.weights = test::random_int8(rng, d.weight_bytes());
      job.post = test::random_post(rng, int(d.out_c), pe);
      const TileResult r = CppTileEngine().run(job);

      golden::Tensor8 in(int(d.in_h), int(d.in_w), int(d.in_c));
      in.data = job.input;
      const golden::ConvGeometry g{3, 3, 1, 1, 1, 1, 1, 1};
      const golden::Tensor8 conv =
          golden::conv2d_int8(pe, in, job.weights, int(d.out_c), g, test::to_golden(job.post), d.relu);
      const golden::Tensor8 want =
          mode == ra::kPoolMax ? golden::maxpool_int8(conv, 2, 2) : golden::avgpool_int8(conv, 2, 2);
      ASSERT_EQ(r.output.size(), want.data.size());
      EXPECT_EQ(as_tensor(r.output, want.h, want.w, want.c).data, want.data);
      // Every conv output is merged into its window's entry (int32 sums for average), plus the final
      // average pass writes the int8 results; the pool stage adds 1 cycle, average 1 + ceil(4*5*6 / 4).
      const uint64_t conv_outputs = 9 * 11 * 6;
      EXPECT_EQ(r.counters.buf_write_bytes,
                mode == ra::kPoolMax ? conv_outputs : 4 * conv_outputs + 4 * 5 * 6);
      EXPECT_EQ(pool_cycles(d, 4), mode == ra::kPoolMax ? 1u : 1u + 30u);
    }
  }
}

TEST(PoolUnit, DescriptorChecks) {
  AccelParams p;
  const auto code = [&p](TileDescriptor d) { return validate(d, p); };
  TileDescriptor ok = pooled_desc(8, 8, 4, ra::kPoolMax, 2, 2);
  EXPECT_EQ(code(ok), ra::kErrNone);
  TileDescriptor d = ok;
  d.pool_mode = 3;
  EXPECT_EQ(code(d), ra::kErrUnsupported);
  d = ok;
  d.pool_k = d.pool_stride = kMaxPoolSide + 1;
  EXPECT_EQ(code(d), ra::kErrUnsupported);
  d = ok;
  d.pool_stride = 3;  // beyond the window
  EXPECT_EQ(code(d), ra::kErrUnsupported);
  d = ok;
  d.pool_stride = 0;
  EXPECT_EQ(code(d), ra::kErrUnsupported);
  d = ok;
  d.raw_output = true;  // pooling works on int8 outputs only
  EXPECT_EQ(code(d), ra::kErrUnsupported);
  d = pooled_desc(3, 8, 4, ra::kPoolMax, 4, 4);  // the window is taller than the tile
  EXPECT_EQ(code(d), ra::kErrBadShape);
  // Average pooling keeps int32 sums in the output buffer: 4 x 4 x 4 pooled values need 256 bytes.
  d = pooled_desc(8, 8, 4, ra::kPoolAvg, 2, 2);
  d.out_addr = p.output_buffer_bytes - 255;
  EXPECT_EQ(code(d), ra::kErrOutOverflow);
  d.out_addr = p.output_buffer_bytes - 256;
  EXPECT_EQ(code(d), ra::kErrNone);
  // An accelerator built without the pooling unit refuses every pooled tile.
  p.pooling = false;
  EXPECT_EQ(code(ok), ra::kErrUnsupported);
}

}  // namespace
}  // namespace minconv::accel
