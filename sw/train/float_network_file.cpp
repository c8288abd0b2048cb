// Float weight file writer and strict reader; the layout is in float_network_file.h.
#include "sw/train/float_network_file.h"

#include "sw/train/byte_io.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

namespace minconv::train {
using namespace golden;  // the reference types this tool code builds on
namespace {

constexpr char kMagic[4] = {'M', 'C', 'N', 'F'};
constexpr std::size_t kHeaderPrefix = 12;  // magic, version, file size

bool is_conv_like(LayerType t) { return t == LayerType::kConv || t == LayerType::kFc; }

std::string layer_label(const FloatNetwork& net, std::size_t i) {
  return "layer " + std::to_string(i) + " (" + net.layers[i].name + ", " + to_string(net.layers[i].type) +
         ")";
}

// Reads n finite float32 values.
void read_floats(ByteReader& r, std::vector<float>& out, std::size_t n, const std::string& what) {
  if ((r.end() - r.pos()) / 4 < n) r.fail("file ends in the middle of " + what);
  out.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = r.f32(what);
    if (!std::isfinite(out[i])) r.fail(what + " value " + std::to_string(i) + " is not finite");
  }
}

// Reads a field and fails unless it equals the network's value.
void expect_field(ByteReader& r, const std::string& label, const char* field, int32_t expected) {
  const int32_t got = r.i32(label + " " + field);
  if (got != expected) {
    r.fail(label + ": " + field + " is " + std::to_string(got) + " in the file, " + std::to_string(expected) +
           " in the network");
  }
}

}  // namespace

std::vector<uint8_t> serialize_float_weights(const FloatNetwork& net) {
  infer_shapes(net);
  ByteWriter w;
  for (char c : kMagic) w.u8(static_cast<uint8_t>(c));
  w.u32(kFloatWeightsFormatVersion);
  w.u32(0);  // file size, patched below
  w.i32(net.input.h);
  w.i32(net.input.w);
  w.i32(net.input.c);
  w.u32(static_cast<uint32_t>(net.layers.size()));
  for (const FloatLayer& l : net.layers) {
    w.u32(static_cast<uint32_t>(l.type));
    if (!is_conv_like(l.type)) {
      w.i32(l.k);
      w.i32(l.stride);
      continue;
    }
    const ConvGeometry& g = l.geometry;
    w.i32(l.out_c);
    for (int v : {g.kh, g.kw, g.stride_h, g.stride_w, g.pad_top, g.pad_left, g.pad_bottom, g.pad_right})
      w.i32(v);
    w.u8(l.relu ? 1 : 0);
    w.u32(static_cast<uint32_t>(l.weights.size()));
    w.u32(static_cast<uint32_t>(l.bias.size()));
    for (float v : l.weights) w.f32(v);
    for (float v : l.bias) w.f32(v);
  }
  return w.finish_with_size_and_crc("save_float_weights");
}

void save_float_weights(const FloatNetwork& net, const std::string& path) {
  write_file(path, serialize_float_weights(net));
}

namespace {

// Checks magic, version, declared size and CRC; returns the declared file size.
uint32_t check_float_envelope(const std::vector<uint8_t>& bytes, const std::string& source) {
  if (bytes.size() < kHeaderPrefix + 4) {
    throw ModelError(source + ": file is truncated (" + std::to_string(bytes.size()) +
                     " bytes, too short for a float weight file)");
  }
  if (std::memcmp(bytes.data(), kMagic, 4) != 0) {
    throw ModelError(source + ": bad magic, not a float weight file (expected \"MCNF\")");
  }
  ByteReader header(bytes, bytes.size(), source);
  header.u32("magic");
  const uint32_t version = header.u32("version");
  if (version != kFloatWeightsFormatVersion) {
    throw ModelError(source + ": unsupported format version " + std::to_string(version) +
                     " (this reader reads " + std::to_string(kFloatWeightsFormatVersion) + ")");
  }
  const uint32_t size = header.u32("file size");
  if (bytes.size() < size) {
    throw ModelError(source + ": file is truncated: " + std::to_string(bytes.size()) +
                     " bytes, the header says " + std::to_string(size));
  }
  if (bytes.size() > size) {
    throw ModelError(source + ": file is oversized: " + std::to_string(bytes.size()) +
                     " bytes, the header says " + std::to_string(size));
  }
  if (size < kHeaderPrefix + 4)
    throw ModelError(source + ": file size field " + std::to_string(size) + " is too small");
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) stored |= static_cast<uint32_t>(bytes[size - 4 + i]) << (8 * i);
  if (stored != crc32_of(bytes.data(), size - 4)) {
    throw ModelError(source + ": bad checksum (CRC-32 mismatch): the file is corrupt");
  }
  return size;
}

// Reads one conv-like layer's record: its geometry must match the network's, then weights and bias.
void read_float_layer(ByteReader& r, const FloatLayer& l, const std::string& label, const Shape& in,
                      std::vector<float>& weights, std::vector<float>& bias) {
  const ConvGeometry& g = l.geometry;
  expect_field(r, label, "out_c", l.out_c);
  expect_field(r, label, "kh", g.kh);
  expect_field(r, label, "kw", g.kw);
  expect_field(r, label, "stride_h", g.stride_h);
  expect_field(r, label, "stride_w", g.stride_w);
  expect_field(r, label, "pad_top", g.pad_top);
  expect_field(r, label, "pad_left", g.pad_left);
  expect_field(r, label, "pad_bottom", g.pad_bottom);
  expect_field(r, label, "pad_right", g.pad_right);
  const uint8_t relu = r.u8(label + " relu");
  if (relu > 1 || (relu == 1) != l.relu) {
    r.fail(label + ": relu is " + std::to_string(relu) + " in the file, " + (l.relu ? "1" : "0") +
           " in the network");
  }
  const std::size_t n_w = static_cast<std::size_t>(l.out_c) * g.kh * g.kw * in.c;
  expect_field(r, label, "weight count", static_cast<int32_t>(n_w));
  expect_field(r, label, "bias count", l.out_c);
  read_floats(r, weights, n_w, label + " weights");
  read_floats(r, bias, static_cast<std::size_t>(l.out_c), label + " bias");
}

}  // namespace

void parse_float_weights(const std::vector<uint8_t>& bytes, const std::string& source, FloatNetwork& net) {
  std::vector<Shape> shapes;
  try {
    shapes = infer_shapes(net);
  } catch (const ModelError& e) {
    throw ModelError(source + ": the network to load into is inconsistent: " + e.what());
  }
  const uint32_t size = check_float_envelope(bytes, source);
  ByteReader r(bytes, size - 4, source);
  r.u32("magic");
  r.u32("version");
  r.u32("file size");
  expect_field(r, "input", "height", net.input.h);
  expect_field(r, "input", "width", net.input.w);
  expect_field(r, "input", "channels", net.input.c);
  const uint32_t count = r.u32("layer count");
  if (count != net.layers.size()) {
    r.fail("the file has " + std::to_string(count) + " layers, the network " +
           std::to_string(net.layers.size()));
  }
  std::vector<std::vector<float>> weights(net.layers.size()), bias(net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const FloatLayer& l = net.layers[i];
    const std::string label = layer_label(net, i);
    const uint32_t type = r.u32(label + " type");
    if (type != static_cast<uint32_t>(l.type)) {
      r.fail(label + ": type is " + std::to_string(type) + " in the file, " +
             std::to_string(static_cast<int>(l.type)) + " (" + to_string(l.type) + ") in the network");
    }
    if (!is_conv_like(l.type)) {
      expect_field(r, label, "k", l.k);
      expect_field(r, label, "stride", l.stride);
      continue;
    }
    read_float_layer(r, l, label, layer_input_shape(net, shapes, i), weights[i], bias[i]);
  }
  if (r.pos() != size - 4) r.fail("unexpected bytes after the last layer");
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    if (!is_conv_like(net.layers[i].type)) continue;
    net.layers[i].weights = std::move(weights[i]);
    net.layers[i].bias = std::move(bias[i]);
  }
}

void load_float_weights(const std::string& path, FloatNetwork& net) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ModelError(path + ": cannot open the float weight file");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw ModelError(path + ": read error");
  parse_float_weights(bytes, path, net);
}

}  // namespace minconv::train
