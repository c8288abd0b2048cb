// Float reference ops, in particular the MinConv operator of DESIGN.md §2.
#include "sw/golden/float_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace minconv::golden {
namespace {

TensorF make(int h, int w, int c, std::vector<float> v) {
  TensorF t(h, w, c);
  t.data = std::move(v);
  return t;
}

TEST(FloatOps, ConvByHandWithPaddingStrideAndBias) {
  const TensorF in = make(3, 3, 1, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  ConvGeometry g;
  g.kh = g.kw = 2;
  g.stride_h = g.stride_w = 2;
  g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
  const TensorF out = conv2d_float(in, {1, 2, 3, 4, -1, 0, 2, -5}, {0.5f, -1.0f}, 2, g);
  ASSERT_EQ(out.h, 2);
  ASSERT_EQ(out.w, 2);
  const std::vector<float> expected = {4.5f, -6, 18.5f, -12, 36.5f, -36, 77.5f, -35};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_FLOAT_EQ(out.data[i], expected[i]) << i;
}

TEST(FloatOps, FullyConnectedFlattensHwc) {
  const TensorF in = make(1, 2, 2, {1, 2, 3, 4});  // HWC order
  const TensorF out = fully_connected_float(in, {1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, {0, 0, 1}, 3);
  ASSERT_EQ(out.h, 1);
  ASSERT_EQ(out.w, 1);
  ASSERT_EQ(out.c, 3);
  EXPECT_FLOAT_EQ(out.data[0], 1);
  EXPECT_FLOAT_EQ(out.data[1], 4);
  EXPECT_FLOAT_EQ(out.data[2], 11);
  EXPECT_THROW(fully_connected_float(in, {1, 2, 3}, {0}, 1), std::invalid_argument);
}

TEST(FloatOps, PoolsAndRelu) {
  const TensorF in = make(2, 4, 1, {1, -2, 3, 4, -5, 6, 7, -9});
  const TensorF mx = maxpool_float(in, 2, 2);
  ASSERT_EQ(mx.w, 2);
  EXPECT_FLOAT_EQ(mx.data[0], 6);
  EXPECT_FLOAT_EQ(mx.data[1], 7);
  const TensorF av = avgpool_float(in, 2, 2);
  EXPECT_FLOAT_EQ(av.data[0], 0);
  EXPECT_FLOAT_EQ(av.data[1], 1.25f);
  const TensorF r = relu_float(in);
  EXPECT_EQ(r.data, (std::vector<float>{1, 0, 3, 4, 0, 6, 7, 0}));
  EXPECT_THROW(maxpool_float(in, 3, 1), std::invalid_argument);
  EXPECT_FLOAT_EQ(mean_abs(in), 37.0f / 8);
  EXPECT_FLOAT_EQ(max_abs(in), 9);
}

TEST(MinConvFloat, HandExample) {
  // x = [1, -2], w = [0.5, 1.5]: mu_w = 1, no clipping (alpha = 2); mu_x = 1.5, s = 1.5, w' = [0.75, 2.25].
  // z = 1 * (min(1, 0.75) - min(2, 2.25)) = -1.25; plus bias 0.1.
  const TensorF in = make(1, 1, 2, {1, -2});
  const TensorF out = minconv2d_float(in, {0.5f, 1.5f}, {0.1f}, 1, ConvGeometry{}, mean_abs(in));
  EXPECT_NEAR(out.data[0], -1.15, 1e-6);
  // With mu_w = 2 (weights doubled): s = 0.75, w' is unchanged, z = 2 * (-1.25).
  const TensorF out2 = minconv2d_float(in, {1.0f, 3.0f}, {0.0f}, 1, ConvGeometry{}, 1.5);
  EXPECT_NEAR(out2.data[0], -2.5, 1e-6);
}

TEST(MinConvFloat, WeightsAreClippedAtTwiceTheFilterMean) {
  // w = [0.1, 0.1, 0.1, 3.7]: mu_w = 1, alpha = 2 clips 3.7 to 2. mu_x = 1, x = 5: z = 0.1*3 + min(5, 2)
  // = 2.3.
  const TensorF in = make(1, 1, 4, {5, 5, 5, 5});
  const TensorF out = minconv2d_float(in, {0.1f, 0.1f, 0.1f, 3.7f}, {0.0f}, 1, ConvGeometry{}, 1.0);
  EXPECT_NEAR(out.data[0], 2.3, 1e-6);
  const TensorF neg = minconv2d_float(in, {0.1f, 0.1f, 0.1f, -3.7f}, {0.0f}, 1, ConvGeometry{}, 1.0);
  EXPECT_NEAR(neg.data[0], 0.3 - 2.0, 1e-6);
}

TEST(MinConvFloat, ZeroFilterGivesBiasOnly) {
  const TensorF in = make(1, 1, 2, {1, 2});
  const TensorF out = minconv2d_float(in, {0, 0, 1, 1}, {0.25f, 0.0f}, 2, ConvGeometry{}, 1.5);
  EXPECT_FLOAT_EQ(out.data[0], 0.25f);
  EXPECT_NEAR(out.data[1], 1 * (std::min(1.0, 1.5) + std::min(2.0, 1.5)), 1e-6);
}

TEST(MinConvFloat, HomogeneousInInputAndMuX) {
  // min(k|x|, (k mu_x / mu_w)|w|) = k min(|x|, (mu_x / mu_w)|w|) for k > 0.
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0.0f, 1.0f);
  TensorF in(5, 5, 3);
  for (float& v : in.data) v = d(rng);
  std::vector<float> w(4 * 3 * 3 * 3);
  for (float& v : w) v = d(rng);
  ConvGeometry g;
  g.kh = g.kw = 3;
  g.pad_top = g.pad_left = g.pad_bottom = g.pad_right = 1;
  const std::vector<float> no_bias(4, 0.0f);
  const double mu = mean_abs(in);
  const TensorF a = minconv2d_float(in, w, no_bias, 4, g, mu);
  TensorF scaled = in;
  for (float& v : scaled.data) v *= 4.0f;
  const TensorF b = minconv2d_float(scaled, w, no_bias, 4, g, 4.0 * mu);
  for (std::size_t i = 0; i < a.data.size(); ++i) EXPECT_NEAR(b.data[i], 4.0f * a.data[i], 1e-4) << i;
  // And it is not the ordinary convolution.
  const TensorF c = conv2d_float(in, w, no_bias, 4, g);
  double diff = 0;
  for (std::size_t i = 0; i < a.data.size(); ++i) diff += std::fabs(a.data[i] - c.data[i]);
  EXPECT_GT(diff, 1.0);
  EXPECT_THROW(minconv2d_float(in, w, no_bias, 4, g, -1.0), std::invalid_argument);
}

TEST(MinConvFloat, CorrelatesWithProductOnFoldedNormals) {
  // DESIGN §2: for similar distributions, min-based terms correlate strongly with the products.
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.0f, 1.0f);
  const int n = 256;
  std::vector<double> prod, mins;
  for (int t = 0; t < 400; ++t) {
    TensorF in(1, 1, n);
    std::vector<float> w(n);
    for (float& v : in.data) v = d(rng);
    for (float& v : w) v = d(rng);
    prod.push_back(fully_connected_float(in, w, {0.0f}, 1).data[0]);
    mins.push_back(min_fully_connected_float(in, w, {0.0f}, 1, mean_abs(in)).data[0]);
  }
  double ma = 0, mb = 0;
  for (int i = 0; i < 400; ++i) ma += prod[i] / 400, mb += mins[i] / 400;
  double sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < 400; ++i) {
    sab += (prod[i] - ma) * (mins[i] - mb);
    saa += (prod[i] - ma) * (prod[i] - ma);
    sbb += (mins[i] - mb) * (mins[i] - mb);
  }
  EXPECT_GT(sab / std::sqrt(saa * sbb), 0.85);
}

}  // namespace
}  // namespace minconv::golden
