#pragma once
// Initial weights of a network, in one place for every tool that needs them (the platform's random-weight
// workloads and minconv-train): He-normal weights N(0, 2 / fan_in) and N(0, 0.05) biases, drawn layer by
// layer (weights, then biases) from mt19937_64(seed).
#include <cstdint>

#include "sw/golden/network.h"

namespace minconv::train {

// Sizes and fills the weights and biases of every conv/fc layer of `net` from its structure (the input
// shape, the layers' kinds, out_c, geometry, k and stride), then checks it with golden::infer_shapes.
// Deterministic for a seed.
void init_he_normal(golden::FloatNetwork& net, uint64_t seed);

}  // namespace minconv::train
