// Hand-checked cases of the golden integer semantics (docs/accelerator.md "Integer semantics").
#include "sw/golden/int8_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

namespace minconv::golden {
namespace {

Tensor8 make_tensor(int h, int w, int c, const std::vector<int8_t>& values) {
  Tensor8 t(h, w, c);
  t.data = values;
  return t;
}

TEST(PeOp, MinZeroOperandGivesZero) {
  EXPECT_EQ(pe_op(PeKind::kMin, 0, 5), 0);
  EXPECT_EQ(pe_op(PeKind::kMin, 5, 0), 0);
  EXPECT_EQ(pe_op(PeKind::kMin, 0, -128), 0);
  EXPECT_EQ(pe_op(PeKind::kMin, -127, 0), 0);
  EXPECT_EQ(pe_op(PeKind::kMin, 0, 0), 0);
}

TEST(PeOp, MinSignsAndMagnitudes) {
  EXPECT_EQ(pe_op(PeKind::kMin, 3, 7), 3);
  EXPECT_EQ(pe_op(PeKind::kMin, 7, 3), 3);
  EXPECT_EQ(pe_op(PeKind::kMin, -3, 7), -3);
  EXPECT_EQ(pe_op(PeKind::kMin, 7, -3), -3);
  EXPECT_EQ(pe_op(PeKind::kMin, -7, -3), 3);
  EXPECT_EQ(pe_op(PeKind::kMin, -3, -7), 3);
  // Ties: equal magnitudes.
  EXPECT_EQ(pe_op(PeKind::kMin, 5, 5), 5);
  EXPECT_EQ(pe_op(PeKind::kMin, -5, 5), -5);
  EXPECT_EQ(pe_op(PeKind::kMin, -5, -5), 5);
}

TEST(PeOp, MinExtremes) {
  EXPECT_EQ(pe_op(PeKind::kMin, 127, 127), 127);
  EXPECT_EQ(pe_op(PeKind::kMin, -127, 127), -127);
  EXPECT_EQ(pe_op(PeKind::kMin, -127, -127), 127);
  // |-128| = 128 must not wrap to -128.
  EXPECT_EQ(pe_op(PeKind::kMin, -128, -128), 128);
  EXPECT_EQ(pe_op(PeKind::kMin, -128, 127), -127);
  EXPECT_EQ(pe_op(PeKind::kMin, 127, -128), -127);
  EXPECT_EQ(pe_op(PeKind::kMin, -128, 5), -5);
  EXPECT_EQ(pe_op(PeKind::kMin, -128, -1), 1);
}

TEST(PeOp, Mul) {
  EXPECT_EQ(pe_op(PeKind::kMul, 3, 7), 21);
  EXPECT_EQ(pe_op(PeKind::kMul, -3, 7), -21);
  EXPECT_EQ(pe_op(PeKind::kMul, -3, -7), 21);
  EXPECT_EQ(pe_op(PeKind::kMul, 0, -128), 0);
  EXPECT_EQ(pe_op(PeKind::kMul, 127, -127), -16129);
  EXPECT_EQ(pe_op(PeKind::kMul, -128, -128), 16384);
}

TEST(Requantize, TiesRoundAwayFromZero) {
  EXPECT_EQ(requantize(3, 1, 1, false), 2);    // 1.5
  EXPECT_EQ(requantize(-3, 1, 1, false), -2);  // -1.5
  EXPECT_EQ(requantize(1, 1, 1, false), 1);    // 0.5
  EXPECT_EQ(requantize(-1, 1, 1, false), -1);  // -0.5
  EXPECT_EQ(requantize(2, 1, 1, false), 1);    // exact
  EXPECT_EQ(requantize(6, 1, 2, false), 2);    // 1.5
  EXPECT_EQ(requantize(-6, 1, 2, false), -2);  // -1.5
  EXPECT_EQ(requantize(5, 1, 2, false), 1);    // 1.25
  EXPECT_EQ(requantize(-5, 1, 2, false), -1);  // -1.25
  EXPECT_EQ(requantize(7, 1, 2, false), 2);    // 1.75
  EXPECT_EQ(requantize(-7, 1, 2, false), -2);  // -1.75
  EXPECT_EQ(requantize(0, 12345, 7, false), 0);
}

TEST(Requantize, MultiplierAndShift) {
  // 10 * 3 / 8 = 3.75 -> 4; 9 * 3 / 8 = 3.375 -> 3; 20 * 1 / 8 = 2.5 -> 3 (tie away).
  EXPECT_EQ(requantize(10, 3, 3, false), 4);
  EXPECT_EQ(requantize(9, 3, 3, false), 3);
  EXPECT_EQ(requantize(20, 1, 3, false), 3);
  EXPECT_EQ(requantize(-20, 1, 3, false), -3);
  // A typical normalized multiplier: 0.75 = 3 * 2^29 / 2^31.
  EXPECT_EQ(requantize(100, 3 << 29, 31, false), 75);
  EXPECT_EQ(requantize(-100, 3 << 29, 31, false), -75);
  EXPECT_EQ(requantize(5, 0, 1, false), 0);
}

TEST(Requantize, SaturatesAtPlusMinus127) {
  EXPECT_EQ(requantize(254, 1, 1, false), 127);
  EXPECT_EQ(requantize(256, 1, 1, false), 127);
  EXPECT_EQ(requantize(1000, 1, 1, false), 127);
  EXPECT_EQ(requantize(-254, 1, 1, false), -127);
  EXPECT_EQ(requantize(-256, 1, 1, false), -127);  // never -128
  EXPECT_EQ(requantize(-1000000, 1, 1, false), -127);
}

TEST(Requantize, WideProductsDoNotOverflow) {
  // 100 * 2^32 * 2^30 = 100 * 2^62 does not fit in int64; the result is exactly 100.
  EXPECT_EQ(requantize(int64_t{100} << 32, 1 << 30, 62, false), 100);
  EXPECT_EQ(requantize(-(int64_t{100} << 32), 1 << 30, 62, false), -100);
  EXPECT_EQ(requantize(std::numeric_limits<int64_t>::max(), std::numeric_limits<int32_t>::max(), 1, false),
            127);
  EXPECT_EQ(requantize(std::numeric_limits<int64_t>::min(), std::numeric_limits<int32_t>::max(), 62, false),
            -127);
}

TEST(Requantize, Relu) {
  EXPECT_EQ(requantize(-3, 1, 1, true), 0);
  EXPECT_EQ(requantize(-1000, 1, 1, true), 0);
  EXPECT_EQ(requantize(3, 1, 1, true), 2);
  EXPECT_EQ(requantize(1000, 1, 1, true), 127);
}

TEST(Requantize, InvalidMultiplierOrShiftThrows) {
  EXPECT_THROW(requantize(1, -1, 1, false), std::invalid_argument);
  EXPECT_THROW(requantize(1, std::numeric_limits<int32_t>::min(), 1, false), std::invalid_argument);
  EXPECT_THROW(requantize(1, 1, 0, false), std::invalid_argument);
  EXPECT_THROW(requantize(1, 1, -3, false), std::invalid_argument);
  EXPECT_THROW(requantize(1, 1, 63, false), std::invalid_argument);
  EXPECT_NO_THROW(requantize(1, std::numeric_limits<int32_t>::max(), 62, false));
}

// 3x3x1 input 1..9, 2x2 kernel, padding 1 on every side, stride 2: a 2x2 output (worked out by hand).
class SmallConv : public ::testing::Test {
 protected:
  Tensor8 input = make_tensor(3, 3, 1, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  // Filter 0: [[1, 2], [3, 4]]; filter 1: [[-1, 0], [2, -5]].
  std::vector<int8_t> weights = {1, 2, 3, 4, -1, 0, 2, -5};
  ConvGeometry g = [] {
    ConvGeometry geo;
    geo.kh = geo.kw = 2;
    geo.stride_h = geo.stride_w = 2;
    geo.pad_top = geo.pad_left = geo.pad_bottom = geo.pad_right = 1;
    return geo;
  }();
};

TEST_F(SmallConv, MulByHand) {
  const Tensor32 out = conv2d_acc(PeKind::kMul, input, weights, 2, g);
  ASSERT_EQ(out.h, 2);
  ASSERT_EQ(out.w, 2);
  ASSERT_EQ(out.c, 2);
  // (0,0): 1*4; (0,1): 2*3 + 3*4; (1,0): 4*2 + 7*4; (1,1): 5*1 + 6*2 + 8*3 + 9*4.
  EXPECT_EQ(out.data, (std::vector<int32_t>{4, -5, 18, -11, 36, -35, 77, -34}));
}

TEST_F(SmallConv, MinByHand) {
  const Tensor32 out = conv2d_acc(PeKind::kMin, input, weights, 2, g);
  ASSERT_EQ(out.h, 2);
  ASSERT_EQ(out.w, 2);
  // filter 0: (0,0) min(1,4)=1; (0,1) 2+3; (1,0) 2+4; (1,1) 1+2+3+4.
  // filter 1: (0,0) -min(1,5); (0,1) min(2,2)-min(3,5); (1,0) 0-min(7,5); (1,1) -1+0+2-5.
  EXPECT_EQ(out.data, (std::vector<int32_t>{1, -1, 5, -1, 6, -5, 10, -4}));
}

TEST_F(SmallConv, AsymmetricPaddingStride1) {
  g.stride_h = g.stride_w = 1;
  g.pad_top = g.pad_left = 0;
  g.pad_bottom = g.pad_right = 1;
  const Tensor32 out = conv2d_acc(PeKind::kMul, input, {1, 2, 3, 4}, 1, g);
  ASSERT_EQ(out.h, 3);
  ASSERT_EQ(out.w, 3);
  // Row 0: 1+4+12+20, 2+6+15+24, 3+0+18+0; row 2: 7+16, 8+18, 9.
  EXPECT_EQ(out.at(0, 0, 0), 37);
  EXPECT_EQ(out.at(0, 1, 0), 47);
  EXPECT_EQ(out.at(0, 2, 0), 21);
  EXPECT_EQ(out.at(2, 0, 0), 23);
  EXPECT_EQ(out.at(2, 1, 0), 26);
  EXPECT_EQ(out.at(2, 2, 0), 9);
}

TEST_F(SmallConv, Int8AndRawOutputs) {
  // Filter 0 multiplier 1/2 with bias 1, filter 1 multiplier 1 (2^31 / 2^31 is out of range: use 2^30 /
  // 2^30).
  const std::vector<PostScale> post = {{1, 1, 1}, {-2, 1 << 30, 30}};
  const Tensor8 q = conv2d_int8(PeKind::kMul, input, weights, 2, g, post, false);
  // (4+1)/2=2.5->3, (18+1)/2=9.5->10, (36+1)/2=18.5->19, (77+1)/2=39; filter 1: -7, -13, -37, -36.
  EXPECT_EQ(q.data, (std::vector<int8_t>{3, -7, 10, -13, 19, -37, 39, -36}));
  const Tensor8 qr = conv2d_int8(PeKind::kMul, input, weights, 2, g, post, true);
  EXPECT_EQ(qr.data, (std::vector<int8_t>{3, 0, 10, 0, 19, 0, 39, 0}));
  const Tensor32 raw = conv2d_raw(PeKind::kMul, input, weights, 2, g, post, false);
  EXPECT_EQ(raw.data, (std::vector<int32_t>{5, -7, 19, -13, 37, -37, 78, -36}));
  const Tensor32 rawr = conv2d_raw(PeKind::kMul, input, weights, 2, g, post, true);
  EXPECT_EQ(rawr.data, (std::vector<int32_t>{5, 0, 19, 0, 37, 0, 78, 0}));
}

TEST_F(SmallConv, InvalidShapesThrow) {
  EXPECT_THROW(conv2d_acc(PeKind::kMin, input, {1, 2, 3}, 1, g), std::invalid_argument);
  EXPECT_THROW(conv2d_acc(PeKind::kMin, input, weights, 0, g), std::invalid_argument);
  ConvGeometry bad = g;
  bad.stride_w = 0;
  EXPECT_THROW(conv2d_acc(PeKind::kMin, input, weights, 2, bad), std::invalid_argument);
  bad = g;
  bad.kh = 0;
  EXPECT_THROW(conv2d_acc(PeKind::kMin, input, {}, 2, bad), std::invalid_argument);
  bad = g;
  bad.pad_left = -1;
  EXPECT_THROW(conv2d_acc(PeKind::kMin, input, weights, 2, bad), std::invalid_argument);
  bad = ConvGeometry{};
  bad.kh = bad.kw = 4;  // larger than the unpadded 3x3 input
  EXPECT_THROW(conv2d_acc(PeKind::kMin, input, std::vector<int8_t>(16), 1, bad), std::invalid_argument);
  Tensor8 broken = input;
  broken.data.pop_back();
  EXPECT_THROW(conv2d_acc(PeKind::kMin, broken, weights, 2, g), std::invalid_argument);
  EXPECT_THROW(conv2d_int8(PeKind::kMin, input, weights, 2, g, {{0, 1, 1}}, false), std::invalid_argument);
  EXPECT_THROW(conv2d_raw(PeKind::kMin, input, weights, 2, g, {}, false), std::invalid_argument);
  EXPECT_THROW(conv2d_int8(PeKind::kMin, input, weights, 2, g, {{0, 1, 1}, {0, 1, 0}}, false),
               std::invalid_argument);
}

// The vectorizable dot product against the scalar definition: every operand pair, and random vectors.
TEST(DotInt8, EqualsTheScalarSumOnAllPairsAndRandomVectors) {
  for (const PeKind kind : {PeKind::kMin, PeKind::kMul}) {
    for (int a = -128; a <= 127; ++a) {
      for (int b = -128; b <= 127; ++b) {
        const int8_t x = static_cast<int8_t>(a), y = static_cast<int8_t>(b);
        ASSERT_EQ(dot_int8(kind, &x, &y, 1), pe_op(kind, x, y)) << a << " " << b;
      }
    }
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> byte(-128, 127);
    for (const std::size_t n : {0u, 1u, 7u, 16u, 33u, 1000u, 70000u}) {
      std::vector<int8_t> x(n), y(n);
      for (std::size_t i = 0; i < n; ++i) {
        x[i] = static_cast<int8_t>(byte(rng));
        y[i] = static_cast<int8_t>(byte(rng));
      }
      int64_t want = 0;
      for (std::size_t i = 0; i < n; ++i) want += pe_op(kind, x[i], y[i]);
      EXPECT_EQ(dot_int8(kind, x.data(), y.data(), n), want)
          << (kind == PeKind::kMin ? "min" : "mul") << " n=" << n;
    }
    const std::vector<int8_t> extreme(70000, -128);  // crosses the 2^16 block with the largest terms
    EXPECT_EQ(dot_int8(kind, extreme.data(), extreme.data(), extreme.size()),
              int64_t{70000} * (kind == PeKind::kMin ? 128 : 16384));
  }
}

TEST(Conv2d, ReductionLongerThanTheAccumulatorHoldsIsRefused) {
  // 131071 terms of (-128)*(-128) = 16384 sum to 2,147,467,264 <= 2^31 - 1; one more term could overflow.
  EXPECT_EQ(max_reduction(PeKind::kMul), 131071);
  EXPECT_EQ(max_reduction(PeKind::kMin), 16777215);  // 128 per term
  for (const int k : {131071, 131072}) {
    Tensor8 input(1, 1, k);
    std::fill(input.data.begin(), input.data.end(), int8_t{-128});
    const std::vector<int8_t> weights(k, -128);
    if (k == 131071) {
      EXPECT_EQ(conv2d_acc(PeKind::kMul, input, weights, 1, ConvGeometry{}).data[0], 16384 * k);
    } else {
      EXPECT_THROW(conv2d_acc(PeKind::kMul, input, weights, 1, ConvGeometry{}), std::invalid_argument);
    }
    // The min PE gives 128 per term, far inside int32.
    EXPECT_EQ(conv2d_acc(PeKind::kMin, input, weights, 1, ConvGeometry{}).data[0], 128 * k);
  }
}

TEST(Conv2d, RawOutputSaturatesToInt32) {
  const int k = 131071;  // 131071 * 16384 = 2147467264 fits; adding the bias does not.
  Tensor8 input(1, 1, k);
  std::fill(input.data.begin(), input.data.end(), int8_t{-128});
  const std::vector<int8_t> weights(k, -128);
  const int32_t big = std::numeric_limits<int32_t>::max();
  Tensor32 raw = conv2d_raw(PeKind::kMul, input, weights, 1, ConvGeometry{}, {{big, 1, 1}}, false);
  EXPECT_EQ(raw.data[0], big);
  const std::vector<int8_t> neg(k, 127);
  raw = conv2d_raw(PeKind::kMul, input, neg, 1, ConvGeometry{}, {{std::numeric_limits<int32_t>::min(), 1, 1}},
                   false);
  EXPECT_EQ(raw.data[0], std::numeric_limits<int32_t>::min());
}

// Reference written differently from the library: explicit padded copy, then one output at a time.
int64_t reference_output(PeKind kind, const Tensor8& in, const std::vector<int8_t>& w, const ConvGeometry& g,
                         int oy, int ox, int o) {
  const int ph = in.h + g.pad_top + g.pad_bottom;
  const int pw = in.w + g.pad_left + g.pad_right;
  std::vector<int> padded(static_cast<std::size_t>(ph) * pw * in.c, 0);
  for (int y = 0; y < in.h; ++y)
    for (int x = 0; x < in.w; ++x)
      for (int c = 0; c < in.c; ++c)
        padded[((y + g.pad_top) * pw + x + g.pad_left) * in.c + c] = in.at(y, x, c);
  int64_t acc = 0;
  for (int ky = 0; ky < g.kh; ++ky)
    for (int kx = 0; kx < g.kw; ++kx)
      for (int c = 0; c < in.c; ++c) {
        const int a = padded[((oy * g.stride_h + ky) * pw + ox * g.stride_w + kx) * in.c + c];
        const int b = w[((o * g.kh + ky) * g.kw + kx) * in.c + c];
        if (kind == PeKind::kMul) {
          acc += a * b;
        } else {
          const int m = std::min(a < 0 ? -a : a, b < 0 ? -b : b);
          acc += (a == 0 || b == 0) ? 0 : ((a < 0) == (b < 0) ? m : -m);
        }
      }
  return acc;
}

TEST(Conv2d, Int8MatchesPerElementComputation) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> val(-127, 127);
  for (PeKind kind : {PeKind::kMin, PeKind::kMul}) {
    for (int trial = 0; trial < 6; ++trial) {
      ConvGeometry g;
      g.kh = 1 + trial % 3;
      g.kw = 1 + (trial + 1) % 3;
      g.stride_h = 1 + trial % 2;
      g.stride_w = 1 + (trial / 2) % 2;
      g.pad_top = trial % 2;
      g.pad_left = (trial / 2) % 2;
      g.pad_bottom = (trial / 3) % 2;
      g.pad_right = trial % 3 == 0 ? 1 : 0;
      Tensor8 in(5 + trial % 3, 6, 1 + trial % 4);
      for (auto& v : in.data) v = static_cast<int8_t>(val(rng));
      const int out_c = 3;
      std::vector<int8_t> w(static_cast<std::size_t>(out_c) * g.kh * g.kw * in.c);
      for (auto& v : w) v = static_cast<int8_t>(val(rng));
      std::vector<PostScale> post;
      for (int o = 0; o < out_c; ++o) post.push_back({val(rng) * 10, (1 << 30) + o * 12345, 36 + o});
      const bool relu = trial % 2 == 0;
      const Tensor8 out = conv2d_int8(kind, in, w, out_c, g, post, relu);
      ASSERT_EQ(out.h, g.out_h(in.h));
      ASSERT_EQ(out.w, g.out_w(in.w));
      for (int oy = 0; oy < out.h; ++oy)
        for (int ox = 0; ox < out.w; ++ox)
          for (int o = 0; o < out_c; ++o) {
            const int64_t t = reference_output(kind, in, w, g, oy, ox, o) + post[o].bias;
            // Real-valued reference of the requantization, rounded half away from zero.
            const double real = static_cast<double>(t) * post[o].multiplier / std::ldexp(1.0, post[o].shift);
            double r = std::floor(std::fabs(real) + 0.5);
            r = std::min(r, 127.0);
            int expected = static_cast<int>(real < 0 ? -r : r);
            if (relu) expected = std::max(expected, 0);
            ASSERT_EQ(out.at(oy, ox, o), expected)
                << "trial " << trial << " at " << oy << "," << ox << "," << o;
          }
    }
  }
}

TEST(Pool, MaxPool) {
  // 4x4x2, channel 1 = -channel 0.
  Tensor8 in(4, 4, 2);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) {
      in.at(y, x, 0) = static_cast<int8_t>(y * 4 + x);
      in.at(y, x, 1) = static_cast<int8_t>(-(y * 4 + x));
    }
  const Tensor8 out = maxpool_int8(in, 2, 2);
  ASSERT_EQ(out.h, 2);
  ASSERT_EQ(out.w, 2);
  ASSERT_EQ(out.c, 2);
  EXPECT_EQ(out.data, (std::vector<int8_t>{5, 0, 7, -2, 13, -8, 15, -10}));
  const Tensor8 overlap = maxpool_int8(in, 3, 1);
  ASSERT_EQ(overlap.h, 2);
  EXPECT_EQ(overlap.at(1, 1, 0), 15);
  EXPECT_EQ(overlap.at(1, 1, 1), -5);
  // Floor output size: 5x5 with k=2, stride 2 -> 2x2.
  EXPECT_EQ(maxpool_int8(Tensor8(5, 5, 1), 2, 2).h, 2);
  const Tensor8 extreme = make_tensor(1, 2, 1, {-128, -127});
  EXPECT_EQ(maxpool_int8(extreme, 1, 1).data, (std::vector<int8_t>{-128, -127}));
}

TEST(Pool, AvgPoolRoundsHalfAwayFromZero) {
  // Each 2x2 window on a 2x12x1 input with stride 2 holds one case.
  // sums: 3 (0.75->1), 2 (0.5->1), -2 (-0.5->-1), 1 (0.25->0), -5 (-1.25->-1), 10 (2.5->3)
  const Tensor8 in = make_tensor(2, 12, 1, {1, 2, 1, 1, -1, -1, 1, 0, -2, -1, 3, 3,  //
                                            0, 0, 0, 0, 0,  0,  0, 0, -1, -1, 3, 1});
  const Tensor8 out = avgpool_int8(in, 2, 2);
  ASSERT_EQ(out.h, 1);
  ASSERT_EQ(out.w, 6);
  EXPECT_EQ(out.data, (std::vector<int8_t>{1, 1, -1, 0, -1, 3}));
  // 3x3 window (divisor 9): sum 9*127 -> 127, sum -9*127 -> -127, sum 13 -> 1.44 -> 1, sum -14 -> -1.56 ->
  // -2.
  Tensor8 full(3, 3, 4);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) {
      full.at(y, x, 0) = 127;
      full.at(y, x, 1) = -127;
      full.at(y, x, 2) = (y == 0 && x == 0) ? 5 : 1;
      full.at(y, x, 3) = (y == 0 && x == 0) ? -6 : -1;
    }
  EXPECT_EQ(avgpool_int8(full, 3, 1).data, (std::vector<int8_t>{127, -127, 1, -2}));
}

TEST(Pool, InvalidArgumentsThrow) {
  const Tensor8 in(4, 4, 1);
  EXPECT_THROW(maxpool_int8(in, 0, 1), std::invalid_argument);
  EXPECT_THROW(maxpool_int8(in, 2, 0), std::invalid_argument);
  EXPECT_THROW(avgpool_int8(in, 5, 1), std::invalid_argument);
  EXPECT_THROW(avgpool_int8(Tensor8(), 1, 1), std::invalid_argument);
}

}  // namespace
}  // namespace minconv::golden
