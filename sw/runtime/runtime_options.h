#pragma once
// The runtime's optional behaviours, each a switch so that what it buys can be measured (the SoC YAML's
// `runtime:` section sets them: platform/soc/soc_config.h, docs/runtime.md).
#include <cstdint>

namespace minconv::sw {

// What the runtime may do beyond running each layer as it stands.
struct RuntimeOptions {
  // A conv layer followed by a pool of non-overlapping k x k windows (k <= the MAX_POOL capability) pools
  // in the accelerator's output path: only the pooled tensor is written to DRAM.
  bool fuse_pooling = true;
  // Tile planner: cut a layer into at least this many tiles (BufferHalves::min_tiles).
  uint32_t min_tiles = 2;
  // Load the next layer's first weight chunk during a layer's last tile (LayerRun, NextWeights).
  bool prefetch_weights = true;
  // Tile planner: consider input-channel slices and other tile sizes, keep the cost model's fastest
  // (BufferHalves::split_reduction).
  bool split_reduction = true;
  // Output reuse: a layer's int8 output that the next layer reads as one whole input block stays in the
  // accelerator's input buffer (drained there instead of to DRAM) and is never loaded again.
  bool reuse_outputs = true;
  // Weight sharing: in a stream of images (--batch N), when every conv/fc layer's weights are one load and
  // all of them fit the weight buffer together, each layer's weights get their own place there and are
  // loaded by the stream's first image only.
  bool share_weights = true;
};

}  // namespace minconv::sw
