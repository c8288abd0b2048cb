#pragma once
// Float weights and biases of a FloatNetwork ("MCNF" files). The file holds the numbers and enough of the
// structure to check that they belong to the network they are loaded into; the structure itself comes
// from elsewhere (a workload YAML, a tool). Layout (all little endian):
//
//   offset 0      4 bytes  magic "MCNF"
//          4      u32      format version (1)
//          8      u32      total file size in bytes, including the CRC
//          12     i32 x3   input height, width, channels
//          24     u32      layer count
//          28     ...      layers:
//                            u32 type (0 conv, 1 fc, 2 maxpool, 3 avgpool)
//                            pools:     i32 k, i32 stride
//                            conv / fc: i32 out_c, i32 x8 geometry (kh, kw, stride_h, stride_w, pad_top,
//                                       pad_left, pad_bottom, pad_right), u8 relu,
//                                       u32 weight count, u32 bias count (= out_c),
//                                       f32 weights (out_c x kh x kw x in_c), f32 bias (IEEE-754 bit
//                                       patterns)
//          size - 4 u32      CRC-32 (zlib crc32) of bytes [0, size - 4)
#include <cstdint>
#include <string>
#include <vector>

#include "sw/golden/network.h"

namespace minconv::train {

constexpr uint32_t kFloatWeightsFormatVersion = 1;

// Serializes the weights and biases of `net` (checked with infer_shapes first). Throws ModelError on an
// inconsistent network or an I/O error.
std::vector<uint8_t> serialize_float_weights(const golden::FloatNetwork& net);
void save_float_weights(const golden::FloatNetwork& net, const std::string& path);

// Fills the weights and biases of `net`, whose structure must match the file's: input shape, layer count,
// and per layer type, out_c, geometry, relu, k, stride and weight count. Throws ModelError naming `source`
// (the file) and the problem: bad magic, unsupported version, truncated or oversized file, bad checksum,
// structure mismatch (naming the layer), non-finite values. On error `net` is left unchanged.
void parse_float_weights(const std::vector<uint8_t>& bytes, const std::string& source,
                         golden::FloatNetwork& net);
void load_float_weights(const std::string& path, golden::FloatNetwork& net);

}  // namespace minconv::train
