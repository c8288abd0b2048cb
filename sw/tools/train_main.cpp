// minconv-train: trains LeNet-5 (configs/workloads/lenet5.yaml) on Fashion-MNIST as a standard CNN, then
// fine-tunes a copy as a MinConvNet (transfer learning, DESIGN.md §2), quantizes both to int8 (mul and min
// PEs) and reports float and int8 test accuracy. Writes the float weights of both networks (MCNF files).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "sw/golden/network.h"
#include "sw/onnx/onnx_model.h"
#include "sw/train/float_network_file.h"
#include "sw/train/idx.h"
#include "sw/train/train.h"

namespace {

using namespace minconv::golden;
using namespace minconv::train;

FloatLayer conv(const std::string& name, int out_c, int k, int pad, bool relu) {
  FloatLayer l;
  l.type = LayerType::kConv;
  l.name = name;
  l.out_c = out_c;
  l.geometry = ConvGeometry{k, k, 1, 1, pad, pad, pad, pad};
  l.relu = relu;
  return l;
}

FloatLayer fc(const std::string& name, int out_c, bool relu) {
  FloatLayer l;
  l.type = LayerType::kFc;
  l.name = name;
  l.out_c = out_c;
  l.relu = relu;
  return l;
}

FloatLayer maxpool(const std::string& name) {
  FloatLayer l;
  l.type = LayerType::kMaxPool;
  l.name = name;
  l.k = 2;
  l.stride = 2;
  return l;
}

// The structure of configs/workloads/lenet5.yaml with He-normal weights and N(0, 0.05) biases, drawn in
// layer order from mt19937_64(seed) as platform/soc/workload.cpp does.
FloatNetwork lenet5(uint64_t seed) {
  FloatNetwork net;
  net.input = Shape{28, 28, 1};
  net.layers = {
      conv("conv1", 6, 5, 2, true), maxpool("pool1"),    conv("conv2", 16, 5, 0, true), maxpool("pool2"),
      fc("fc1", 120, true),         fc("fc2", 84, true), fc("fc3", 10, false)};
  std::mt19937_64 rng(seed);
  Shape shape = net.input;
  for (FloatLayer& l : net.layers) {
    if (l.type == LayerType::kMaxPool) {
      shape = {(shape.h - l.k) / l.stride + 1, (shape.w - l.k) / l.stride + 1, shape.c};
      continue;
    }
    const int fan_in =
        l.type == LayerType::kConv ? l.geometry.kh * l.geometry.kw * shape.c : shape.h * shape.w * shape.c;
    std::normal_distribution<float> w(0.0f, std::sqrt(2.0f / static_cast<float>(fan_in)));
    std::normal_distribution<float> b(0.0f, 0.05f);
    l.weights.resize(static_cast<std::size_t>(l.out_c) * fan_in);
    for (float& v : l.weights) v = w(rng);
    l.bias.resize(static_cast<std::size_t>(l.out_c));
    for (float& v : l.bias) v = b(rng);
    shape = l.type == LayerType::kConv ? Shape{l.geometry.out_h(shape.h), l.geometry.out_w(shape.w), l.out_c}
                                       : Shape{1, 1, l.out_c};
  }
  infer_shapes(net);
  return net;
}

double int8_accuracy(const QuantModel& model, const std::vector<TensorF>& images,
                     const std::vector<uint8_t>& labels) {
  std::size_t correct = 0;
  for (std::size_t n = 0; n < images.size(); ++n) {
    if (classify(model, quantize_input(model, images[n])) == labels[n]) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(images.size());
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void train(const char* tag, FloatNetwork& net, FloatMode mode, const SgdOptions& opt, int epochs,
           double decay, const std::vector<TensorF>& train_x, const std::vector<uint8_t>& train_y,
           const std::vector<TensorF>& test_x, const std::vector<uint8_t>& test_y) {
  SgdTrainer trainer(net, mode, opt);
  double lr = opt.lr;
  for (int e = 1; e <= epochs; ++e) {
    trainer.set_lr(lr);
    const EpochResult r = trainer.epoch(train_x, train_y);
    // Per-epoch test accuracy; MinConv uses each image's own mu_x here (no calibration yet).
    const double test = accuracy(net, test_x, test_y, mode);
    std::printf("%s epoch %d/%d: lr %.5f loss %.4f train-acc %.2f%% test-acc %.2f%% (%.1f s)\n", tag, e,
                epochs, lr, r.loss, 100.0 * r.accuracy, 100.0 * test, r.seconds);
    std::fflush(stdout);
    lr *= decay;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train LeNet-5 on Fashion-MNIST (standard, then MinConv fine-tuning) and measure accuracy"};
  std::string data = "/usr/share/datasets/fashion-mnist";
  std::string out_std = "lenet5_fashion_std.mcnf";
  std::string out_min = "lenet5_fashion_min.mcnf";
  std::string onnx_std, onnx_min;  // ONNX outputs (docs/models.md), written when named
  int epochs = 4, finetune_epochs = 3;
  double lr = 0.01, finetune_lr = 0.0005, momentum = 0.9, weight_decay = 0.0, decay = 0.7;
  int batch = 32;
  uint64_t seed = 1;
  std::size_t train_limit = 60000, calib_count = 1000;
  app.add_option("--data", data, "Directory with the Fashion-MNIST *-ubyte.gz files")->capture_default_str();
  app.add_option("--epochs", epochs, "Epochs of standard training")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--finetune-epochs", finetune_epochs, "Epochs of MinConv fine-tuning")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--lr", lr, "Learning rate of standard training")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--finetune-lr", finetune_lr, "Learning rate of MinConv fine-tuning")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--lr-decay", decay, "Learning rate factor per epoch")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--momentum", momentum, "SGD momentum")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  app.add_option("--weight-decay", weight_decay, "L2 weight decay")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--batch", batch, "Minibatch size")->capture_default_str()->check(CLI::Range(1, 65536));
  app.add_option("--seed", seed, "Seed of the initial weights and of the shuffling")->capture_default_str();
  app.add_option("--train-limit", train_limit, "Use at most this many training images")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{60000}));
  app.add_option("--calib", calib_count, "Training images used to calibrate mu_|x| and the int8 scales")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{60000}));
  app.add_option("--out-std", out_std, "Output file: float weights of the standard network")
      ->capture_default_str();
  app.add_option("--out-min", out_min, "Output file: float weights of the fine-tuned MinConv network")
      ->capture_default_str();
  app.add_option("--onnx-std", onnx_std, "Also write the standard network as ONNX (minconv.pe = mul)");
  app.add_option("--onnx-min", onnx_min,
                 "Also write the fine-tuned MinConv network as ONNX (minconv.pe = min)");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<TensorF> train_x = read_idx_images(data + "/train-images-idx3-ubyte.gz", train_limit);
    const std::vector<uint8_t> train_y = read_idx_labels(data + "/train-labels-idx1-ubyte.gz", train_limit);
    const std::vector<TensorF> test_x = read_idx_images(data + "/t10k-images-idx3-ubyte.gz");
    const std::vector<uint8_t> test_y = read_idx_labels(data + "/t10k-labels-idx1-ubyte.gz");
    const std::vector<TensorF> calib_x(
        train_x.begin(),
        train_x.begin() + static_cast<std::ptrdiff_t>(std::min(calib_count, train_x.size())));
    std::printf(
        "data: %zu training images, %zu test images, %zu calibration images (first of the training set)\n",
        train_x.size(), test_x.size(), calib_x.size());

    SgdOptions opt;
    opt.lr = lr;
    opt.momentum = momentum;
    opt.weight_decay = weight_decay;
    opt.batch = batch;
    opt.seed = seed;
    FloatNetwork std_net = lenet5(seed);
    train("standard", std_net, FloatMode::kStandard, opt, epochs, decay, train_x, train_y, test_x, test_y);
    const double acc_std = accuracy(std_net, test_x, test_y, FloatMode::kStandard);
    const Calibration cal_std_as_min = calibrate(std_net, calib_x, FloatMode::kMinConv);
    const double acc_std_as_min = accuracy(std_net, test_x, test_y, FloatMode::kMinConv, &cal_std_as_min);
    std::printf("float standard: %.2f%%; the same weights run as MinConv (no fine-tuning): %.2f%%\n",
                100.0 * acc_std, 100.0 * acc_std_as_min);
    save_float_weights(std_net, out_std);
    if (!onnx_std.empty()) minconv::onnxio::save_onnx(std_net, "mul", onnx_std);

    // Transfer learning: start from the standard weights, rescaled per filter so that the MinConv
    // activations match the standard ones (match_minconv_gains), then fine-tune in MinConv mode.
    FloatNetwork min_net = std_net;
    match_minconv_gains(std_net, min_net, calib_x);
    const Calibration cal_matched = calibrate(min_net, calib_x, FloatMode::kMinConv);
    std::printf("float MinConv after gain matching, before fine-tuning: %.2f%%\n",
                100.0 * accuracy(min_net, test_x, test_y, FloatMode::kMinConv, &cal_matched));
    opt.lr = finetune_lr;
    opt.seed = seed + 1;
    train("minconv", min_net, FloatMode::kMinConv, opt, finetune_epochs, decay, train_x, train_y, test_x,
          test_y);
    const Calibration cal_min = calibrate(min_net, calib_x, FloatMode::kMinConv);
    const double acc_min = accuracy(min_net, test_x, test_y, FloatMode::kMinConv, &cal_min);
    std::printf("float MinConv (fine-tuned, calibrated mu_x): %.2f%%\n", 100.0 * acc_min);
    save_float_weights(min_net, out_min);
    if (!onnx_min.empty()) minconv::onnxio::save_onnx(min_net, "min", onnx_min);

    const QuantModel q_mul =
        quantize(std_net, calibrate(std_net, calib_x, FloatMode::kStandard), PeKind::kMul);
    const double acc_mul = int8_accuracy(q_mul, test_x, test_y);
    const QuantModel q_min = quantize(min_net, cal_min, PeKind::kMin);
    const double acc_qmin = int8_accuracy(q_min, test_x, test_y);
    std::printf("int8 mul (standard net): %.2f%%\nint8 min (fine-tuned net): %.2f%%\n", 100.0 * acc_mul,
                100.0 * acc_qmin);
    std::printf(
        "summary: float-std %.2f%% float-min %.2f%% int8-mul %.2f%% int8-min %.2f%% (%zu test images, %.0f "
        "s)\n",
        100.0 * acc_std, 100.0 * acc_min, 100.0 * acc_mul, 100.0 * acc_qmin, test_x.size(),
        seconds_since(t0));
    std::printf("wrote %s and %s\n", out_std.c_str(), out_min.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minconv-train: %s\n", e.what());
    return 1;
  }
  return 0;
}
