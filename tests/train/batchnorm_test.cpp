// Batch normalisation: gradient check through BN in both modes, folding equivalence in both modes, and
// determinism of threaded training.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "sw/golden/float_ops.h"
#include "sw/train/train.h"
#include "tests/golden/test_networks.h"

namespace minconv::train {
using namespace golden;  // the reference types the tools build on
namespace {

std::vector<const TensorF*> pointers(const std::vector<TensorF>& v) {
  std::vector<const TensorF*> p;
  for (const TensorF& t : v) p.push_back(&t);
  return p;
}

// small_network with BN on conv1, conv2, fc1; gamma, beta and running statistics drawn at random
// (one gamma negative, to exercise a sign flip of the folded filter).
TrainNetwork bn_network(unsigned seed) {
  TrainNetwork t = with_batchnorm(testing::small_network(seed));
  std::mt19937 rng(seed + 1);
  std::uniform_real_distribution<float> g(0.5f, 1.5f), b(-0.3f, 0.3f), var(0.2f, 2.0f);
  for (BatchNorm& bn : t.bn) {
    for (std::size_t c = 0; c < bn.gamma.size(); ++c) {
      bn.gamma[c] = g(rng);
      bn.beta[c] = b(rng);
      bn.running_mean[c] = b(rng);
      bn.running_var[c] = var(rng);
    }
  }
  t.bn[0].gamma[1] = -0.8f;
  return t;
}

// Central differences against the analytic gradient of every 3rd weight and every bias, gamma and beta,
// with mu_x and mu_w held at the base point's values; parameters on kinks (one-sided differences
// disagree) are skipped, and few may be. In MinConv mode BN spreads any perturbation over the whole batch,
// so a step of h crosses many |x| = |w'| kinks (not all detected by the one-sided test): there a few
// mismatches are allowed (the MinConv gradient alone is checked strictly in train_test.cpp, BN alone in
// standard mode here).
void gradient_check(FloatMode mode) {
  const bool strict = mode == FloatMode::kStandard;
  TrainNetwork net = bn_network(71);
  const std::vector<TensorF> images = testing::random_images(net.net.input, 4, 72);
  const std::vector<int> labels = {2, 7, 5, 0};
  Gradients g;
  MinConvConstants consts;
  PassOptions base;
  base.used = &consts;
  loss_and_gradients(net, pointers(images), labels, mode, &g, base);
  PassOptions fixed;
  fixed.fixed = &consts;
  const double h = 2e-3;
  int compared = 0, skipped = 0, nonzero = 0, bn_compared = 0, mismatched = 0;
  for (std::size_t i = 0; i < net.net.layers.size(); ++i) {
    for (int which = 0; which < 4; ++which) {
      std::vector<float>* params[4] = {&net.net.layers[i].weights, &net.net.layers[i].bias, &net.bn[i].gamma,
                                       &net.bn[i].beta};
      const std::vector<float>* grads[4] = {&g.weights[i], &g.bias[i], &g.gamma[i], &g.beta[i]};
      std::vector<float>& p = *params[which];
      const std::vector<float>& a = *grads[which];
      ASSERT_EQ(a.size(), p.size()) << "layer " << i << " parameter set " << which;
      for (std::size_t j = 0; j < p.size(); j += (which == 0 ? 3 : 1)) {
        const float saved = p[j];
        auto loss_at = [&](double delta) {
          p[j] = static_cast<float>(saved + delta);
          return loss_and_gradients(net, pointers(images), labels, mode, nullptr, fixed).loss;
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
        if (which >= 2) ++bn_compared;
        if (std::fabs(a[j]) > 1e-3) ++nonzero;
        if (std::fabs(a[j] - central) > tol) ++mismatched;
        if (strict) {
          EXPECT_NEAR(a[j], central, tol) << "layer " << i << " parameter set " << which << " index " << j;
        }
      }
    }
  }
  std::printf("compared %d skipped %d mismatched %d bn %d\n", compared, skipped, mismatched, bn_compared);
  EXPECT_GT(bn_compared, 50);
  EXPECT_GT(compared, 300);
  EXPECT_GT(nonzero, compared / 5);
  EXPECT_LT(skipped, compared / (strict ? 10 : 4)) << skipped << " parameters on kinks";
  EXPECT_LT(mismatched, compared / 20) << mismatched << " of " << compared << " gradients off";
}

TEST(BatchNorm, GradientCheckStandard) { gradient_check(FloatMode::kStandard); }
TEST(BatchNorm, GradientCheckMinConv) { gradient_check(FloatMode::kMinConv); }

// The folded network (no BN) computes what the BN network computes in inference mode, in both modes, and
// the golden float forward pass of the folded network agrees.
TEST(BatchNorm, FoldingIsExactInBothModes) {
  const TrainNetwork net = bn_network(81);
  const std::vector<TensorF> images = testing::random_images(net.net.input, 12, 82);
  const std::vector<int> labels(images.size(), 0);
  const FloatNetwork folded = fold_batchnorm(net);
  ASSERT_EQ(folded.layers.size(), net.net.layers.size());
  TrainNetwork plain;
  plain.net = folded;
  for (FloatMode mode : {FloatMode::kStandard, FloatMode::kMinConv}) {
    const std::vector<double> mu_x = calibrate_mu_x(net, images);
    const std::vector<double> mu_x_folded = calibrate_mu_x(plain, images);
    for (std::size_t i = 0; i < mu_x.size(); ++i) {
      EXPECT_NEAR(mu_x[i], mu_x_folded[i], 1e-5 * (1.0 + mu_x[i])) << "layer " << i << ": the same inputs";
    }
    MinConvConstants fixed;
    fixed.mu_x = mu_x;
    PassOptions o;
    o.bn_training = false;
    o.fixed = &fixed;
    std::vector<std::vector<float>> a, b;
    o.logits = &a;
    loss_and_gradients(net, pointers(images), labels, mode, nullptr, o);
    o.logits = &b;
    loss_and_gradients(plain, pointers(images), labels, mode, nullptr, o);
    Calibration cal = calibrate(folded, images, FloatMode::kMinConv);
    double largest = 0.0;
    for (std::size_t n = 0; n < images.size(); ++n) {
      const TensorF ref =
          run_float(folded, images[n], mode, mode == FloatMode::kMinConv ? &cal : nullptr).back();
      for (std::size_t j = 0; j < a[n].size(); ++j) {
        largest = std::max(largest, std::fabs(static_cast<double>(a[n][j])));
        EXPECT_NEAR(a[n][j], b[n][j], 1e-4 * (1.0 + std::fabs(a[n][j]))) << "image " << n << " logit " << j;
        EXPECT_NEAR(b[n][j], ref.data[j], 1e-4 * (1.0 + std::fabs(b[n][j])))
            << "image " << n << " logit " << j;
      }
    }
    EXPECT_GT(largest, 0.1) << "logits too small for the comparison to mean anything";
  }
}

// Identity BN set-up leaves what the network computes (in training mode, on the set-up batch) unchanged.
TEST(BatchNorm, IdentityInitKeepsTheNetworksOutput) {
  const FloatNetwork base = testing::small_network(91);
  const std::vector<TensorF> images = testing::random_images(base.input, 16, 92);
  const std::vector<int> labels(images.size(), 0);
  for (FloatMode mode : {FloatMode::kStandard, FloatMode::kMinConv}) {
    TrainNetwork plain;
    plain.net = base;
    TrainNetwork bn = with_batchnorm(base);
    init_batchnorm_identity(bn, images, mode);
    std::vector<std::vector<float>> a, b;
    PassOptions o;
    o.logits = &a;
    loss_and_gradients(plain, pointers(images), labels, mode, nullptr, o);
    o.logits = &b;
    loss_and_gradients(bn, pointers(images), labels, mode, nullptr, o);
    for (std::size_t n = 0; n < images.size(); ++n) {
      for (std::size_t j = 0; j < a[n].size(); ++j)
        EXPECT_NEAR(a[n][j], b[n][j], 1e-3 * (1.0 + std::fabs(a[n][j])));
    }
  }
}

TEST(BatchNorm, RejectsMismatchedParameters) {
  TrainNetwork t = bn_network(95);
  t.bn[0].beta.pop_back();
  EXPECT_THROW(fold_batchnorm(t), ModelError);
  t = bn_network(95);
  t.bn.pop_back();
  EXPECT_THROW(check_batchnorm(t), ModelError);
}

// Training with BN (Adam, 2 threads) twice from the same start gives bit-identical weights.
TEST(Trainer, DeterministicForAThreadCount) {
  const std::vector<TensorF> images = testing::random_images(Shape{8, 8, 2}, 60, 101);
  std::vector<uint8_t> labels;
  for (std::size_t n = 0; n < images.size(); ++n) labels.push_back(static_cast<uint8_t>(n % 10));
  auto train = [&](FloatMode mode) {
    TrainNetwork t = with_batchnorm(testing::small_network(102));
    TrainerOptions o;
    o.batch = 16;
    o.threads = 2;
    o.schedule.epochs = 2;
    Trainer trainer(t, mode, o);
    for (int e = 0; e < 2; ++e) trainer.epoch(images, labels, e);
    return t;
  };
  const TrainNetwork start = with_batchnorm(testing::small_network(102));
  for (FloatMode mode : {FloatMode::kStandard, FloatMode::kMinConv}) {
    const TrainNetwork a = train(mode), b = train(mode);
    double moved = 0.0;
    for (std::size_t i = 0; i < a.net.layers.size(); ++i) {
      EXPECT_EQ(a.net.layers[i].weights, b.net.layers[i].weights) << "layer " << i;
      EXPECT_EQ(a.net.layers[i].bias, b.net.layers[i].bias) << "layer " << i;
      EXPECT_EQ(a.bn[i].gamma, b.bn[i].gamma) << "layer " << i;
      EXPECT_EQ(a.bn[i].running_var, b.bn[i].running_var) << "layer " << i;
      for (std::size_t j = 0; j < a.net.layers[i].weights.size(); ++j) {
        moved = std::max(moved, static_cast<double>(
                                    std::fabs(a.net.layers[i].weights[j] - start.net.layers[i].weights[j])));
      }
    }
    EXPECT_GT(moved, 1e-3) << "training did not change the weights";
  }
}

// One pass split over 2 and 3 threads gives the single-thread loss and gradients up to rounding.
TEST(Trainer, ThreadsChangeOnlyRounding) {
  const TrainNetwork net = bn_network(111);
  const std::vector<TensorF> images = testing::random_images(net.net.input, 7, 112);
  const std::vector<int> labels = {1, 2, 3, 4, 5, 6, 7};
  for (FloatMode mode : {FloatMode::kStandard, FloatMode::kMinConv}) {
    Gradients g1;
    const BatchResult r1 = loss_and_gradients(net, pointers(images), labels, mode, &g1);
    for (int threads : {2, 3}) {
      ThreadPool pool(threads);
      PassOptions o;
      o.pool = &pool;
      Gradients gt;
      const BatchResult rt = loss_and_gradients(net, pointers(images), labels, mode, &gt, o);
      EXPECT_NEAR(r1.loss, rt.loss, 1e-6);
      EXPECT_EQ(r1.correct, rt.correct);
      for (std::size_t i = 0; i < g1.weights.size(); ++i) {
        ASSERT_EQ(g1.weights[i].size(), gt.weights[i].size());
        for (std::size_t j = 0; j < g1.weights[i].size(); ++j) {
          EXPECT_NEAR(g1.weights[i][j], gt.weights[i][j], 1e-5) << "layer " << i << " threads " << threads;
        }
        for (std::size_t j = 0; j < g1.gamma[i].size(); ++j) {
          EXPECT_NEAR(g1.gamma[i][j], gt.gamma[i][j], 1e-5) << "layer " << i << " threads " << threads;
        }
      }
    }
  }
}

}  // namespace
}  // namespace minconv::train
