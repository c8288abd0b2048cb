// Optimizers and learning-rate schedules against values worked out by hand.
#include "sw/train/optimizer.h"
#include "sw/train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace minconv::train {
namespace {

// One fc layer 1 -> 1: weight w (decayed), bias b (never decayed).
TrainNetwork one_weight() {
  TrainNetwork t;
  t.net.input = golden::Shape{1, 1, 1};
  golden::FloatLayer l;
  l.type = golden::LayerType::kFc;
  l.out_c = 1;
  l.weights = {1.0f};
  l.bias = {1.0f};
  t.net.layers.push_back(l);
  return t;
}

Gradients grad(float g) {
  Gradients gr;
  gr.weights = {{g}};
  gr.bias = {{g}};
  gr.gamma = {{}};
  gr.beta = {{}};
  return gr;
}

// Two steps with gradients 0.5 then -1.0, lr 0.1, b1 0.9, b2 0.999, eps 1e-8:
//   t=1: m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25: w = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.900000002
//   t=2: m = 0.045 - 0.1 = -0.055, v = 0.00024975 + 0.001 = 0.00124975, m^ = -0.055 / 0.19,
//        v^ = 0.00124975 / 0.001999: w = 0.9 + 0.1 * 0.2894737 / 0.7906880 = 0.93661035
TEST(Optimizer, AdamTwoStepsByHand) {
  TrainNetwork t = one_weight();
  OptimizerOptions o;
  o.kind = OptimizerKind::kAdam;
  Optimizer opt(t, o);
  opt.step(t, grad(0.5f), 0.1);
  EXPECT_NEAR(t.net.layers[0].weights[0], 0.900000002, 1e-6);
  opt.step(t, grad(-1.0f), 0.1);
  EXPECT_NEAR(t.net.layers[0].weights[0], 0.93661035, 1e-6);
  EXPECT_NEAR(t.net.layers[0].bias[0], 0.93661035, 1e-6);  // no decay: the same path
  EXPECT_EQ(opt.steps(), 2);
}

// Weight decay 0.1: Adam adds 0.1 w to the gradient (g = 0.6, then -1.0 + 0.09); AdamW shrinks w by
// lr·wd·w = 1% before each Adam step. Biases are never decayed.
TEST(Optimizer, AdamL2AndAdamWDecayByHand) {
  for (OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kAdamW}) {
    TrainNetwork t = one_weight();
    OptimizerOptions o;
    o.kind = kind;
    o.weight_decay = 0.1;
    Optimizer opt(t, o);
    opt.step(t, grad(0.5f), 0.1);
    opt.step(t, grad(-1.0f), 0.1);
    EXPECT_NEAR(t.net.layers[0].weights[0], kind == OptimizerKind::kAdam ? 0.92526352 : 0.91771035, 1e-6);
    EXPECT_NEAR(t.net.layers[0].bias[0], 0.93661035, 1e-6);
  }
}

// SGD, momentum 0.9, lr 0.1, wd 0.1: v1 = -0.1 (0.5 + 0.1) = -0.06, w1 = 0.94;
// v2 = 0.9 (-0.06) - 0.1 (-1 + 0.094) = -0.054 + 0.0906 = 0.0366, w2 = 0.9766.
TEST(Optimizer, SgdMomentumByHand) {
  TrainNetwork t = one_weight();
  OptimizerOptions o;
  o.kind = OptimizerKind::kSgd;
  o.weight_decay = 0.1;
  Optimizer opt(t, o);
  opt.step(t, grad(0.5f), 0.1);
  EXPECT_NEAR(t.net.layers[0].weights[0], 0.94, 1e-6);
  opt.step(t, grad(-1.0f), 0.1);
  EXPECT_NEAR(t.net.layers[0].weights[0], 0.9766, 1e-6);
  EXPECT_NEAR(t.net.layers[0].bias[0], 0.95 + (0.9 * -0.05 - 0.1 * -1.0), 1e-6);  // 1.005
}

TEST(Optimizer, RejectsMismatchedGradients) {
  TrainNetwork t = one_weight();
  Optimizer opt(t, OptimizerOptions{});
  Gradients g = grad(1.0f);
  g.weights[0].push_back(1.0f);
  EXPECT_THROW(opt.step(t, g, 0.1), std::invalid_argument);
}

TEST(Schedule, WarmupCosineAndStep) {
  Schedule s;
  s.kind = ScheduleKind::kCosine;
  s.lr = 1.0;
  s.epochs = 11.0;
  s.warmup = 1.0;
  s.final_factor = 0.1;
  EXPECT_NEAR(s.at(0.0), 0.0, 1e-6);
  EXPECT_NEAR(s.at(0.5), 0.5, 1e-6);
  EXPECT_NEAR(s.at(1.0), 1.0, 1e-12);
  EXPECT_NEAR(s.at(6.0), 0.55, 1e-12);  // half way: 0.1 + 0.9 * 0.5
  EXPECT_NEAR(s.at(11.0), 0.1, 1e-12);
  s.kind = ScheduleKind::kStep;
  s.step_epochs = 4.0;
  s.gamma = 0.5;
  EXPECT_NEAR(s.at(4.9), 1.0, 1e-12);
  EXPECT_NEAR(s.at(5.0), 0.5, 1e-12);
  EXPECT_NEAR(s.at(9.5), 0.25, 1e-12);
  s.kind = ScheduleKind::kConstant;
  EXPECT_NEAR(s.at(10.0), 1.0, 1e-12);
  EXPECT_EQ(parse_schedule("step"), ScheduleKind::kStep);
  EXPECT_EQ(parse_optimizer("adamw"), OptimizerKind::kAdamW);
  EXPECT_THROW(parse_optimizer("lion"), std::invalid_argument);
  EXPECT_THROW(parse_schedule("linear"), std::invalid_argument);
}

}  // namespace
}  // namespace minconv::train

namespace minconv::train {
namespace {

// Augmentation by translation: x moved down by 1 and left by 1, zero fill.
TEST(Augment, ShiftImageMovesAndZeroFills) {
  golden::TensorF x(3, 3, 2);
  for (std::size_t j = 0; j < x.data.size(); ++j) x.data[j] = static_cast<float>(j + 1);
  const golden::TensorF y = shift_image(x, 1, -1);
  for (int r = 0; r < 3; ++r) {
    for (int q = 0; q < 3; ++q) {
      for (int c = 0; c < 2; ++c) {
        const float want = (r - 1 < 0 || q + 1 > 2) ? 0.0f : x.at(r - 1, q + 1, c);
        EXPECT_EQ(y.at(r, q, c), want) << r << "," << q << "," << c;
      }
    }
  }
  EXPECT_EQ(shift_image(x, 0, 0).data, x.data);
}

}  // namespace
}  // namespace minconv::train
