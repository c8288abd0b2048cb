// The calibration cache: an entry gives back exactly what calibrate() computes; an entry that is corrupt,
// truncated or for another key is ignored, the calibration computed again (the same result) and the entry
// replaced; the key covers the weights, the images and the float mode.
#include "platform/soc/calibration_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/golden/test_networks.h"

namespace minconv::platform {
namespace {

using golden::Calibration;
using golden::FloatMode;

void expect_same(const Calibration& a, const Calibration& b) {
  ASSERT_EQ(a.layers.size(), b.layers.size());
  EXPECT_EQ(a.mode, b.mode);
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    EXPECT_EQ(a.layers[i].mean_abs_in, b.layers[i].mean_abs_in) << i;
    EXPECT_EQ(a.layers[i].max_abs_in, b.layers[i].max_abs_in) << i;
    EXPECT_EQ(a.layers[i].mean_abs_out, b.layers[i].mean_abs_out) << i;
    EXPECT_EQ(a.layers[i].max_abs_out, b.layers[i].max_abs_out) << i;
  }
  EXPECT_EQ(a.output_min, b.output_min);
  EXPECT_EQ(a.output_max, b.output_max);
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

class CalibrationCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = ::testing::TempDir() + "/calibration_cache_" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir);
  }
  golden::FloatNetwork net = golden::testing::small_network(3);
  std::vector<golden::TensorF> images = golden::testing::random_images(net.input, 12, 4);
  std::string dir;
};

TEST_F(CalibrationCacheTest, AnEntryGivesBackWhatCalibrateComputes) {
  const CalibrationCache cache(dir);
  for (const FloatMode mode : {FloatMode::kMinConv, FloatMode::kStandard}) {
    const Calibration want = golden::calibrate(net, images, mode);
    bool hit = true;
    expect_same(calibrate_cached(cache, net, images, mode, 2, &hit), want);
    EXPECT_FALSE(hit);
    expect_same(calibrate_cached(cache, net, images, mode, 1, &hit), want);
    EXPECT_TRUE(hit);
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()),
            2);
}

TEST_F(CalibrationCacheTest, CorruptTruncatedOrForeignEntriesAreRecomputed) {
  const CalibrationCache cache(dir);
  const FloatMode mode = FloatMode::kMinConv;
  const Calibration want = golden::calibrate(net, images, mode);
  calibrate_cached(cache, net, images, mode, 1);
  const std::string path = cache.path(calibration_key(net, images, mode));
  const std::vector<uint8_t> good = read_bytes(path);
  // Another key's valid entry, for the standard mode of the same network.
  calibrate_cached(cache, net, images, FloatMode::kStandard, 1);
  const std::vector<uint8_t> foreign =
      read_bytes(cache.path(calibration_key(net, images, FloatMode::kStandard)));

  std::vector<std::vector<uint8_t>> bad;
  for (const std::size_t at :
       {std::size_t{0}, std::size_t{9}, std::size_t{40}, good.size() / 2, good.size() - 1}) {
    std::vector<uint8_t> b = good;
    b[at] ^= 0x10;  // magic, key, statistics, checksum
    bad.push_back(b);
  }
  bad.emplace_back(good.begin(), good.end() - 8);  // truncated
  bad.push_back(good);
  bad.back().push_back(0);  // trailing byte
  bad.push_back(foreign);
  bad.emplace_back();  // empty file
  for (std::size_t i = 0; i < bad.size(); ++i) {
    write_bytes(path, bad[i]);
    bool hit = true;
    expect_same(calibrate_cached(cache, net, images, mode, 1, &hit), want);
    EXPECT_FALSE(hit) << "corruption " << i;
    EXPECT_EQ(read_bytes(path), good) << "corruption " << i << ": the entry is written again";
  }
}

TEST_F(CalibrationCacheTest, TheKeyCoversWeightsImagesAndMode) {
  const CalibrationKey key = calibration_key(net, images, FloatMode::kMinConv);
  EXPECT_FALSE(calibration_key(net, images, FloatMode::kStandard) == key);
  golden::FloatNetwork other = net;
  other.layers[2].weights[5] = std::nextafter(other.layers[2].weights[5], 1.0f);
  EXPECT_FALSE(calibration_key(other, images, FloatMode::kMinConv) == key);
  other = net;
  other.layers[4].bias[0] += 1.0f;
  EXPECT_FALSE(calibration_key(other, images, FloatMode::kMinConv) == key);
  std::vector<golden::TensorF> more = images;
  more.back().data[3] = std::nextafter(more.back().data[3], 2.0f);
  EXPECT_FALSE(calibration_key(net, more, FloatMode::kMinConv) == key);
  more = images;
  more.pop_back();
  EXPECT_FALSE(calibration_key(net, more, FloatMode::kMinConv) == key);
  EXPECT_TRUE(calibration_key(golden::testing::small_network(3), images, FloatMode::kMinConv) == key);
}

TEST_F(CalibrationCacheTest, ADisabledCacheWritesNothing) {
  const CalibrationCache cache("");
  bool hit = true;
  expect_same(calibrate_cached(cache, net, images, FloatMode::kMinConv, 1, &hit),
              golden::calibrate(net, images, FloatMode::kMinConv));
  EXPECT_FALSE(hit);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace minconv::platform
