// Writes the generated seeds of the fuzz corpora (the copied ones come from configs/ and tests/data/, see
// CMakeLists.txt). Usage: make_seeds CORPUS_DIR REPO_DIR
//   weights/  MCNM models: LeNet-5 quantized from configs/models/lenet5_fashion_min.mcnf, and a tiny one
//   idx/      small IDX images and labels files, plain and gzip
//   workload/ configs/workloads/lenet5.yaml with random images, a NUL and lenet5_fashion_min.mcnf
#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "sw/golden/network.h"
#include "sw/train/float_network_file.h"
#include "sw/train/model_file.h"

namespace {

using namespace minconv;

std::vector<uint8_t> read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error(path + ": cannot write");
}

std::vector<uint8_t> gzip(const std::vector<uint8_t>& in) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::vector<uint8_t> out(deflateBound(&z, in.size()) + 32);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  return out;
}

void be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::vector<uint8_t> idx(uint32_t magic, const std::vector<uint32_t>& dims) {
  std::vector<uint8_t> b;
  be32(b, magic);
  uint32_t n = 1;
  for (uint32_t d : dims) {
    be32(b, d);
    n *= d;
  }
  for (uint32_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(i * 37 + 5));
  return b;
}

std::vector<golden::TensorF> random_images(const golden::Shape& s, int n) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<golden::TensorF> v;
  for (int i = 0; i < n; ++i) {
    golden::TensorF t(s.h, s.w, s.c);
    for (float& x : t.data) x = u(rng);
    v.push_back(std::move(t));
  }
  return v;
}

golden::QuantModel quantized(const golden::FloatNetwork& net, golden::PeKind pe) {
  const golden::FloatMode mode =
      pe == golden::PeKind::kMin ? golden::FloatMode::kMinConv : golden::FloatMode::kStandard;
  return golden::quantize(net, golden::calibrate(net, random_images(net.input, 4), mode), pe);
}

golden::FloatNetwork lenet5() {
  golden::FloatNetwork n;
  n.input = {28, 28, 1};
  const auto layer = [](golden::LayerType t, int out_c, int k, int pad, int in, bool relu) {
    golden::FloatLayer l;
    l.type = t;
    l.out_c = out_c;
    l.relu = relu;
    l.geometry = golden::ConvGeometry{k, k, 1, 1, pad, pad, pad, pad};
    l.weights.resize(std::size_t(out_c) * k * k * in);
    l.bias.resize(std::size_t(out_c));
    return l;
  };
  golden::FloatLayer pool;
  pool.type = golden::LayerType::kMaxPool;
  pool.k = pool.stride = 2;
  n.layers = {
      layer(golden::LayerType::kConv, 6, 5, 2, 1, true),   pool,
      layer(golden::LayerType::kConv, 16, 5, 0, 6, true),  pool,
      layer(golden::LayerType::kFc, 120, 1, 0, 400, true), layer(golden::LayerType::kFc, 84, 1, 0, 120, true),
      layer(golden::LayerType::kFc, 10, 1, 0, 84, false)};
  return n;
}

// 4x4x1 -> conv 3x3 (2 channels) -> avgpool 2 -> fc 3: every layer kind in a few hundred bytes.
golden::FloatNetwork tiny() {
  golden::FloatNetwork n;
  n.input = {4, 4, 1};
  golden::FloatLayer c;
  c.type = golden::LayerType::kConv;
  c.out_c = 2;
  c.relu = true;
  c.geometry = golden::ConvGeometry{3, 3, 1, 1, 1, 1, 1, 1};
  c.weights = {0.5f, -0.25f, 0.125f, 1, -1, 0.5f, 0.25f, 0, -0.5f, 1, 1, 1, -1, -1, -1, 0.5f, 0.5f, 0.5f};
  c.bias = {0.1f, -0.1f};
  golden::FloatLayer p;
  p.type = golden::LayerType::kAvgPool;
  p.k = p.stride = 2;
  golden::FloatLayer f;
  f.type = golden::LayerType::kFc;
  f.out_c = 3;
  for (int i = 0; i < 3 * 8; ++i) f.weights.push_back(0.1f * float(i % 7) - 0.3f);
  f.bias = {0, 0.5f, -0.5f};
  n.layers = {c, p, f};
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_seeds CORPUS_DIR REPO_DIR\n";
    return 2;
  }
  const std::string out = argv[1], repo = argv[2];
  try {
    golden::FloatNetwork net = lenet5();
    train::load_float_weights(repo + "/configs/models/lenet5_fashion_min.mcnf", net);
    write(out + "/weights/lenet5_min.mcnm", train::serialize_model(quantized(net, golden::PeKind::kMin)));
    write(out + "/weights/tiny_mul.mcnm", train::serialize_model(quantized(tiny(), golden::PeKind::kMul)));
    write(out + "/weights/tiny_min.mcnm", train::serialize_model(quantized(tiny(), golden::PeKind::kMin)));

    const std::vector<uint8_t> images = idx(0x803, {3, 4, 5}), labels = idx(0x801, {3});
    write(out + "/idx/images", images);
    write(out + "/idx/labels", labels);
    write(out + "/idx/images.gz", gzip(images));
    write(out + "/idx/labels.gz", gzip(labels));

    std::vector<uint8_t> yaml = read(repo + "/configs/workloads/lenet5.yaml");
    std::string text(yaml.begin(), yaml.end());
    const std::string from = "source: fashion-mnist";
    text.replace(text.find(from), from.size(), "source: random");
    std::vector<uint8_t> seed(text.begin(), text.end());
    seed.push_back(0);
    const std::vector<uint8_t> weights = read(repo + "/configs/models/lenet5_fashion_min.mcnf");
    seed.insert(seed.end(), weights.begin(), weights.end());
    write(out + "/workload/lenet5_random_with_weights", seed);
  } catch (const std::exception& e) {
    std::cerr << "make_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
