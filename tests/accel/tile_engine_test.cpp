#include "accel/engine/tile_engine.h"

#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "tests/accel/accel_test_util.h"

namespace minconv::accel {
namespace {

namespace ra = regs::accel;

TileDescriptor conv_desc(unsigned in_h, unsigned in_w, unsigned in_c, unsigned k, unsigned s, unsigned pad,
                         unsigned out_c) {
  TileDescriptor d;
  d.in_h = in_h;
  d.in_w = in_w;
  d.in_c = in_c;
  d.kh = d.kw = k;
  d.stride_h = d.stride_w = s;
  d.pad_top = d.pad_left = d.pad_bottom = d.pad_right = pad;
  d.out_h = (in_h + 2 * pad - k) / s + 1;
  d.out_w = (in_w + 2 * pad - k) / s + 1;
  d.out_c = out_c;
  return d;
}

TEST(TileEngine, PeStepMinAndMul) {
  EXPECT_EQ(pe_step(PeKind::kMin, 5, 9), 5);
  EXPECT_EQ(pe_step(PeKind::kMin, -5, 9), -5);
  EXPECT_EQ(pe_step(PeKind::kMin, 5, -3), -3);
  EXPECT_EQ(pe_step(PeKind::kMin, -127, -100), 100);
  EXPECT_EQ(pe_step(PeKind::kMin, 0, -100), 0);
  EXPECT_EQ(pe_step(PeKind::kMin, -128, 127), -127);
  EXPECT_EQ(pe_step(PeKind::kMul, -128, -128), 16384);
  EXPECT_EQ(pe_step(PeKind::kMul, 7, -9), -63);
}

TEST(TileEngine, PostScaleRoundsHalfAwayAndSaturates) {
  // (acc + bias) * M / 2^n with M = 1, n = 1: x / 2.
  EXPECT_EQ(post_scale_int8(3, {0, 1, 1}, false), 2);     // 1.5 -> 2
  EXPECT_EQ(post_scale_int8(-3, {0, 1, 1}, false), -2);   // -1.5 -> -2
  EXPECT_EQ(post_scale_int8(-1, {0, 1, 1}, false), -1);   // -0.5 -> -1
  EXPECT_EQ(post_scale_int8(-2, {-1, 1, 2}, false), -1);  // -0.75 -> -1
  EXPECT_EQ(post_scale_int8(1000, {0, 1, 1}, false), 127);
  EXPECT_EQ(post_scale_int8(-1000, {0, 1, 1}, false), -127);
  EXPECT_EQ(post_scale_int8(-1000, {0, 1, 1}, true), 0);
  // Extreme operands: |t| = 2^32, M = 2^31 - 1, n = 62 must not overflow.
  EXPECT_EQ(post_scale_int8(INT32_MIN, {INT32_MIN, INT32_MAX, 62}, false), -2);
  EXPECT_EQ(post_scale_raw(INT32_MAX, {5, 0, 0}, false), INT32_MAX);
  EXPECT_EQ(post_scale_raw(INT32_MIN, {-5, 0, 0}, false), INT32_MIN);
  EXPECT_EQ(post_scale_raw(-7, {3, 0, 0}, false), -4);
  EXPECT_EQ(post_scale_raw(-7, {3, 0, 0}, true), 0);
}

TEST(TileEngine, CyclesFormula) {
  // P = max(K, R, C); T_tile = 4 + (folds - 1) * P + (K + R + C - 1) + 3
  EXPECT_EQ(fold_cycles(8, 8, 75), 75u);  // K-bound
  EXPECT_EQ(fold_cycles(8, 8, 3), 8u);    // R = C
  EXPECT_EQ(fold_cycles(16, 4, 9), 16u);  // R-bound (drain)
  EXPECT_EQ(fold_cycles(4, 16, 9), 16u);  // C-bound (result registers of a row)
  EXPECT_EQ(fold_latency(8, 8, 75), 75u + 8 + 8 - 1);
  EXPECT_EQ(fold_latency(1, 1, 1), 2u);
  EXPECT_EQ(fold_count(8, 8, 10, 64), 2u * 8);
  EXPECT_EQ(tile_cycles(8, 8, 75, 10, 64), 4u + 15 * 75 + 90 + 3);
  EXPECT_EQ(tile_cycles(1, 1, 1, 1, 1), 4u + 2 + 3);
  EXPECT_EQ(tile_cycles(4, 16, 200, 13, 1), 4u + 3 * 200 + 219 + 3);
  EXPECT_EQ(tile_cycles(4, 16, 5, 13, 1), 4u + 3 * 16 + 24 + 3);
  // LeNet-5 conv1 on 8x8 (K = 25, 6 channels, 28x28 pixels: 98 folds): 25 cycles per fold instead of 47.
  EXPECT_EQ(tile_cycles(8, 8, 25, 6, 784), 4u + 97 * 25 + 40 + 3);
}

TEST(TileEngine, ValidateEachErrorCode) {
  AccelParams p;
  p.input_buffer_bytes = p.weight_buffer_bytes = p.output_buffer_bytes = 1024;
  const TileDescriptor good = conv_desc(8, 8, 3, 5, 1, 2, 4);
  EXPECT_EQ(validate(good, p), ra::kErrNone);
  auto with = [&](auto change) {
    TileDescriptor d = good;
    change(d);
    return validate(d, p);
  };
  EXPECT_EQ(with([](TileDescriptor& d) { d.in_c = 0; }), ra::kErrBadShape);
  EXPECT_EQ(with([](TileDescriptor& d) { d.out_w = 0; }), ra::kErrBadShape);
  EXPECT_EQ(with([](TileDescriptor& d) { d.stride_h = 0; }), ra::kErrBadShape);
  EXPECT_EQ(with([](TileDescriptor& d) { d.out_h = 9; }), ra::kErrBadShape);
  EXPECT_EQ(with([](TileDescriptor& d) { d.out_h = 7; }), ra::kErrNone);  // smaller than possible is fine
  EXPECT_EQ(with([](TileDescriptor& d) {
              d.in_h = 2;
              d.pad_top = d.pad_bottom = 0;
            }),
            ra::kErrBadShape);  // kernel taller than the padded input
  EXPECT_EQ(with([](TileDescriptor& d) { d.kw = 12; }), ra::kErrUnsupported);
  EXPECT_EQ(with([](TileDescriptor& d) { d.stride_w = 5; }), ra::kErrUnsupported);
  EXPECT_EQ(with([](TileDescriptor& d) { d.pad_right = 5; }), ra::kErrUnsupported);
  EXPECT_EQ(with([](TileDescriptor& d) { d.in_addr = 1024 - 8 * 8 * 3 + 1; }), ra::kErrInOverflow);
  EXPECT_EQ(with([](TileDescriptor& d) { d.in_addr = 1024 - 8 * 8 * 3; }), ra::kErrNone);
  EXPECT_EQ(with([](TileDescriptor& d) { d.wt_addr = 1024 - 4 * 75 + 1; }), ra::kErrWtOverflow);
  EXPECT_EQ(with([](TileDescriptor& d) { d.q_addr = 1024 - 4 * 12 + 1; }), ra::kErrWtOverflow);
  EXPECT_EQ(with([](TileDescriptor& d) { d.q_addr = 1024 - 4 * 12; }), ra::kErrNone);
  EXPECT_EQ(with([](TileDescriptor& d) { d.out_addr = 1024 - 256 + 1; }), ra::kErrOutOverflow);
  EXPECT_EQ(with([](TileDescriptor& d) { d.raw_output = true; }), ra::kErrNone);  // exactly 1024 B of int32
  EXPECT_EQ(with([](TileDescriptor& d) {
              d.raw_output = true;
              d.out_addr = 4;
            }),
            ra::kErrOutOverflow);
  EXPECT_EQ(with([](TileDescriptor& d) {
              d.in_h = d.in_w = 0xFFFF;
              d.out_c = 0xFFFFFFFFu;
            }),
            ra::kErrInOverflow);  // huge products saturate instead of wrapping
  EXPECT_EQ(with([](TileDescriptor& d) { d.in_c = 0xFFFFFFFFu; }), ra::kErrReduction);
}

// The longest reduction the int32 accumulators sum without overflow for any int8 operands: 2^31 - 1 over
// the largest term, |-128 * -128| = 16384 (mul) or 128 (min).
TEST(TileEngine, ValidateReductionLengthPerPeKind) {
  AccelParams p;
  p.input_buffer_bytes = p.weight_buffer_bytes = 16u << 20;
  TileDescriptor d = conv_desc(1, 1, 1, 1, 1, 0, 1);  // a 1x1 kernel: K = in_c
  for (const auto& [pe, longest] :
       {std::pair<PeKind, uint32_t>{PeKind::kMul, 131071u}, {PeKind::kMin, 16777215u}}) {
    p.pe = pe;
    d.in_c = longest;
    d.in_h = d.in_w = d.out_h = d.out_w = 1;
    const ra::ErrorCode at_limit = validate(d, p);
    EXPECT_TRUE(at_limit == ra::kErrNone || at_limit == ra::kErrInOverflow || at_limit == ra::kErrWtOverflow)
        << to_string(pe) << ": " << ra::error_name(at_limit);
    d.in_c = longest + 1;
    EXPECT_EQ(validate(d, p), ra::kErrReduction) << to_string(pe);
  }
  p.pe = PeKind::kMul;
  d.in_c = 131071;
  EXPECT_EQ(validate(d, p), ra::kErrNone);  // 131071 bytes of input and weights fit the 16 MiB buffers
}

TEST(TileEngine, ValidatePostScale) {
  EXPECT_EQ(validate_post_scale({{0, 1, 1}, {0, INT32_MAX, 62}}, false), ra::kErrNone);
  EXPECT_EQ(validate_post_scale({{0, 1, 0}}, false), ra::kErrBadPostScale);
  EXPECT_EQ(validate_post_scale({{0, 1, 63}}, false), ra::kErrBadPostScale);
  EXPECT_EQ(validate_post_scale({{0, -1, 8}}, false), ra::kErrBadPostScale);
  EXPECT_EQ(validate_post_scale({{0, -1, 0}}, true), ra::kErrNone);  // raw output uses the bias only
}

// The engine alone against the golden model over random shapes, both PE kinds, both output modes.
TEST(TileEngine, RandomTilesMatchGolden) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<unsigned> dim(1, 9), ch(1, 7), ker(1, 5), str(1, 3), arr(1, 9), oc(1, 20);
  for (int iter = 0; iter < 200; ++iter) {
    const PeKind pe = iter % 2 ? PeKind::kMul : PeKind::kMin;
    TileDescriptor d;
    d.kh = ker(rng);
    d.kw = ker(rng);
    d.in_h = std::max(dim(rng), d.kh);
    d.in_w = std::max(dim(rng), d.kw);
    d.in_c = ch(rng);
    d.stride_h = str(rng);
    d.stride_w = str(rng);
    d.pad_top = std::uniform_int_distribution<unsigned>(0, d.kh - 1)(rng);
    d.pad_bottom = std::uniform_int_distribution<unsigned>(0, d.kh - 1)(rng);
    d.pad_left = std::uniform_int_distribution<unsigned>(0, d.kw - 1)(rng);
    d.pad_right = std::uniform_int_distribution<unsigned>(0, d.kw - 1)(rng);
    d.out_c = oc(rng);
    golden::ConvGeometry g{static_cast<int>(d.kh),         static_cast<int>(d.kw),
                           static_cast<int>(d.stride_h),   static_cast<int>(d.stride_w),
                           static_cast<int>(d.pad_top),    static_cast<int>(d.pad_left),
                           static_cast<int>(d.pad_bottom), static_cast<int>(d.pad_right)};
    d.out_h = static_cast<unsigned>(g.out_h(static_cast<int>(d.in_h)));
    d.out_w = static_cast<unsigned>(g.out_w(static_cast<int>(d.in_w)));
    d.relu = iter % 3 == 0;
    d.raw_output = iter % 5 == 0;

    TileJob job;
    job.desc = d;
    job.array = {pe, arr(rng), arr(rng)};
    job.input = test::random_int8(rng, d.input_bytes(), -128, 127);
    job.weights = test::random_int8(rng, d.weight_bytes());
    job.post = test::random_post(rng, static_cast<int>(d.out_c), pe);

    golden::Tensor8 in(static_cast<int>(d.in_h), static_cast<int>(d.in_w), static_cast<int>(d.in_c));
    in.data = job.input;
    const TileResult r = CppTileEngine().run(job);
    const uint64_t folds = test::documented_folds(job.array.rows, job.array.cols, d.out_c, d.pixels());
    ASSERT_EQ(r.counters.folds, folds);
    ASSERT_EQ(r.cycles,
              test::documented_tile_cycles(job.array.rows, job.array.cols, d.k_steps(), d.out_c, d.pixels()));
    ASSERT_EQ(r.counters.macs, d.out_c * d.pixels() * d.k_steps());
    ASSERT_EQ(r.counters.buf_write_bytes, d.output_bytes());
    if (d.raw_output) {
      const golden::Tensor32 want = golden::conv2d_raw(pe, in, job.weights, static_cast<int>(d.out_c), g,
                                                       test::to_golden(job.post), d.relu);
      ASSERT_EQ(r.output.size(), want.data.size() * 4);
      std::vector<int32_t> got(want.data.size());
      std::memcpy(got.data(), r.output.data(), r.output.size());
      ASSERT_EQ(got, want.data) << "iteration " << iter;
    } else {
      const golden::Tensor8 want = golden::conv2d_int8(pe, in, job.weights, static_cast<int>(d.out_c), g,
                                                       test::to_golden(job.post), d.relu);
      std::vector<int8_t> got(r.output.size());
      std::memcpy(got.data(), r.output.data(), r.output.size());
      ASSERT_EQ(got, want.data) << "iteration " << iter;
    }
  }
}

}  // namespace
}  // namespace minconv::accel
