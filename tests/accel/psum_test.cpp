// Reduction splitting in the engine: a tile cut into input-channel slices (PSUM_OUT, then PSUM_IN + PSUM_OUT,
// then PSUM_IN) gives the golden conv of the whole tile bit for bit, with the documented counters and timing.
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "accel/engine/tile_engine.h"
#include "tests/accel/accel_test_util.h"

namespace minconv::accel {
namespace {

namespace ra = regs::accel;

TileDescriptor random_desc(std::mt19937& rng) {
  std::uniform_int_distribution<unsigned> dim(1, 8), ch(2, 12), ker(1, 4), str(1, 2), oc(1, 17);
  TileDescriptor d;
  d.kh = ker(rng);
  d.kw = ker(rng);
  d.in_h = std::max(dim(rng), d.kh);
  d.in_w = std::max(dim(rng), d.kw);
  d.in_c = ch(rng);
  d.stride_h = str(rng);
  d.stride_w = str(rng);
  d.pad_top = d.pad_bottom = std::uniform_int_distribution<unsigned>(0, d.kh - 1)(rng);
  d.pad_left = d.pad_right = std::uniform_int_distribution<unsigned>(0, d.kw - 1)(rng);
  d.out_c = oc(rng);
  d.out_h = (d.in_h + 2 * d.pad_top - d.kh) / d.stride_h + 1;
  d.out_w = (d.in_w + 2 * d.pad_left - d.kw) / d.stride_w + 1;
  return d;
}

golden::ConvGeometry geometry(const TileDescriptor& d) {
  return {static_cast<int>(d.kh),         static_cast<int>(d.kw),       static_cast<int>(d.stride_h),
          static_cast<int>(d.stride_w),   static_cast<int>(d.pad_top),  static_cast<int>(d.pad_left),
          static_cast<int>(d.pad_bottom), static_cast<int>(d.pad_right)};
}

// Channels [c0, c0 + n) of an HWC tensor of `c` channels (inputs: pixels; weights: filter taps).
std::vector<int8_t> channel_slice(const std::vector<int8_t>& v, unsigned c, unsigned c0, unsigned n) {
  std::vector<int8_t> out;
  for (std::size_t i = 0; i < v.size(); i += c)
    out.insert(out.end(), v.begin() + i + c0, v.begin() + i + c0 + n);
  return out;
}

TEST(PartialSums, SlicedTilesMatchGoldenBitForBit) {
  std::mt19937 rng(77);
  std::uniform_int_distribution<unsigned> arr(1, 9);
  for (int iter = 0; iter < 150; ++iter) {
    const PeKind pe = iter % 2 ? PeKind::kMul : PeKind::kMin;
    TileDescriptor whole = random_desc(rng);
    whole.relu = iter % 3 == 0;
    whole.raw_output = iter % 4 == 0;
    const ArrayShape array{pe, arr(rng), arr(rng)};
    const std::vector<int8_t> input = test::random_int8(rng, whole.input_bytes(), -128, 127);
    const std::vector<int8_t> weights = test::random_int8(rng, whole.weight_bytes());
    const std::vector<regs::accel::PostScale> post =
        test::random_post(rng, static_cast<int>(whole.out_c), pe);
    const unsigned slice = std::uniform_int_distribution<unsigned>(1, whole.in_c - 1)(rng);

    std::vector<int32_t> psum;
    TileResult r;
    for (unsigned c0 = 0; c0 < whole.in_c; c0 += slice) {
      TileJob job;
      job.desc = whole;
      job.desc.in_c = std::min(slice, whole.in_c - c0);
      job.desc.psum_in = c0 > 0;
      job.desc.psum_out = c0 + slice < whole.in_c;
      if (job.desc.psum_out) job.desc.relu = job.desc.raw_output = false;
      job.array = array;
      job.input = channel_slice(input, whole.in_c, c0, job.desc.in_c);
      job.weights = channel_slice(weights, whole.in_c, c0, job.desc.in_c);
      if (!job.desc.psum_out) job.post = post;
      job.psum = psum;
      r = CppTileEngine().run(job);
      const uint64_t values = whole.pixels() * whole.out_c;
      const uint64_t K = job.desc.k_steps();
      ASSERT_EQ(r.cycles,
                test::documented_tile_cycles(array.rows, array.cols, K, whole.out_c, whole.pixels()));
      ASSERT_EQ(r.counters.buf_write_bytes, job.desc.psum_out ? values * 4 : whole.output_bytes());
      // Operands, post-scale records on the last slice only, and 4 bytes of partial sum per value after the
      // first.
      const uint64_t folds = test::documented_folds(array.rows, array.cols, whole.out_c, whole.pixels());
      const uint64_t pixel_folds = (whole.pixels() + array.cols - 1) / array.cols;
      const uint64_t channel_folds = (whole.out_c + array.rows - 1) / array.rows;
      const uint64_t operand_bytes = pixel_folds * whole.out_c * K + channel_folds * whole.pixels() * K;
      ASSERT_EQ(folds, pixel_folds * channel_folds);
      ASSERT_EQ(r.counters.buf_read_bytes, operand_bytes +
                                               (job.desc.psum_out ? 0 : 12 * whole.out_c * pixel_folds) +
                                               (job.desc.psum_in ? 4 * values : 0));
      if (job.desc.psum_out) {
        psum.resize(values);
        std::memcpy(psum.data(), r.output.data(), values * 4);
      }
    }

    golden::Tensor8 in(static_cast<int>(whole.in_h), static_cast<int>(whole.in_w),
                       static_cast<int>(whole.in_c));
    in.data = input;
    const golden::ConvGeometry g = geometry(whole);
    const int oc = static_cast<int>(whole.out_c);
    if (whole.raw_output) {
      const golden::Tensor32 want =
          golden::conv2d_raw(pe, in, weights, oc, g, test::to_golden(post), whole.relu);
      std::vector<int32_t> got(want.data.size());
      ASSERT_EQ(r.output.size(), got.size() * 4);
      std::memcpy(got.data(), r.output.data(), r.output.size());
      ASSERT_EQ(got, want.data) << "iteration " << iter << ", slices of " << slice;
    } else {
      const golden::Tensor8 want =
          golden::conv2d_int8(pe, in, weights, oc, g, test::to_golden(post), whole.relu);
      std::vector<int8_t> got(r.output.size());
      std::memcpy(got.data(), r.output.data(), r.output.size());
      ASSERT_EQ(got, want.data) << "iteration " << iter << ", slices of " << slice;
    }
  }
}

TEST(PartialSums, ValidateFlags) {
  AccelParams p;
  p.input_buffer_bytes = p.weight_buffer_bytes = p.output_buffer_bytes = 1024;
  TileDescriptor d;
  d.in_h = d.in_w = d.out_h = d.out_w = 8;
  d.in_c = 3;
  d.out_c = 4;
  d.psum_out = true;
  EXPECT_EQ(validate(d, p), ra::kErrNone);  // 8 x 8 x 4 int32 partial sums: exactly 1,024 bytes
  d.q_addr = 0xFFFFFF;                      // not read: a PSUM_OUT tile has no post-scale
  EXPECT_EQ(validate(d, p), ra::kErrNone);
  d.out_addr = 4;
  EXPECT_EQ(validate(d, p), ra::kErrOutOverflow);
  d.out_addr = 0;
  for (auto change :
       {+[](TileDescriptor& t) { t.relu = true; }, +[](TileDescriptor& t) { t.raw_output = true; },
        +[](TileDescriptor& t) {
          t.pool_mode = ra::kPoolMax;
          t.pool_k = t.pool_stride = 2;
        }}) {
    TileDescriptor bad = d;
    change(bad);
    EXPECT_EQ(validate(bad, p), ra::kErrUnsupported);
  }
  // PSUM_IN reads int32 partial sums where the tile's int8 outputs go: they must fit too.
  TileDescriptor last = d;
  last.psum_out = false;
  last.psum_in = true;
  last.q_addr = 0;
  EXPECT_EQ(validate(last, p), ra::kErrNone);
  last.out_addr = 1024 - 256;  // the 256 int8 outputs would fit, their 1,024 bytes of partial sums do not
  EXPECT_EQ(validate(last, p), ra::kErrOutOverflow);
}

}  // namespace
}  // namespace minconv::accel
