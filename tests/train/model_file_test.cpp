// Model file: round trip and every rejection path of the loader.
#include "sw/train/model_file.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/golden/test_networks.h"

namespace minconv::train {
using namespace golden;  // the reference types the tools build on
namespace {

// Byte offsets in the file of small_network(): see MODEL_FORMAT.md.
constexpr std::size_t kOffVersion = 4;
constexpr std::size_t kOffLayer0 = 40;                  // type of layer 0 ("conv1", 5-byte name)
constexpr std::size_t kOffConv1OutC = 40 + 8 + 5 + 36;  // after type, name length, name, 8 geometry, in_c
constexpr std::size_t kOffConv1Post = kOffConv1OutC + 4 + 4;  // after out_c and flags
constexpr std::size_t kOffConv1WeightCount = kOffConv1Post + 8 * 20;

class ModelFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const FloatNetwork net = testing::small_network(5);
    model = quantize(net, calibrate(net, testing::random_images(net.input, 20, 6), FloatMode::kMinConv),
                     PeKind::kMin);
    path = ::testing::TempDir() + "model_file_test_" + std::to_string(::getpid()) + ".mcnm";
    save_model(model, path);
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
  // Rewrites the trailing CRC so that only the field check can reject the file.
  static void fix_crc(std::vector<uint8_t>& b) {
    put32(b, b.size() - 4, static_cast<uint32_t>(crc32(0L, b.data(), static_cast<uInt>(b.size() - 4))));
  }
  // Loads the file and returns the ModelError message ("" if it loaded).
  std::string load_error() {
    try {
      load_model(path);
    } catch (const ModelError& e) {
      return e.what();
    }
    return "";
  }
  void expect_error(const std::vector<uint8_t>& b, const std::string& fragment) {
    write(b);
    const std::string msg = load_error();
    EXPECT_NE(msg.find(fragment), std::string::npos) << "message: " << msg;
    EXPECT_NE(msg.find(path), std::string::npos) << "message does not name the file: " << msg;
  }

  QuantModel model;
  std::string path;
  std::vector<uint8_t> bytes;
};

TEST_F(ModelFile, RoundTrip) {
  ASSERT_GE(bytes.size(), 44u);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "MCNM");
  ASSERT_EQ(bytes[kOffLayer0], 0);  // the offsets used below point where they should
  ASSERT_EQ(bytes[kOffConv1OutC], 8);
  ASSERT_EQ(bytes[kOffConv1WeightCount], 8 * 3 * 3 * 2);
  const QuantModel back = load_model(path);
  EXPECT_EQ(back.pe, model.pe);
  EXPECT_EQ(back.input, model.input);
  EXPECT_EQ(back.input_scale, model.input_scale);
  ASSERT_EQ(back.layers.size(), model.layers.size());
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const QuantLayer& a = model.layers[i];
    const QuantLayer& b = back.layers[i];
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.in_c, b.in_c);
    EXPECT_EQ(a.out_c, b.out_c);
    EXPECT_EQ(a.weights, b.weights);
    EXPECT_EQ(a.acc_scale, b.acc_scale);
    EXPECT_EQ(a.relu, b.relu);
    EXPECT_EQ(a.raw_output, b.raw_output);
    EXPECT_EQ(a.k, b.k);
    EXPECT_EQ(a.stride, b.stride);
    EXPECT_EQ(a.geometry.kh, b.geometry.kh);
    EXPECT_EQ(a.geometry.pad_bottom, b.geometry.pad_bottom);
    ASSERT_EQ(a.post.size(), b.post.size());
    for (std::size_t o = 0; o < a.post.size(); ++o) {
      EXPECT_EQ(a.post[o].bias, b.post[o].bias);
      EXPECT_EQ(a.post[o].multiplier, b.post[o].multiplier);
      EXPECT_EQ(a.post[o].shift, b.post[o].shift);
    }
  }
  const Tensor8 in = quantize_input(model, testing::random_images(model.input, 1, 9)[0]);
  EXPECT_EQ(run_int8(model, in).back().raw.data, run_int8(back, in).back().raw.data);
  EXPECT_EQ(serialize_model(back), bytes);
}

TEST_F(ModelFile, Truncated) {
  for (std::size_t keep : {bytes.size() - 1, bytes.size() / 2, std::size_t{14}}) {
    expect_error(std::vector<uint8_t>(bytes.begin(), bytes.begin() + keep), "truncated");
  }
  expect_error(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 3), "magic");
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  expect_error(longer, "unexpected bytes");
}

TEST_F(ModelFile, FlippedByteFailsTheChecksum) {
  for (std::size_t off : {std::size_t{20}, kOffConv1Post + 2, bytes.size() - 10, bytes.size() - 2}) {
    std::vector<uint8_t> b = bytes;
    b[off] ^= 0x10;
    expect_error(b, "checksum");
  }
}

TEST_F(ModelFile, BadMagicAndVersion) {
  std::vector<uint8_t> b = bytes;
  b[0] = 'X';
  expect_error(b, "magic");
  b = bytes;
  put32(b, kOffVersion, 2);
  expect_error(b, "unsupported model format version 2");
  b = bytes;
  put32(b, kOffVersion, 0);
  expect_error(b, "version 0");
}

TEST_F(ModelFile, ImpossibleFieldsWithAValidChecksum) {
  std::vector<uint8_t> b = bytes;
  put32(b, kOffLayer0, 7);
  fix_crc(b);
  expect_error(b, "unknown layer type 7");

  b = bytes;
  put32(b, kOffConv1OutC, 0);
  fix_crc(b);
  expect_error(b, "must be >= 1");

  b = bytes;
  put32(b, kOffConv1WeightCount, 143);
  fix_crc(b);
  expect_error(b, "weight count 143");

  b = bytes;
  put32(b, kOffConv1Post + 4, 0x80000000u);  // multiplier of channel 0 negative
  fix_crc(b);
  expect_error(b, "multiplier");

  b = bytes;
  put32(b, kOffConv1Post + 8, 63);  // shift of channel 0
  fix_crc(b);
  expect_error(b, "shift 63");

  b = bytes;
  put32(b, kOffConv1Post + 8, 0);
  fix_crc(b);
  expect_error(b, "shift 0");

  b = bytes;
  put32(b, 36, 0);  // layer count
  fix_crc(b);
  expect_error(b, "no layers");

  b = bytes;
  put32(b, 16, 0);  // input height
  fix_crc(b);
  expect_error(b, "empty");

  b = bytes;
  b[kOffConv1OutC + 5] = 1;  // raw-output flag on the first layer
  fix_crc(b);
  expect_error(b, "only the last layer may have raw int32 output");

  b = bytes;
  b[kOffConv1OutC + 4] = 2;  // relu flag neither 0 nor 1
  fix_crc(b);
  expect_error(b, "flags must be 0 or 1");

  b = bytes;
  b[kOffConv1WeightCount + 4] = 0x80;  // weight -128
  fix_crc(b);
  expect_error(b, "-128");
}

TEST_F(ModelFile, MissingFileAndInvalidModel) {
  const std::string missing = path + ".does-not-exist";
  try {
    load_model(missing);
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos);
  }
  QuantModel bad = model;
  bad.layers[0].weights.pop_back();
  EXPECT_THROW(save_model(bad, path), ModelError);
}

}  // namespace
}  // namespace minconv::train
