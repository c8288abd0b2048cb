// libFuzzer target: the bytes of a weight file. Each input goes to both binary parsers: the MCNF float
// weights (train::parse_float_weights into the LeNet-5 structure of configs/workloads/lenet5.yaml) and the
// MCNM quantized model (train::parse_model). Both formats end in a CRC-32 over a declared file size,
// which a mutation almost always breaks: each input is also parsed with the size field and the CRC set
// to match it, so that the fuzzer reaches the layer fields. Bad input must end in a golden::ModelError.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sw/golden/network.h"
#include "sw/train/byte_io.h"
#include "sw/train/float_network_file.h"
#include "sw/train/model_file.h"

namespace {

using minconv::golden::FloatLayer;
using minconv::golden::FloatNetwork;
using minconv::golden::LayerType;

FloatLayer conv(int out_c, int k, int pad, int in_c) {
  FloatLayer l;
  l.type = LayerType::kConv;
  l.out_c = out_c;
  l.geometry = minconv::golden::ConvGeometry{k, k, 1, 1, pad, pad, pad, pad};
  l.relu = true;
  l.weights.resize(std::size_t(out_c) * k * k * in_c);
  l.bias.resize(std::size_t(out_c));
  return l;
}

FloatLayer fc(int out_c, int in, bool relu) {
  FloatLayer l = conv(out_c, 1, 0, in);
  l.type = LayerType::kFc;
  l.relu = relu;
  return l;
}

FloatLayer maxpool() {
  FloatLayer l;
  l.type = LayerType::kMaxPool;
  l.k = 2;
  l.stride = 2;
  return l;
}

// configs/workloads/lenet5.yaml, zero weights.
FloatNetwork lenet5() {
  FloatNetwork n;
  n.input = {28, 28, 1};
  n.layers = {conv(6, 5, 2, 1),   maxpool(),         conv(16, 5, 0, 6), maxpool(),
              fc(120, 400, true), fc(84, 120, true), fc(10, 84, false)};
  minconv::golden::infer_shapes(n);
  return n;
}

void parse_both(const std::vector<uint8_t>& bytes) {
  static const FloatNetwork structure = lenet5();
  try {
    FloatNetwork net = structure;
    minconv::train::parse_float_weights(bytes, "<fuzz>", net);
    minconv::golden::infer_shapes(net);  // accepted weights leave a consistent network
  } catch (const minconv::golden::ModelError&) {
  }
  try {
    const minconv::golden::QuantModel m = minconv::train::parse_model(bytes, "<fuzz>");
    (void)minconv::train::serialize_model(m);  // an accepted model is valid and can be written back
  } catch (const minconv::golden::ModelError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  parse_both(bytes);
  if (size >= 16 && size <= UINT32_MAX) {  // magic, version, size, ..., CRC: make size and CRC agree
    for (int i = 0; i < 4; ++i) bytes[8 + i] = static_cast<uint8_t>(size >> (8 * i));
    const uint32_t crc = minconv::train::crc32_of(bytes.data(), size - 4);
    for (int i = 0; i < 4; ++i) bytes[size - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
    parse_both(bytes);
  }
  return 0;
}
