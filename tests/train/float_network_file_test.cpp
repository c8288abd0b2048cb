// Float weight file (MCNF): round trip and every rejection path of the loader.
#include "sw/train/float_network_file.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include "tests/golden/test_networks.h"

namespace minconv::train {
using namespace golden;  // the reference types the tools build on
namespace {

// Offsets in the file of small_network() (see float_network_file.h).
constexpr std::size_t kOffVersion = 4;
constexpr std::size_t kOffLayerCount = 24;
constexpr std::size_t kOffConv1OutC = 28 + 4;                  // after the type
constexpr std::size_t kOffConv1Relu = kOffConv1OutC + 4 + 32;  // after out_c and geometry
constexpr std::size_t kOffConv1Weights = kOffConv1Relu + 1 + 8;

class FloatWeightsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    net = testing::small_network(3);
    path = ::testing::TempDir() + "float_weights_test_" + std::to_string(::getpid()) + ".mcnf";
    save_float_weights(net, path);
    bytes = read(path);
  }
  void TearDown() override { std::remove(path.c_str()); }

  static std::vector<uint8_t> read(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
  void write(const std::vector<uint8_t>& b) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  static void put32(std::vector<uint8_t>& b, std::size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[off + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  static void fix_crc(std::vector<uint8_t>& b) {
    put32(b, b.size() - 4, static_cast<uint32_t>(crc32(0L, b.data(), static_cast<uInt>(b.size() - 4))));
  }
  // Loads into `target` (a fresh random network of the same structure unless given) and returns the
  // ModelError message ("" if it loaded); checks that a failed load leaves the target unchanged.
  std::string load_error(FloatNetwork target) {
    const FloatNetwork before = target;
    try {
      load_float_weights(path, target);
    } catch (const ModelError& e) {
      for (std::size_t i = 0; i < target.layers.size(); ++i) {
        EXPECT_EQ(target.layers[i].weights, before.layers[i].weights) << "layer " << i << " changed";
        EXPECT_EQ(target.layers[i].bias, before.layers[i].bias) << "layer " << i << " changed";
      }
      return e.what();
    }
    return "";
  }
  void expect_error(const std::vector<uint8_t>& b, const std::string& fragment,
                    const FloatNetwork& target = testing::small_network(99)) {
    write(b);
    const std::string msg = load_error(target);
    EXPECT_NE(msg.find(fragment), std::string::npos) << "message: " << msg;
    EXPECT_NE(msg.find(path), std::string::npos) << "message does not name the file: " << msg;
  }

  FloatNetwork net;
  std::string path;
  std::vector<uint8_t> bytes;
};

TEST_F(FloatWeightsFile, RoundTrip) {
  ASSERT_GT(bytes.size(), kOffConv1Weights);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "MCNF");
  ASSERT_EQ(bytes[kOffConv1OutC], 8);  // the offsets used below point where they should
  ASSERT_EQ(bytes[kOffConv1Relu], 1);
  FloatNetwork other = testing::small_network(99);
  ASSERT_NE(other.layers[0].weights, net.layers[0].weights);
  load_float_weights(path, other);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    EXPECT_EQ(other.layers[i].weights, net.layers[i].weights) << "layer " << i;
    EXPECT_EQ(other.layers[i].bias, net.layers[i].bias) << "layer " << i;
  }
  EXPECT_EQ(serialize_float_weights(other), bytes);
}

TEST_F(FloatWeightsFile, RejectsBadMagic) {
  std::vector<uint8_t> b = bytes;
  b[3] = 'M';
  expect_error(b, "bad magic");
}

TEST_F(FloatWeightsFile, RejectsUnsupportedVersion) {
  std::vector<uint8_t> b = bytes;
  put32(b, kOffVersion, 2);
  fix_crc(b);
  expect_error(b, "unsupported format version 2");
}

TEST_F(FloatWeightsFile, RejectsTruncatedFile) {
  expect_error(std::vector<uint8_t>(bytes.begin(), bytes.end() - 7), "truncated");
  expect_error(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 10), "truncated");
}

TEST_F(FloatWeightsFile, RejectsOversizedFile) {
  std::vector<uint8_t> b = bytes;
  b.push_back(0);
  expect_error(b, "oversized");
}

TEST_F(FloatWeightsFile, RejectsBadChecksum) {
  std::vector<uint8_t> b = bytes;
  b[kOffConv1Weights + 2] ^= 0x10;  // a weight bit
  expect_error(b, "bad checksum");
}

TEST_F(FloatWeightsFile, RejectsLayerCountMismatch) {
  FloatNetwork shorter = testing::small_network(99);
  shorter.layers.pop_back();
  shorter.layers.back().relu = false;
  expect_error(bytes, "the file has 6 layers, the network 5", shorter);
}

TEST_F(FloatWeightsFile, RejectsStructureMismatch) {
  {
    FloatNetwork t = testing::small_network(99);
    t.layers[2].relu = false;
    expect_error(bytes, "layer 2 (conv2, conv): relu", t);
  }
  {
    FloatNetwork t = testing::small_network(99);
    t.layers[1].type = LayerType::kAvgPool;
    expect_error(bytes, "layer 1 (pool1, avgpool): type", t);
  }
  {
    FloatNetwork t = testing::small_network(99);
    t.layers[3].stride = 1;  // avgpool 2 over 2x2: still 1x1 with stride 1
    expect_error(bytes, "layer 3 (pool2, avgpool): stride is 2 in the file, 1 in the network", t);
  }
  {
    FloatNetwork t = testing::small_network(99);
    t.input.c = 3;
    t.layers[0].weights.assign(8u * 3 * 3 * 3, 0.1f);
    expect_error(bytes, "input: channels is 2 in the file, 3 in the network", t);
  }
}

TEST_F(FloatWeightsFile, RejectsOutCAndGeometryMismatchWithValidChecksum) {
  std::vector<uint8_t> b = bytes;
  put32(b, kOffConv1OutC, 9);
  fix_crc(b);
  expect_error(b, "layer 0 (conv1, conv): out_c is 9 in the file, 8 in the network");
  b = bytes;
  put32(b, kOffConv1OutC + 4, 5);  // kh
  fix_crc(b);
  expect_error(b, "kh is 5 in the file, 3 in the network");
  b = bytes;
  put32(b, kOffLayerCount, 7);
  fix_crc(b);
  expect_error(b, "the file has 7 layers");
}

TEST_F(FloatWeightsFile, RejectsNonFiniteValues) {
  std::vector<uint8_t> b = bytes;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  uint32_t bits = 0;
  std::memcpy(&bits, &nan, sizeof bits);
  put32(b, kOffConv1Weights + 4, bits);
  fix_crc(b);
  expect_error(b, "not finite");
}

TEST_F(FloatWeightsFile, RejectsInconsistentTargetNetwork) {
  FloatNetwork t = testing::small_network(99);
  t.layers[4].weights.pop_back();
  expect_error(bytes, "the network to load into is inconsistent", t);
}

TEST_F(FloatWeightsFile, RejectsMissingFile) {
  FloatNetwork t = testing::small_network(99);
  EXPECT_THROW(load_float_weights(path + ".missing", t), ModelError);
}

}  // namespace
}  // namespace minconv::train
