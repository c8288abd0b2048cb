#pragma once
// Batch normalisation for training, and its folding into the per-channel weights and bias.
//
// A conv/fc layer with BN computes, per output channel o, z_o = (conv or MinConv term) + b_o, then
//   y_o = gamma_o · (z_o - mean_o) / sqrt(var_o + eps) + beta_o     (then ReLU if the layer has one)
// with the batch's mean/var over all images and positions while training, the running averages at
// inference. Folding: a_o = gamma_o / sqrt(running_var_o + eps), w_o <- a_o · w_o,
// b_o <- a_o · (b_o - running_mean_o) + beta_o. This is exact in both modes: scaling filter o by any
// a != 0 scales its MinConv term by exactly a (w' = (mu_x/mu_w)·clip(w, ±2 mu_w) only flips sign with a,
// and mu_w scales by |a|), and a = 0 gives a zero filter, whose MinConv term is 0. So the folded network
// has the accelerator's structure and no BN.
#include <vector>

#include "sw/golden/network.h"

namespace minconv::train {

constexpr double kBnEps = 1e-5;

// Per-channel BN of one conv/fc layer; all vectors out_c long, or all empty (no BN on this layer).
struct BatchNorm {
  std::vector<float> gamma, beta, running_mean, running_var;
  bool enabled() const { return !gamma.empty(); }
};

// A float network plus optional BN after the pre-activation of each conv/fc layer.
struct TrainNetwork {
  golden::FloatNetwork net;
  std::vector<BatchNorm> bn;  // empty (no BN anywhere) or one entry per layer
  bool has_bn() const;
};

// The network with identity BN (gamma 1, beta 0, mean 0, var 1) after every conv/fc layer but the last.
TrainNetwork with_batchnorm(golden::FloatNetwork net);
// The network without BN, for inference: BN folded into weights and bias as above.
golden::FloatNetwork fold_batchnorm(const TrainNetwork& t);

// Throws golden::ModelError unless bn is empty or has one entry per layer, each empty or out_c long
// (and empty on pools).
void check_batchnorm(const TrainNetwork& t);

}  // namespace minconv::train
