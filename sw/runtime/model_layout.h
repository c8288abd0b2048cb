#pragma once
// Where a quantized model lives in DRAM. The loader (platform side) places the blobs there and the runtime
// (software side) finds them there: both compute the layout with this one function.
#include <cstdint>
#include <vector>

#include "sw/golden/network.h"

namespace minconv::sw {

struct ModelLayout {
  uint32_t input = 0;                  // input tensor, int8 HWC
  std::vector<uint32_t> weights;       // per layer: int8 weights out_c x kh x kw x in_c (0 for pools)
  std::vector<uint32_t> post;          // per layer: out_c post-scale records of 12 bytes (0 for pools)
  std::vector<uint32_t> outputs;       // per layer: the output tensor (int8, or int32 for a raw layer)
  std::vector<uint32_t> output_bytes;  // per layer
  uint32_t scratch = 0;                // DMA descriptors
  uint32_t second_input = 0;           // batch streaming: a second input slot (0: none), after the rest
  uint32_t end = 0;                    // first byte after the layout
};

constexpr uint32_t kScratchBytes = 4096;

// Lays the model out from `base`; throws golden::ModelError if it does not fit in `size` bytes. With
// `second_input` (batch streaming: the next image is placed while the current one runs), a second input slot
// follows everything else, so that the rest of the layout is the same with or without it.
ModelLayout plan_layout(const golden::QuantModel& model, uint32_t base, uint32_t size,
                        bool second_input = false);
// The post-scale records of a conv/fc layer as little-endian bytes (the accelerator's layout).
std::vector<uint8_t> post_scale_bytes(const golden::QuantLayer& layer);

}  // namespace minconv::sw
