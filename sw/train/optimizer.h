#pragma once
// Optimizers and learning-rate schedules for TrainNetwork.
//
// Weight decay applies to conv/fc weights only (not biases, not BN parameters).
//   SGD with momentum:  v = momentum·v - lr·(g + wd·w);  w += v
//   Adam (L2):          g' = g + wd·w; m = b1·m + (1-b1)·g'; v = b2·v + (1-b2)·g'^2;
//                       w -= lr · (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
//   AdamW (decoupled):  as Adam with g' = g, then w -= lr·wd·w
// t counts the steps from 1.
#include <string>
#include <vector>

#include "sw/train/backprop.h"
#include "sw/train/batchnorm.h"

namespace minconv::train {

enum class OptimizerKind { kSgd, kAdam, kAdamW };

struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::kAdam;
  double momentum = 0.9;  // SGD
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.0;
};

class Optimizer {
 public:
  Optimizer(const TrainNetwork& net, const OptimizerOptions& options);
  // One update of every parameter with the gradients of the loss, at learning rate lr.
  void step(TrainNetwork& net, const Gradients& g, double lr);
  long steps() const { return t_; }

 private:
  struct Slot {
    std::vector<float> m, v;
  };
  void update(std::vector<float>& p, const std::vector<float>& g, Slot& s, bool decay, double lr);

  OptimizerOptions o_;
  long t_ = 0;
  std::vector<Slot> slots_;  // weights, bias, gamma, beta of every layer, in that order
};

enum class ScheduleKind { kConstant, kCosine, kStep };

// Learning rate at a position e in training, in epochs (fractional): linear warm-up from 0 to lr over the
// first `warmup` epochs, then constant lr, cosine from lr down to lr·final_factor at `epochs`, or step:
// lr·gamma^floor((e - warmup) / step_epochs).
struct Schedule {
  ScheduleKind kind = ScheduleKind::kCosine;
  double lr = 1e-3;
  double epochs = 1.0;
  double warmup = 0.0;
  double final_factor = 0.0;  // cosine
  double step_epochs = 5.0;   // step
  double gamma = 0.1;         // step
  double at(double epoch) const;
};

OptimizerKind parse_optimizer(const std::string& s);  // "sgd" | "adam" | "adamw"; throws invalid_argument
ScheduleKind parse_schedule(const std::string& s);    // "constant" | "cosine" | "step"

}  // namespace minconv::train
