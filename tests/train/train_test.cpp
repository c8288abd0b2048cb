// Training: the hand-written forward pass against run_float, gradient checks in both modes, and a small
// training run on a separable synthetic problem.
#include "sw/train/train.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "sw/golden/float_ops.h"
#include "tests/golden/test_networks.h"

namespace minconv::train {
using namespace golden;  // the reference types the tools build on
namespace {

double softmax_ce(const TensorF& logits, int label) {
  double m = *std::max_element(logits.data.begin(), logits.data.end());
  double s = 0.0;
  for (float v : logits.data) s += std::exp(v - m);
  return std::log(s) + m - logits.data[label];
}

std::vector<const TensorF*> pointers(const std::vector<TensorF>& v) {
  std::vector<const TensorF*> p;
  for (const TensorF& t : v) p.push_back(&t);
  return p;
}

TEST(Train, ForwardMatchesRunFloat) {
  const FloatNetwork net = testing::small_network(11);
  const std::vector<TensorF> images = testing::random_images(net.input, 6, 12);
  const std::vector<int> labels = {0, 3, 9, 1, 4, 4};
  double ref = 0.0;
  for (std::size_t n = 0; n < images.size(); ++n) {
    ref += softmax_ce(run_float(net, images[n], FloatMode::kStandard).back(), labels[n]);
  }
  EXPECT_NEAR(loss_and_gradients(net, pointers(images), labels, FloatMode::kStandard, nullptr).loss,
              ref / images.size(), 1e-4);

  // MinConv with the calibrated mu_x of the same images.
  const Calibration cal = calibrate(net, images, FloatMode::kMinConv);
  MinConvConstants fixed;
  for (const LayerStats& s : cal.layers) fixed.mu_x.push_back(s.mean_abs_in);
  ref = 0.0;
  for (std::size_t n = 0; n < images.size(); ++n) {
    ref += softmax_ce(run_float(net, images[n], FloatMode::kMinConv, &cal).back(), labels[n]);
  }
  MinConvConstants used;
  EXPECT_NEAR(
      loss_and_gradients(net, pointers(images), labels, FloatMode::kMinConv, nullptr, &fixed, &used).loss,
      ref / images.size(), 1e-4);
  // Without fixed constants the batch mu_x is the calibration mean over the same images.
  MinConvConstants batch;
  loss_and_gradients(net, pointers(images), labels, FloatMode::kMinConv, nullptr, nullptr, &batch);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    EXPECT_NEAR(batch.mu_x[i], cal.layers[i].mean_abs_in, 1e-6) << "layer " << i;
  }
  ASSERT_EQ(batch.mu_w[0].size(), 8u);
  EXPECT_NEAR(batch.mu_w[0][3], filter_mean_abs(net.layers[0].weights, 8)[3], 1e-9);
}

TEST(Train, AccuracyMatchesRunFloat) {
  const FloatNetwork net = testing::small_network(21);
  const std::vector<TensorF> images = testing::random_images(net.input, 40, 22);
  std::vector<uint8_t> labels;
  for (const TensorF& im : images)
    labels.push_back(static_cast<uint8_t>(argmax(run_float(net, im, FloatMode::kStandard).back())));
  EXPECT_DOUBLE_EQ(accuracy(net, images, labels, FloatMode::kStandard), 1.0);
  const Calibration cal = calibrate(net, images, FloatMode::kMinConv);
  std::size_t agree_cal = 0, agree_own = 0;
  std::vector<uint8_t> min_cal, min_own;
  for (const TensorF& im : images) {
    min_cal.push_back(static_cast<uint8_t>(argmax(run_float(net, im, FloatMode::kMinConv, &cal).back())));
    min_own.push_back(static_cast<uint8_t>(argmax(run_float(net, im, FloatMode::kMinConv).back())));
  }
  for (std::size_t n = 0; n < images.size(); ++n) {
    agree_cal += min_cal[n] == labels[n];
    agree_own += min_own[n] == labels[n];
  }
  EXPECT_DOUBLE_EQ(accuracy(net, images, min_cal, FloatMode::kMinConv, &cal), 1.0);
  EXPECT_DOUBLE_EQ(accuracy(net, images, min_own, FloatMode::kMinConv), 1.0);
  EXPECT_DOUBLE_EQ(accuracy(net, images, labels, FloatMode::kMinConv, &cal), agree_cal / 40.0);
  EXPECT_DOUBLE_EQ(accuracy(net, images, labels, FloatMode::kMinConv), agree_own / 40.0);
}

// Central finite differences of the loss against the analytic gradient, with mu_x and mu_w held at the
// values of the base point (the gradient treats them as constants). A parameter whose one-sided
// differences disagree sits on a kink (ReLU, max, |x| = |w'|, the clip) and is skipped; few may be.
void gradient_check(FloatMode mode) {
  FloatNetwork net = testing::small_network(31);
  const std::vector<TensorF> images = testing::random_images(net.input, 3, 32);
  const std::vector<int> labels = {2, 7, 5};
  Gradients g;
  MinConvConstants consts;
  loss_and_gradients(net, pointers(images), labels, mode, &g, nullptr, &consts);
  const double h = 2e-3;
  int compared = 0, skipped = 0, nonzero = 0;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    for (int which = 0; which < 2; ++which) {
      std::vector<float>& p = which == 0 ? net.layers[i].weights : net.layers[i].bias;
      const std::vector<float>& a = which == 0 ? g.weights[i] : g.bias[i];
      ASSERT_EQ(a.size(), p.size()) << "layer " << i;
      for (std::size_t j = 0; j < p.size(); j += (which == 0 ? 3 : 1)) {
        const float saved = p[j];
        auto loss_at = [&](double delta) {
          p[j] = static_cast<float>(saved + delta);
          return loss_and_gradients(net, pointers(images), labels, mode, nullptr, &consts).loss;
        };
        const double lp = loss_at(h), lm = loss_at(-h), l0 = loss_at(0.0);
        p[j] = saved;
        const double fwd = (lp - l0) / h, bwd = (l0 - lm) / h, central = (lp - lm) / (2 * h);
        const double tol = 2e-3 + 3e-2 * std::fabs(central);
        if (std::fabs(fwd - bwd) > tol) {
          ++skipped;
          continue;
        }
        ++compared;
        if (std::fabs(a[j]) > 1e-3) ++nonzero;
        EXPECT_NEAR(a[j], central, tol) << "layer " << i << (which == 0 ? " weight " : " bias ") << j;
      }
    }
  }
  EXPECT_GT(compared, 300);
  EXPECT_GT(nonzero, compared / 5);
  EXPECT_LT(skipped, compared / 10) << skipped << " parameters on kinks";
}

// With PassOptions::mu_w_gradient the gradient also flows through mu_w,o: central differences now
// recompute mu_w from the perturbed weights (only mu_x is held).
TEST(Train, GradientCheckMinConvThroughMuW) {
  TrainNetwork net;
  net.net = testing::small_network(33);
  const std::vector<TensorF> images = testing::random_images(net.net.input, 3, 34);
  const std::vector<int> labels = {4, 1, 8};
  Gradients g;
  MinConvConstants consts;
  PassOptions base;
  base.used = &consts;
  base.mu_w_gradient = true;
  loss_and_gradients(net, pointers(images), labels, FloatMode::kMinConv, &g, base);
  MinConvConstants mu_x_only;
  mu_x_only.mu_x = consts.mu_x;
  PassOptions fixed;
  fixed.fixed = &mu_x_only;
  const double h = 1e-3;
  int compared = 0, skipped = 0;
  double l1_diff = 0.0, l1 = 0.0;
  Gradients held;
  loss_and_gradients(net, pointers(images), labels, FloatMode::kMinConv, &held, PassOptions{});
  for (std::size_t i = 0; i < net.net.layers.size(); ++i) {
    std::vector<float>& p = net.net.layers[i].weights;
    for (std::size_t j = 0; j < p.size(); j += 2) {
      const float saved = p[j];
      auto loss_at = [&](double delta) {
        p[j] = static_cast<float>(saved + delta);
        return loss_and_gradients(net, pointers(images), labels, FloatMode::kMinConv, nullptr, fixed).loss;
      };
      const double lp = loss_at(h), lm = loss_at(-h), l0 = loss_at(0.0);
      p[j] = saved;
      const double fwd = (lp - l0) / h, bwd = (l0 - lm) / h, central = (lp - lm) / (2 * h);
      const double tol = 2e-3 + 3e-2 * std::fabs(central);
      if (std::fabs(fwd - bwd) > tol) {
        ++skipped;
        continue;
      }
      ++compared;
      l1_diff += std::fabs(held.weights[i][j] - g.weights[i][j]);
      l1 += std::fabs(g.weights[i][j]);
      EXPECT_NEAR(g.weights[i][j], central, tol) << "layer " << i << " weight " << j;
    }
  }
  EXPECT_GT(compared, 300);
  EXPECT_GT(l1_diff, 0.05 * l1) << "the mu_w path should change the gradient";
  EXPECT_LT(skipped, compared / 10) << skipped << " parameters on kinks";
}

TEST(Train, GradientCheckStandard) { gradient_check(FloatMode::kStandard); }
TEST(Train, GradientCheckMinConv) { gradient_check(FloatMode::kMinConv); }

// Three classes of 6x6 images: a bright horizontal bar in the top, middle or bottom third, with noise.
void synthetic(int count, unsigned seed, std::vector<TensorF>& x, std::vector<uint8_t>& y) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> noise(0.0f, 0.4f);
  std::uniform_int_distribution<int> cls(0, 2), shift(0, 1);
  for (int n = 0; n < count; ++n) {
    TensorF t(6, 6, 1);
    for (float& v : t.data) v = noise(rng);
    const int c = cls(rng);
    const int row = 2 * c + shift(rng);
    for (int xx = 0; xx < 6; ++xx) t.at(row, xx, 0) += 0.6f;
    x.push_back(std::move(t));
    y.push_back(static_cast<uint8_t>(c));
  }
}

FloatNetwork tiny_network(unsigned seed) {
  std::mt19937 rng(seed);
  FloatNetwork net;
  net.input = Shape{6, 6, 1};
  net.layers.push_back(testing::conv_layer("conv1", 1, 4, 3, 1, 1, true, rng));
  net.layers.push_back(testing::pool_layer(LayerType::kMaxPool, "pool1", 2, 2));
  net.layers.push_back(testing::fc_layer("fc1", 3 * 3 * 4, 8, true, rng));
  net.layers.push_back(testing::fc_layer("fc2", 8, 3, false, rng));
  return net;
}

struct SyntheticData {
  std::vector<TensorF> train_x, test_x;
  std::vector<uint8_t> train_y, test_y;
  SyntheticData() {
    synthetic(300, 41, train_x, train_y);
    synthetic(300, 42, test_x, test_y);
  }
};

// SGD with momentum at a constant learning rate, batches of 10.
TrainerOptions synthetic_options(double lr) {
  TrainerOptions opt;
  opt.optimizer.kind = OptimizerKind::kSgd;
  opt.schedule.kind = ScheduleKind::kConstant;
  opt.schedule.lr = lr;
  opt.batch = 10;
  opt.threads = 1;
  return opt;
}

// Trains net (no BN) for `epochs`; returns the first and last epoch results.
std::pair<EpochResult, EpochResult> fit(FloatNetwork& net, FloatMode mode, const TrainerOptions& opt,
                                        int epochs, const std::vector<TensorF>& x,
                                        const std::vector<uint8_t>& y) {
  TrainNetwork t;
  t.net = net;
  Trainer trainer(t, mode, opt);
  const EpochResult first = trainer.epoch(x, y, 0);
  EpochResult last = first;
  for (int e = 1; e < epochs; ++e) last = trainer.epoch(x, y, e);
  net = t.net;
  return {first, last};
}

TEST(Train, LearnsSeparableProblemStandard) {
  const SyntheticData d;
  FloatNetwork net = tiny_network(43);
  const double before = accuracy(net, d.test_x, d.test_y, FloatMode::kStandard);
  const auto [first, last] =
      fit(net, FloatMode::kStandard, synthetic_options(0.05), 15, d.train_x, d.train_y);
  const double after = accuracy(net, d.test_x, d.test_y, FloatMode::kStandard);
  EXPECT_LT(last.loss, 0.6 * first.loss) << "first epoch " << first.loss << ", last " << last.loss;
  EXPECT_GT(after, 0.85) << "accuracy before training " << before;
  EXPECT_GT(last.accuracy, 0.85);
}

// MinConv as the method uses it (transfer learning): a briefly trained standard network, gain-matched and
// fine-tuned in MinConv mode. The MinConv loss must fall and the accuracy end well above chance (1/3).
TEST(Train, LearnsSeparableProblemMinConvByFineTuning) {
  const SyntheticData d;
  FloatNetwork net = tiny_network(43);
  fit(net, FloatMode::kStandard, synthetic_options(0.02), 1, d.train_x, d.train_y);
  FloatNetwork min_net = net;
  match_minconv_gains(net, min_net, d.train_x);
  const auto [first, last] =
      fit(min_net, FloatMode::kMinConv, synthetic_options(0.02), 15, d.train_x, d.train_y);
  const Calibration cal = calibrate(min_net, d.train_x, FloatMode::kMinConv);
  const double after = accuracy(min_net, d.test_x, d.test_y, FloatMode::kMinConv, &cal);
  EXPECT_LT(last.loss, 0.9 * first.loss) << "first epoch " << first.loss << ", last " << last.loss;
  EXPECT_GT(after, 0.8);
  EXPECT_GT(last.accuracy, 0.8);
}

TEST(Train, GainMatchingBringsMinConvCloserToTheReference) {
  const FloatNetwork ref = testing::small_network(51);
  const std::vector<TensorF> images = testing::random_images(ref.input, 30, 52);
  FloatNetwork net = ref;
  match_minconv_gains(ref, net, images);
  // Mean squared distance between the logits of the reference (standard) and of the MinConv network.
  auto distance = [&](const FloatNetwork& m) {
    const Calibration cal = calibrate(m, images, FloatMode::kMinConv);
    double d = 0.0;
    for (const TensorF& im : images) {
      const TensorF a = run_float(ref, im, FloatMode::kStandard).back();
      const TensorF b = run_float(m, im, FloatMode::kMinConv, &cal).back();
      for (std::size_t j = 0; j < a.size(); ++j) d += (a.data[j] - b.data[j]) * (a.data[j] - b.data[j]);
    }
    return d;
  };
  EXPECT_LT(distance(net), 0.5 * distance(ref));
}

TEST(Train, RejectsBadBatches) {
  const FloatNetwork net = testing::small_network(61);
  const std::vector<TensorF> images = testing::random_images(net.input, 2, 62);
  EXPECT_THROW(loss_and_gradients(net, pointers(images), {1}, FloatMode::kStandard, nullptr),
               std::invalid_argument);
  EXPECT_THROW(loss_and_gradients(net, pointers(images), {1, 10}, FloatMode::kStandard, nullptr),
               std::invalid_argument);
  const std::vector<TensorF> wrong = testing::random_images(Shape{8, 8, 3}, 1, 63);
  EXPECT_THROW(loss_and_gradients(net, pointers(wrong), {1}, FloatMode::kStandard, nullptr),
               std::invalid_argument);
}

}  // namespace
}  // namespace minconv::train
