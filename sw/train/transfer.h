#pragma once
// Transfer learning from a trained standard network to a MinConvNet (DESIGN.md §2).
#include <vector>

#include "sw/golden/network.h"
#include "sw/train/batchnorm.h"
#include "sw/train/thread_pool.h"

namespace minconv::train {

// Starting point for MinConv fine-tuning (transfer learning). The MinConv operator tracks the product
// closely in shape (correlation ~0.8-0.95 per layer) but not in scale: its outputs are several times
// smaller, and over a deep network the signal sinks below the transferred biases. Scaling filter o by g
// scales its MinConv output by exactly g (w' = s·clip(w) is invariant, mu_w,o scales by g), so this fits,
// layer by layer and per output channel, y_ref ≈ g_o · m_o + c_o by least squares over `images`, where
// y_ref is the reference network's (standard mode) pre-activation and m_o the MinConv output (no bias) of
// `net` on its own MinConv-path input (mu_x = mean over the images), then sets w_o *= g_o, b_o = c_o.
// Channels with no usable fit (g_o <= 0 or constant m_o) keep their weights and the reference bias.
// `net` must have the structure of `reference` (usually it is a copy). Throws ModelError otherwise.
void match_minconv_gains(const golden::FloatNetwork& reference, golden::FloatNetwork& net,
                         const std::vector<golden::TensorF>& images);

// Sets every enabled BN of `net` so that, on `images` as one batch, it is the identity: gamma =
// sqrt(var + eps), beta = mean (and the running statistics to the batch ones), layer by layer. Used to add
// BN to a trained network without changing what it computes, before fine-tuning with BN.
void init_batchnorm_identity(TrainNetwork& net, const std::vector<golden::TensorF>& images,
                             golden::FloatMode mode, ThreadPool* pool = nullptr);

}  // namespace minconv::train
