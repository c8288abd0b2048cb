// Model file writer and strict reader; the format is documented in MODEL_FORMAT.md.
#include "sw/train/model_file.h"

#include "sw/train/byte_io.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

namespace minconv::train {
using namespace golden;  // the reference types this tool code builds on
namespace {

constexpr char kMagic[4] = {'M', 'C', 'N', 'M'};
constexpr std::size_t kHeaderPrefix = 12;  // magic, version, file size
constexpr std::size_t kMaxNameLength = 255;

uint32_t encode_type(LayerType t) { return static_cast<uint32_t>(t); }

}  // namespace

std::vector<uint8_t> serialize_model(const QuantModel& model) {
  validate(model);
  ByteWriter w;
  w.raw(kMagic, 4);
  w.u32(kModelFormatVersion);
  w.u32(0);  // file size, patched below
  w.u32(model.pe == PeKind::kMin ? 0 : 1);
  w.i32(model.input.h);
  w.i32(model.input.w);
  w.i32(model.input.c);
  w.f64(model.input_scale);
  w.u32(static_cast<uint32_t>(model.layers.size()));
  for (const QuantLayer& l : model.layers) {
    w.u32(encode_type(l.type));
    if (l.name.size() > kMaxNameLength)
      throw ModelError("save_model: layer name '" + l.name + "' is too long");
    w.u32(static_cast<uint32_t>(l.name.size()));
    w.raw(l.name.data(), l.name.size());
    if (l.type == LayerType::kMaxPool || l.type == LayerType::kAvgPool) {
      w.i32(l.k);
      w.i32(l.stride);
      continue;
    }
    const ConvGeometry& g = l.geometry;
    for (int v : {g.kh, g.kw, g.stride_h, g.stride_w, g.pad_top, g.pad_left, g.pad_bottom, g.pad_right})
      w.i32(v);
    w.i32(l.in_c);
    w.i32(l.out_c);
    w.u8(l.relu ? 1 : 0);
    w.u8(l.raw_output ? 1 : 0);
    w.u16(0);
    for (int o = 0; o < l.out_c; ++o) {
      w.i32(l.post[o].bias);
      w.i32(l.post[o].multiplier);
      w.i32(l.post[o].shift);
      w.f64(l.acc_scale[o]);
    }
    w.u32(static_cast<uint32_t>(l.weights.size()));
    w.raw(l.weights.data(), l.weights.size());
  }
  return w.finish_with_size_and_crc("save_model");
}

void save_model(const QuantModel& model, const std::string& path) {
  write_file(path, serialize_model(model));
}

namespace {

// Checks magic, version, declared size and CRC; returns where the body ends (before the CRC).
std::size_t check_envelope(const std::vector<uint8_t>& bytes, const std::string& source) {
  if (bytes.size() < 4 || std::memcmp(bytes.data(), kMagic, 4) != 0) {
    throw ModelError(source + ": not a MinConv model file (magic is not \"MCNM\")");
  }
  if (bytes.size() < kHeaderPrefix + 4) {
    throw ModelError(source + ": truncated: " + std::to_string(bytes.size()) +
                     " bytes is shorter than the header");
  }
  ByteReader pre(bytes, kHeaderPrefix, source);
  pre.take(4, "magic");
  const uint32_t version = pre.u32("version");
  if (version != kModelFormatVersion) {
    throw ModelError(source + ": unsupported model format version " + std::to_string(version) +
                     " (this reader supports version " + std::to_string(kModelFormatVersion) + ")");
  }
  const uint32_t declared = pre.u32("file size");
  if (bytes.size() < declared) {
    throw ModelError(source + ": truncated: file has " + std::to_string(bytes.size()) +
                     " bytes, header says " + std::to_string(declared));
  }
  if (bytes.size() > declared) {
    throw ModelError(source + ": " + std::to_string(bytes.size() - declared) +
                     " unexpected bytes after the end of the model (header says " + std::to_string(declared) +
                     " bytes)");
  }
  if (declared < kHeaderPrefix + 4) throw ModelError(source + ": header declares an impossible file size");
  const std::size_t body_end = bytes.size() - 4;
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) stored |= static_cast<uint32_t>(bytes[body_end + i]) << (8 * i);
  const uint32_t actual = crc32_of(bytes.data(), body_end);
  if (stored != actual) {
    throw ModelError(source + ": checksum mismatch (stored CRC32 " + std::to_string(stored) + ", computed " +
                     std::to_string(actual) + "): the file is corrupted");
  }
  return body_end;
}

void read_input(ByteReader& r, QuantModel& m) {
  const uint32_t pe = r.u32("PE kind");
  if (pe > 1) r.fail("unknown PE kind " + std::to_string(pe) + " (0 = min, 1 = mul)");
  m.pe = pe == 0 ? PeKind::kMin : PeKind::kMul;
  m.input.h = r.i32("input height");
  m.input.w = r.i32("input width");
  m.input.c = r.i32("input channels");
  if (m.input.h < 1 || m.input.w < 1 || m.input.c < 1)
    r.fail("input shape " + to_string(m.input) + " is empty");
  m.input_scale = r.f64("input scale");
  if (!(m.input_scale > 0.0) || !std::isfinite(m.input_scale)) r.fail("input scale must be finite and > 0");
}

void read_geometry(ByteReader& r, QuantLayer& l, const std::string& at) {
  ConvGeometry& g = l.geometry;
  for (int* v :
       {&g.kh, &g.kw, &g.stride_h, &g.stride_w, &g.pad_top, &g.pad_left, &g.pad_bottom, &g.pad_right}) {
    *v = r.i32("geometry");
  }
  if (g.kh < 1 || g.kw < 1 || g.stride_h < 1 || g.stride_w < 1)
    r.fail(at + "kernel and strides must be >= 1");
  if (g.pad_top < 0 || g.pad_left < 0 || g.pad_bottom < 0 || g.pad_right < 0) r.fail(at + "negative padding");
  l.in_c = r.i32("in_c");
  l.out_c = r.i32("out_c");
  if (l.in_c < 1 || l.out_c < 1) {
    r.fail(at + "in_c " + std::to_string(l.in_c) + " / out_c " + std::to_string(l.out_c) + " must be >= 1");
  }
  const uint8_t relu = r.u8("relu flag");
  const uint8_t raw = r.u8("raw output flag");
  const uint16_t reserved = r.u16("reserved");
  if (relu > 1 || raw > 1 || reserved != 0) r.fail(at + "flags must be 0 or 1 and the reserved field 0");
  l.relu = relu == 1;
  l.raw_output = raw == 1;
}

void read_post_scales(ByteReader& r, QuantLayer& l, const std::string& at) {
  if (static_cast<uint64_t>(l.out_c) * 20 > r.end() - r.pos()) {
    r.fail(at + "out_c " + std::to_string(l.out_c) + " exceeds the file size");
  }
  for (int o = 0; o < l.out_c; ++o) {
    PostScale p;
    p.bias = r.i32("bias");
    p.multiplier = r.i32("multiplier");
    p.shift = r.i32("shift");
    if (p.multiplier < 0 || p.shift < 1 || p.shift > 62) {
      r.fail(at + "channel " + std::to_string(o) + " has multiplier " + std::to_string(p.multiplier) +
             " and shift " + std::to_string(p.shift) + " (need 0 <= multiplier < 2^31, 1 <= shift <= 62)");
    }
    l.post.push_back(p);
    const double s = r.f64("accumulator scale");
    if (!(s > 0.0) || !std::isfinite(s)) {
      r.fail(at + "channel " + std::to_string(o) + " has an accumulator scale that is not finite and > 0");
    }
    l.acc_scale.push_back(s);
  }
}

void read_weights(ByteReader& r, QuantLayer& l, const std::string& at) {
  const ConvGeometry& g = l.geometry;
  const uint32_t wcount = r.u32("weight count");
  const uint64_t expected = static_cast<uint64_t>(l.out_c) * g.kh * g.kw * l.in_c;
  if (wcount != expected) {
    r.fail(at + "weight count " + std::to_string(wcount) +
           " does not match out_c x kh x kw x in_c = " + std::to_string(expected));
  }
  const uint8_t* wp = r.take(wcount, "weights");
  l.weights.resize(wcount);
  std::memcpy(l.weights.data(), wp, wcount);
  for (int8_t v : l.weights) {
    if (v == -128) r.fail(at + "weight value -128 is not allowed (symmetric int8, range ±127)");
  }
}

QuantLayer read_layer(ByteReader& r, uint32_t index) {
  const std::string at = "layer " + std::to_string(index) + ": ";
  QuantLayer l;
  const uint32_t type = r.u32("layer type");
  if (type > encode_type(LayerType::kAvgPool)) {
    r.fail(at + "unknown layer type " + std::to_string(type) + " (0 conv, 1 fc, 2 maxpool, 3 avgpool)");
  }
  l.type = static_cast<LayerType>(type);
  const uint32_t name_len = r.u32("layer name length");
  if (name_len > kMaxNameLength) r.fail(at + "name length " + std::to_string(name_len) + " exceeds 255");
  const uint8_t* name = r.take(name_len, "layer name");
  l.name.assign(reinterpret_cast<const char*>(name), name_len);
  if (l.type == LayerType::kMaxPool || l.type == LayerType::kAvgPool) {
    l.k = r.i32("pool size");
    l.stride = r.i32("pool stride");
    if (l.k < 1 || l.stride < 1) r.fail(at + "pool size and stride must be >= 1");
    return l;
  }
  read_geometry(r, l, at);
  read_post_scales(r, l, at);
  read_weights(r, l, at);
  return l;
}

}  // namespace

QuantModel parse_model(const std::vector<uint8_t>& bytes, const std::string& source) {
  const std::size_t body_end = check_envelope(bytes, source);
  ByteReader r(bytes, body_end, source);
  r.take(kHeaderPrefix, "header");
  QuantModel m;
  read_input(r, m);
  const uint32_t count = r.u32("layer count");
  if (count == 0) r.fail("model has no layers");
  if (count > (r.end() - r.pos()) / 12)
    r.fail("layer count " + std::to_string(count) + " exceeds the file size");
  for (uint32_t i = 0; i < count; ++i) m.layers.push_back(read_layer(r, i));
  if (r.pos() != r.end()) {
    r.fail(std::to_string(r.end() - r.pos()) + " unexpected bytes after the last layer");
  }
  try {
    validate(m);
  } catch (const ModelError& e) {
    throw ModelError(source + ": " + e.what());
  }
  return m;
}

QuantModel load_model(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ModelError(path + ": cannot open model file");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw ModelError(path + ": read error");
  return parse_model(bytes, path);
}

}  // namespace minconv::train
