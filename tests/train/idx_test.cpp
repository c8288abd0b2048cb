// IDX reader: small files written by the test (plain and gzip), errors, and the real dataset if installed.
#include "sw/train/idx.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace minconv::train {
using namespace golden;  // the reference types the tools build on
namespace {

void be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::vector<uint8_t> images_file(uint32_t count, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> b;
  be32(b, 0x803);
  be32(b, count);
  be32(b, rows);
  be32(b, cols);
  for (uint32_t i = 0; i < count * rows * cols; ++i) b.push_back(static_cast<uint8_t>(i * 37 + 5));
  return b;
}

std::vector<uint8_t> labels_file(const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> b;
  be32(b, 0x801);
  be32(b, static_cast<uint32_t>(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

class Idx : public ::testing::Test {
 protected:
  std::string file(const std::string& name) {
    const std::string p = ::testing::TempDir() + "idx_test_" + std::to_string(::getpid()) + "_" + name;
    files_.push_back(p);
    return p;
  }
  std::string plain(const std::string& name, const std::vector<uint8_t>& b) {
    const std::string p = file(name);
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return p;
  }
  std::string gz(const std::string& name, const std::vector<uint8_t>& b) {
    const std::string p = file(name);
    gzFile f = gzopen(p.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    EXPECT_EQ(gzwrite(f, b.data(), static_cast<unsigned>(b.size())), static_cast<int>(b.size()));
    gzclose(f);
    return p;
  }
  void TearDown() override {
    for (const std::string& p : files_) std::remove(p.c_str());
  }
  template <typename F>
  static std::string error_of(F f) {
    try {
      f();
    } catch (const DatasetError& e) {
      return e.what();
    }
    return "";
  }

 private:
  std::vector<std::string> files_;
};

TEST_F(Idx, ImagesRoundTripPlainAndGzip) {
  const std::vector<uint8_t> b = images_file(3, 4, 5);
  for (const std::string& p : {plain("img", b), gz("img.gz", b)}) {
    const std::vector<TensorF> imgs = read_idx_images(p);
    ASSERT_EQ(imgs.size(), 3u);
    for (std::size_t n = 0; n < 3; ++n) {
      ASSERT_EQ(imgs[n].h, 4);
      ASSERT_EQ(imgs[n].w, 5);
      ASSERT_EQ(imgs[n].c, 1);
      for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 5; ++x) {
          const uint8_t raw = b[16 + n * 20 + y * 5 + x];
          ASSERT_FLOAT_EQ(imgs[n].at(y, x, 0), raw / 255.0f);
        }
    }
    EXPECT_EQ(read_idx_images(p, 2).size(), 2u);
  }
}

TEST_F(Idx, LabelsRoundTrip) {
  const std::vector<uint8_t> labels = {9, 0, 3, 7, 1};
  EXPECT_EQ(read_idx_labels(plain("lab", labels_file(labels))), labels);
  EXPECT_EQ(read_idx_labels(gz("lab.gz", labels_file(labels)), 3), (std::vector<uint8_t>{9, 0, 3}));
}

// The bytes entry points (used by fuzz_idx) parse like the path API and name their source in errors.
TEST_F(Idx, BytesEntryPoints) {
  const std::vector<uint8_t> b = images_file(3, 4, 5);
  const std::vector<TensorF> imgs = parse_idx_images(b, "mem", 2);
  ASSERT_EQ(imgs.size(), 2u);
  EXPECT_EQ(imgs[1].data, read_idx_images(plain("img", b))[1].data);
  EXPECT_EQ(parse_idx_labels(labels_file({4, 2, 8}), "mem"), (std::vector<uint8_t>{4, 2, 8}));
  EXPECT_NE(error_of([&] { parse_idx_labels(b, "mem"); }).find("mem: not an IDX labels file"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              parse_idx_images(std::vector<uint8_t>(b.begin(), b.end() - 1), "mem");
            }).find("mem: truncated"),
            std::string::npos);
}

TEST_F(Idx, Errors) {
  const std::vector<uint8_t> img = images_file(2, 3, 3);
  const std::vector<uint8_t> lab = labels_file({1, 2});
  // Labels read as images and vice versa: wrong magic.
  EXPECT_NE(error_of([&] { read_idx_images(plain("l1", lab)); }).find("magic 0x00000801"), std::string::npos);
  EXPECT_NE(error_of([&] { read_idx_labels(plain("i1", img)); }).find("magic 0x00000803"), std::string::npos);
  // Truncated payload, truncated header, empty file.
  const std::string cut = plain("cut", std::vector<uint8_t>(img.begin(), img.end() - 1));
  const std::string msg = error_of([&] { read_idx_images(cut); });
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  EXPECT_NE(msg.find(cut), std::string::npos) << msg;
  EXPECT_NE(error_of([&] {
              read_idx_images(plain("hdr", std::vector<uint8_t>(img.begin(), img.begin() + 10)));
            }).find("truncated"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_idx_labels(plain("empty", {})); }).find("truncated"), std::string::npos);
  // Trailing bytes.
  std::vector<uint8_t> longer = lab;
  longer.push_back(4);
  EXPECT_NE(error_of([&] { read_idx_labels(plain("long", longer)); }).find("unexpected bytes"),
            std::string::npos);
  // A cut gzip stream.
  const std::string full = gz("full.gz", images_file(50, 28, 28));
  std::ifstream f(full, std::ios::binary);
  std::vector<uint8_t> zipped((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  zipped.resize(zipped.size() / 2);
  EXPECT_NE(error_of([&] { read_idx_images(plain("cut.gz", zipped)); }), "");
  // Zero-sized images and a missing file.
  EXPECT_NE(error_of([&] { read_idx_images(plain("zero", images_file(1, 0, 3))); }).find("image size"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_idx_images(file("missing")); }).find("cannot open"), std::string::npos);
}

TEST(IdxFashionMnist, RealTestSetIfInstalled) {
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  const std::string images = dir + "t10k-images-idx3-ubyte.gz";
  const std::string labels = dir + "t10k-labels-idx1-ubyte.gz";
  if (!std::ifstream(images) || !std::ifstream(labels)) GTEST_SKIP() << "dataset-fashion-mnist not installed";
  const std::vector<TensorF> imgs = read_idx_images(images);
  const std::vector<uint8_t> labs = read_idx_labels(labels);
  ASSERT_EQ(imgs.size(), 10000u);
  ASSERT_EQ(labs.size(), 10000u);
  EXPECT_EQ(imgs[0].h, 28);
  EXPECT_EQ(imgs[0].w, 28);
  std::vector<int> per_class(10, 0);
  for (uint8_t l : labs) {
    ASSERT_LT(l, 10);
    ++per_class[l];
  }
  for (int c : per_class) EXPECT_EQ(c, 1000);  // the test set is balanced
  float lo = 1, hi = 0;
  for (float v : imgs[0].data) lo = std::min(lo, v), hi = std::max(hi, v);
  EXPECT_GE(lo, 0.0f);
  EXPECT_LE(hi, 1.0f);
  EXPECT_GT(hi, 0.5f);
}

}  // namespace
}  // namespace minconv::train
