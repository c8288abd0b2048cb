// Network description, calibration, quantization and the int8 forward pass.
#include "sw/golden/network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

#include "sw/golden/float_ops.h"
#include "tests/golden/test_networks.h"

namespace minconv::golden {
namespace {

using testing::random_images;
using testing::small_network;

TEST(Network, ShapeInference) {
  const FloatNetwork net = small_network(1);
  const std::vector<Shape> s = infer_shapes(net);
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s[0], (Shape{8, 8, 8}));
  EXPECT_EQ(s[1], (Shape{4, 4, 8}));
  EXPECT_EQ(s[2], (Shape{2, 2, 12}));
  EXPECT_EQ(s[3], (Shape{1, 1, 12}));
  EXPECT_EQ(s[4], (Shape{1, 1, 16}));
  EXPECT_EQ(s[5], (Shape{1, 1, 10}));
  EXPECT_EQ(layer_input_shape(net, s, 4), (Shape{1, 1, 12}));
}

TEST(Network, ShapeErrorsNameTheLayer) {
  FloatNetwork net = small_network(1);
  net.layers[2].weights.pop_back();
  try {
    infer_shapes(net);
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("conv2"), std::string::npos) << e.what();
  }
  net = small_network(1);
  net.layers[3].k = 3;  // 2x2 input
  EXPECT_THROW(infer_shapes(net), ModelError);
  net = small_network(1);
  net.layers[5].bias.pop_back();
  EXPECT_THROW(infer_shapes(net), ModelError);
  net = small_network(1);
  net.layers[4].geometry.kh = 3;
  EXPECT_THROW(infer_shapes(net), ModelError);
  net = small_network(1);
  net.input.c = 3;
  EXPECT_THROW(infer_shapes(net), ModelError);
  net = small_network(1);
  net.layers[0].geometry.stride_h = 0;
  EXPECT_THROW(infer_shapes(net), ModelError);
}

TEST(Quantize, MultiplierAndShift) {
  int32_t m = 0, n = 0;
  quantize_multiplier(0.75, m, n);
  EXPECT_EQ(m, 3 << 29);
  EXPECT_EQ(n, 31);
  quantize_multiplier(1.0, m, n);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(n, 30);
  quantize_multiplier(0.0, m, n);
  EXPECT_EQ(m, 0);
  quantize_multiplier(1e-30, m, n);
  EXPECT_EQ(n, 62);
  EXPECT_GE(m, 0);
  EXPECT_THROW(quantize_multiplier(std::ldexp(1.0, 30), m, n), ModelError);
  EXPECT_THROW(quantize_multiplier(-0.5, m, n), ModelError);
  EXPECT_THROW(quantize_multiplier(NAN, m, n), ModelError);
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> d(-20.0, 20.0);
  for (int i = 0; i < 1000; ++i) {
    const double r = std::exp(d(rng));
    quantize_multiplier(r, m, n);
    ASSERT_GE(m, 1 << 30);
    ASSERT_GE(n, 1);
    ASSERT_LE(n, 62);
    ASSERT_NEAR(m / std::ldexp(1.0, n) / r, 1.0, 1e-9);
  }
}

class QuantizedNetwork : public ::testing::TestWithParam<PeKind> {
 protected:
  FloatMode mode() const { return GetParam() == PeKind::kMin ? FloatMode::kMinConv : FloatMode::kStandard; }
  FloatNetwork net = small_network(11);
  std::vector<TensorF> calib_images = random_images(net.input, 100, 21);
  std::vector<TensorF> test_images = random_images(net.input, 50, 22);
};

// Calibration split across threads (images, or output rows when there are fewer images than threads) gives
// the statistics of the one-thread run exactly.
TEST_P(QuantizedNetwork, CalibrationIsTheSameOnAnyNumberOfThreads) {
  const Calibration one = calibrate(net, calib_images, mode(), 1);
  const std::vector<TensorF> two_images(calib_images.begin(), calib_images.begin() + 2);
  const Calibration one_small = calibrate(net, two_images, mode(), 1);
  for (const int threads : {2, 3, 7}) {
    const Calibration many = calibrate(net, calib_images, mode(), threads);
    const Calibration rows = calibrate(net, two_images, mode(), threads);  // fewer images than threads
    for (std::size_t i = 0; i < net.layers.size(); ++i) {
      for (const auto& [a, b] :
           {std::pair{one.layers[i], many.layers[i]}, {one_small.layers[i], rows.layers[i]}}) {
        EXPECT_EQ(a.mean_abs_in, b.mean_abs_in) << "layer " << i << ", " << threads << " threads";
        EXPECT_EQ(a.max_abs_in, b.max_abs_in);
        EXPECT_EQ(a.mean_abs_out, b.mean_abs_out);
        EXPECT_EQ(a.max_abs_out, b.max_abs_out);
      }
    }
    EXPECT_EQ(one.output_min, many.output_min);
    EXPECT_EQ(one.output_max, many.output_max);
    EXPECT_EQ(one_small.output_max, rows.output_max);
  }
}

TEST_P(QuantizedNetwork, WeightInvariants) {
  const Calibration cal = calibrate(net, calib_images, mode());
  const QuantModel qm = quantize(net, cal, GetParam());
  ASSERT_EQ(qm.layers.size(), net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const FloatLayer& fl = net.layers[i];
    const QuantLayer& ql = qm.layers[i];
    if (fl.type != LayerType::kConv && fl.type != LayerType::kFc) continue;
    const std::size_t n = fl.weights.size() / fl.out_c;
    const std::vector<double> mu_w = filter_mean_abs(fl.weights, fl.out_c);
    const double mu_x = cal.layers[i].mean_abs_in;
    for (int o = 0; o < fl.out_c; ++o) {
      int max_q = 0;
      for (std::size_t k = 0; k < n; ++k) {
        const int q = ql.weights[o * n + k];
        ASSERT_LE(std::abs(q), 127);
        max_q = std::max(max_q, std::abs(q));
        if (GetParam() == PeKind::kMin) {
          const double w = fl.weights[o * n + k];
          const double alpha = 2 * mu_w[o];
          const double w_prime = mu_x / mu_w[o] * std::clamp(w, -alpha, alpha);
          ASSERT_LE(std::fabs(w_prime), 2 * mu_x * (1 + 1e-12));
          const double S = 2 * mu_x / 127;
          ASSERT_EQ(q, static_cast<int>(std::round(w_prime / S))) << fl.name << " o=" << o << " k=" << k;
          if (std::fabs(w) >= alpha) {
            ASSERT_EQ(std::abs(q), 127);  // clipped weights hit the full range
          }
        }
      }
      if (GetParam() == PeKind::kMul) {
        EXPECT_EQ(max_q, 127) << fl.name << " filter " << o;
      }
      // The bias survives quantization up to half an accumulator step.
      EXPECT_NEAR(ql.post[o].bias * ql.acc_scale[o], fl.bias[o], ql.acc_scale[o] * 0.5 + 1e-12);
    }
    EXPECT_EQ(ql.raw_output, i + 1 == net.layers.size());
  }
  if (GetParam() == PeKind::kMin) {
    EXPECT_DOUBLE_EQ(qm.input_scale, 2 * cal.layers[0].mean_abs_in / 127);
  } else {
    EXPECT_DOUBLE_EQ(qm.input_scale, cal.layers[0].max_abs_in / 127);
  }
}

TEST_P(QuantizedNetwork, Int8OutputTracksFloatOutput) {
  const Calibration cal = calibrate(net, calib_images, mode());
  const QuantModel qm = quantize(net, cal, GetParam());
  int agree = 0;
  double sxy = 0, sxx = 0, syy = 0;
  for (const TensorF& img : test_images) {
    const std::vector<TensorF> ref = run_float(net, img, mode(), &cal);
    const std::vector<LayerOutput> q = run_int8(qm, quantize_input(qm, img));
    ASSERT_EQ(q.size(), ref.size());
    ASSERT_TRUE(q.back().is_raw);
    for (std::size_t i = 0; i + 1 < q.size(); ++i) ASSERT_FALSE(q[i].is_raw);
    const std::vector<double> logits = dequantize_logits(qm, q.back().raw);
    ASSERT_EQ(logits.size(), ref.back().data.size());
    agree += argmax(logits) == argmax(ref.back()) ? 1 : 0;
    double mean_f = 0, mean_q = 0;
    for (std::size_t k = 0; k < logits.size(); ++k) mean_f += ref.back().data[k], mean_q += logits[k];
    mean_f /= logits.size();
    mean_q /= logits.size();
    for (std::size_t k = 0; k < logits.size(); ++k) {
      sxy += (ref.back().data[k] - mean_f) * (logits[k] - mean_q);
      sxx += (ref.back().data[k] - mean_f) * (ref.back().data[k] - mean_f);
      syy += (logits[k] - mean_q) * (logits[k] - mean_q);
    }
  }
  const double corr = sxy / std::sqrt(sxx * syy);
  std::cout << to_string(GetParam()) << ": argmax agreement " << agree << "/50, centred logit correlation "
            << corr << "\n";
  EXPECT_GE(agree, 40);
  EXPECT_GT(corr, 0.9);
}

TEST_P(QuantizedNetwork, FirstLayerDequantizesCloseToFloat) {
  const Calibration cal = calibrate(net, calib_images, mode());
  const QuantModel qm = quantize(net, cal, GetParam());
  // Scale of the int8 output of conv1 (and pool1): the input scale of conv2.
  const double s_next = GetParam() == PeKind::kMin
                            ? 2 * cal.layers[2].mean_abs_in / 127
                            : std::max(cal.layers[2].max_abs_in, cal.layers[0].max_abs_out) / 127;
  double err = 0, mag = 0;
  for (const TensorF& img : test_images) {
    const TensorF ref = run_float(net, img, mode(), &cal)[0];
    const Tensor8 q = run_int8(qm, quantize_input(qm, img))[0].q;
    for (std::size_t k = 0; k < ref.data.size(); ++k) {
      const double clipped = std::min<double>(ref.data[k], 127 * s_next);
      err += std::fabs(q.data[k] * s_next - clipped);
      mag += std::fabs(clipped);
    }
  }
  EXPECT_LT(err / mag, 0.1);
}

INSTANTIATE_TEST_SUITE_P(PeKinds, QuantizedNetwork, ::testing::Values(PeKind::kMin, PeKind::kMul),
                         [](const ::testing::TestParamInfo<PeKind>& p) {
                           return std::string(to_string(p.param));
                         });

// classify on a model small enough to compute by hand: one fc layer, 2 inputs -> 3 raw logits.
TEST(Classify, DequantizedArgmaxWorkedOutByHand) {
  QuantModel m;
  m.pe = PeKind::kMul;
  m.input = Shape{1, 1, 2};
  m.input_scale = 0.5;
  QuantLayer fc;
  fc.type = LayerType::kFc;
  fc.name = "fc";
  fc.in_c = 2;
  fc.out_c = 3;
  fc.weights = {1, 0, 0, 1, 1, 1};  // row o: weights of output o
  fc.post = {{0, 1 << 30, 30}, {0, 1 << 30, 30}, {-5, 1 << 30, 30}};
  fc.acc_scale = {1.0, 1.0, 1.0};
  fc.raw_output = true;
  m.layers = {fc};
  // Input (3, 4) -> accumulators (3, 4, 7), plus biases (0, 0, -5): logits (3, 4, 2): class 1.
  Tensor8 x(1, 1, 2);
  x.data = {3, 4};
  EXPECT_EQ(classify(m, x), 1);
  // The dequantization scales decide, not the raw values: x 0.5 on channel 1 -> logits (3, 2, 2): class 0.
  m.layers[0].acc_scale = {1.0, 0.5, 1.0};
  EXPECT_EQ(classify(m, x), 0);
  // A tie goes to the first index: (4, 4, 3).
  x.data = {4, 4};
  m.layers[0].acc_scale = {1.0, 1.0, 1.0};
  m.layers[0].post[2].bias = -5;
  EXPECT_EQ(classify(m, x), 0);
}

TEST(Quantize, RejectsMismatchedCalibrationAndBadNetworks) {
  const FloatNetwork net = small_network(2);
  const std::vector<TensorF> imgs = random_images(net.input, 5, 3);
  const Calibration standard = calibrate(net, imgs, FloatMode::kStandard);
  EXPECT_THROW(quantize(net, standard, PeKind::kMin), ModelError);
  FloatNetwork pool_last = net;
  pool_last.layers.resize(3);  // conv1, pool1, conv2
  pool_last.layers.push_back(testing::pool_layer(LayerType::kMaxPool, "pool2", 2, 2));
  EXPECT_THROW(quantize(pool_last, calibrate(pool_last, imgs, FloatMode::kStandard), PeKind::kMul),
               ModelError);
  std::vector<TensorF> zeros(3, TensorF(8, 8, 2));
  EXPECT_THROW(quantize(net, calibrate(net, zeros, FloatMode::kStandard), PeKind::kMul), ModelError);
  EXPECT_THROW(calibrate(net, {}, FloatMode::kStandard), ModelError);
  EXPECT_THROW(calibrate(net, {TensorF(8, 8, 1)}, FloatMode::kStandard), ModelError);
}

TEST(Quantize, InputQuantizationRoundsAndClamps) {
  const FloatNetwork net = small_network(2);
  QuantModel qm =
      quantize(net, calibrate(net, random_images(net.input, 5, 3), FloatMode::kStandard), PeKind::kMul);
  qm.input_scale = 0.5;
  TensorF x(8, 8, 2);
  x.data[0] = 0.25f;    // 0.5 -> 1 (half away)
  x.data[1] = -0.25f;   // -0.5 -> -1
  x.data[2] = 0.2f;     // 0.4 -> 0
  x.data[3] = 100.0f;   // 200 -> 127
  x.data[4] = -100.0f;  // -> -127
  const Tensor8 q = quantize_input(qm, x);
  EXPECT_EQ(q.data[0], 1);
  EXPECT_EQ(q.data[1], -1);
  EXPECT_EQ(q.data[2], 0);
  EXPECT_EQ(q.data[3], 127);
  EXPECT_EQ(q.data[4], -127);
  EXPECT_THROW(quantize_input(qm, TensorF(8, 8, 1)), ModelError);
  x.data[5] = NAN;
  EXPECT_THROW(quantize_input(qm, x), ModelError);
}

TEST(QuantModelValidate, RejectsInconsistentModels) {
  const FloatNetwork net = small_network(2);
  const QuantModel good =
      quantize(net, calibrate(net, random_images(net.input, 5, 3), FloatMode::kMinConv), PeKind::kMin);
  EXPECT_NO_THROW(validate(good));
  QuantModel m = good;
  m.layers[0].raw_output = true;
  EXPECT_THROW(validate(m), ModelError);
  m = good;
  m.layers.back().raw_output = false;
  EXPECT_THROW(validate(m), ModelError);
  m = good;
  m.layers[2].in_c = 7;
  EXPECT_THROW(validate(m), ModelError);
  m = good;
  m.layers[2].weights.pop_back();
  EXPECT_THROW(validate(m), ModelError);
  m = good;
  m.layers[0].post[1].shift = 63;
  EXPECT_THROW(validate(m), ModelError);
  m = good;
  m.layers[0].post[1].multiplier = -5;
  EXPECT_THROW(validate(m), ModelError);
  m = good;
  m.layers[1].k = 0;
  EXPECT_THROW(validate(m), ModelError);
  m = good;
  EXPECT_THROW(run_int8(m, Tensor8(8, 8, 3)), ModelError);
}

}  // namespace
}  // namespace minconv::golden
