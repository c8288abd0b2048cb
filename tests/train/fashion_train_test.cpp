// A short training run on a few hundred Fashion-MNIST images (the installed Debian data set): the loss
// falls and the test accuracy beats chance (10%) widely, for the standard and the MinConv (BN) network.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "sw/train/datasets.h"
#include "sw/train/train.h"
#include "tests/golden/test_networks.h"

namespace minconv::train {
using namespace golden;  // the reference types the tools build on
namespace {

// 28x28x1 -> conv 5x5x6 pad 2 relu -> maxpool 2 -> maxpool 2 -> fc 10: small enough for sanitizer builds.
FloatNetwork small_lenet(unsigned seed) {
  std::mt19937 rng(seed);
  FloatNetwork net;
  net.input = Shape{28, 28, 1};
  net.layers.push_back(testing::conv_layer("conv1", 1, 6, 5, 1, 2, true, rng));
  net.layers.push_back(testing::pool_layer(LayerType::kMaxPool, "pool1", 2, 2));
  net.layers.push_back(testing::pool_layer(LayerType::kMaxPool, "pool2", 2, 2));
  net.layers.push_back(testing::fc_layer("fc1", 7 * 7 * 6, 10, false, rng));
  return net;
}

void short_run(FloatMode mode, bool bn) {
  const std::string dir = default_dataset_dir("fashion-mnist");
  if (!std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST is not installed in " << dir << " (Debian package dataset-fashion-mnist)";
  }
  const Dataset train = load_dataset("fashion-mnist", dir, Split::kTrain, 400);
  const Dataset test = load_dataset("fashion-mnist", dir, Split::kTest, 500);
  TrainNetwork net;
  net.net = small_lenet(5);
  if (bn) net = with_batchnorm(net.net);
  TrainerOptions o;
  o.batch = 20;
  o.threads = 2;
  o.schedule.lr = 3e-3;
  o.schedule.epochs = 5;
  Trainer trainer(net, mode, o);
  const EpochResult first = trainer.epoch(train.images, train.labels, 0);
  EpochResult last = first;
  for (int e = 1; e < 5; ++e) last = trainer.epoch(train.images, train.labels, e);
  const FloatNetwork folded = fold_batchnorm(net);
  const Calibration cal = calibrate(folded, train.images, mode);
  const double acc = accuracy(folded, test.images, test.labels, mode, &cal);
  EXPECT_LT(last.loss, 0.7 * first.loss) << "first epoch " << first.loss << ", last " << last.loss;
  EXPECT_GT(acc, 0.55) << "test accuracy after 5 short epochs (chance is 0.1)";
}

TEST(FashionTrain, ShortRunStandard) { short_run(FloatMode::kStandard, false); }
TEST(FashionTrain, ShortRunMinConvWithBatchNorm) { short_run(FloatMode::kMinConv, true); }

}  // namespace
}  // namespace minconv::train
