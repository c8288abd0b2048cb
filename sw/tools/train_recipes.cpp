#include "sw/tools/train_recipes.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include "sw/onnx/onnx_model.h"
#include "sw/train/float_network_file.h"
#include "sw/train/init.h"

namespace minconv::tools {
using golden::FloatMode;
using golden::FloatNetwork;
using golden::LayerType;
using golden::TensorF;
using train::TrainNetwork;

namespace {

golden::FloatLayer layer(LayerType type, const std::string& name, int out_c, int k, int pad, bool relu) {
  golden::FloatLayer l;
  l.type = type;
  l.name = name;
  if (type == LayerType::kMaxPool) {
    l.k = 2;
    l.stride = 2;
    return l;
  }
  l.out_c = out_c;
  l.relu = relu;
  if (type == LayerType::kConv) l.geometry = golden::ConvGeometry{k, k, 1, 1, pad, pad, pad, pad};
  return l;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string clock_string(double s) {
  char buf[32];
  const long v = std::lround(s);
  std::snprintf(buf, sizeof buf, "%ldm%02lds", v / 60, v % 60);
  return buf;
}

// Progress of one training phase: a redrawn status line on a terminal, a plain line every ~10 s
// otherwise, nothing with --quiet.
class Reporter {
 public:
  Reporter(const char* tag, int epochs, bool quiet)
      : tag_(tag), epochs_(epochs), quiet_(quiet), tty_(isatty(fileno(stdout)) != 0) {}
  void batch(int epoch, const train::Progress& p) {
    if (quiet_) return;
    const double rate = p.seconds > 0.0 ? static_cast<double>(p.done) / p.seconds : 0.0;
    const double epoch_left = rate > 0.0 ? static_cast<double>(p.total - p.done) / rate : 0.0;
    const double per_epoch = rate > 0.0 ? static_cast<double>(p.total) / rate : 0.0;
    const double left = epoch_left + per_epoch * (epochs_ - epoch - 1);
    if (!tty_ && seconds_since(last_) < 10.0) return;
    last_ = std::chrono::steady_clock::now();
    std::printf("%s%s epoch %d/%d %5.1f%% loss %.4f acc %.2f%% lr %.2e %.0f img/s left %s%s",
                tty_ ? "\r" : "", tag_, epoch + 1, epochs_,
                100.0 * static_cast<double>(p.done) / static_cast<double>(p.total), p.loss,
                100.0 * p.accuracy, p.lr, rate, clock_string(left).c_str(), tty_ ? "   " : "\n");
    std::fflush(stdout);
  }
  void epoch(int epoch, const train::EpochResult& r, double test_acc) {
    if (quiet_) return;
    std::printf("%s%s epoch %d/%d: loss %.4f train-acc %.2f%% test-acc %.2f%% (%.1f s, %.0f img/s)\n",
                tty_ ? "\r" : "", tag_, epoch + 1, epochs_, r.loss, 100.0 * r.accuracy, 100.0 * test_acc,
                r.seconds, r.seconds > 0.0 ? rate_images_ / r.seconds : 0.0);
    std::fflush(stdout);
  }
  void set_images(std::size_t n) { rate_images_ = static_cast<double>(n); }

 private:
  const char* tag_;
  int epochs_;
  bool quiet_, tty_;
  double rate_images_ = 0.0;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Test accuracy of a network as inference computes it: MinConv with mu_x calibrated on the calibration
// images.
double test_accuracy(const TrainNetwork& net, FloatMode mode, const Data& d, train::ThreadPool* pool) {
  if (mode == FloatMode::kStandard)
    return train::evaluate(net, d.test_x, d.test_y, mode, nullptr, pool).accuracy;
  const std::vector<double> mu_x = train::calibrate_mu_x(net, d.calib_x, pool);
  return train::evaluate(net, d.test_x, d.test_y, mode, &mu_x, pool).accuracy;
}

struct Phase {
  double seconds = 0.0;  // training only (no evaluation)
  int epochs = 0;
};

Phase train_phase(const char* tag, TrainNetwork& net, FloatMode mode, const RecipeOptions& o, int epochs,
                  uint64_t seed, const Data& d) {
  train::TrainerOptions to = o.trainer;
  to.seed = seed;
  to.schedule.epochs = epochs;
  train::Trainer trainer(net, mode, to);
  Reporter rep(tag, epochs, o.quiet);
  rep.set_images(d.train_x.size());
  Phase ph;
  ph.epochs = epochs;
  for (int e = 0; e < epochs; ++e) {
    const auto t0 = std::chrono::steady_clock::now();
    if (mode == FloatMode::kMinConv && o.mu_x == "epoch") {
      trainer.set_fixed_mu_x(train::calibrate_mu_x(net, d.calib_x, &trainer.pool()));
    }
    const train::EpochResult r =
        trainer.epoch(d.train_x, d.train_y, e, [&](const train::Progress& p) { rep.batch(e, p); });
    ph.seconds += seconds_since(t0);
    rep.epoch(e, r, test_accuracy(net, mode, d, &trainer.pool()));
  }
  return ph;
}

double int8_accuracy(const FloatNetwork& net, FloatMode mode, const Data& d, train::ThreadPool& pool) {
  const golden::Calibration cal = golden::calibrate(net, d.calib_x, mode);
  const golden::QuantModel q =
      golden::quantize(net, cal, mode == FloatMode::kMinConv ? golden::PeKind::kMin : golden::PeKind::kMul);
  std::vector<std::size_t> correct(static_cast<std::size_t>(pool.size()), 0);
  pool.run([&](int t) {
    const std::size_t n = d.test_x.size();
    for (std::size_t i = train::part_begin(n, t, pool.size()); i < train::part_begin(n, t + 1, pool.size());
         ++i) {
      if (golden::classify(q, golden::quantize_input(q, d.test_x[i])) == d.test_y[i]) ++correct[t];
    }
  });
  std::size_t c = 0;
  for (std::size_t v : correct) c += v;
  return static_cast<double>(c) / static_cast<double>(d.test_x.size());
}

// Folds BN, saves, and prints float (golden-calibrated mu_x for MinConv) and int8 golden accuracy.
void finish(const char* recipe, const TrainNetwork& net, FloatMode mode, const RecipeOptions& o,
            const Data& d, const Phase& ph, const std::string& path) {
  const FloatNetwork folded = train::fold_batchnorm(net);
  train::ThreadPool pool(o.trainer.threads);
  TrainNetwork plain;
  plain.net = folded;
  double acc = 0.0;
  if (mode == FloatMode::kMinConv) {
    const golden::Calibration cal = golden::calibrate(folded, d.calib_x, mode);
    std::vector<double> mu_x;
    for (const golden::LayerStats& s : cal.layers) mu_x.push_back(s.mean_abs_in);
    acc = train::evaluate(plain, d.test_x, d.test_y, mode, &mu_x, &pool).accuracy;
  } else {
    acc = train::evaluate(plain, d.test_x, d.test_y, mode, nullptr, &pool).accuracy;
  }
  const double acc8 = int8_accuracy(folded, mode, d, pool);
  if (!path.empty()) train::save_float_weights(folded, path);
  if (!path.empty() && path == o.out && !o.onnx.empty()) {
    onnxio::save_onnx(folded, mode == FloatMode::kMinConv ? "min" : "mul", o.onnx);
  }
  std::printf(
      "result: dataset %s recipe %s bn %s epochs %d train-time %.1f s (%.1f s/epoch, %d threads) float "
      "%.2f%% "
      "int8-%s %.2f%% (%zu test images)%s%s\n",
      o.dataset.c_str(), recipe, o.bn ? "yes" : "no", ph.epochs, ph.seconds,
      ph.epochs > 0 ? ph.seconds / ph.epochs : 0.0, o.trainer.threads, 100.0 * acc,
      mode == FloatMode::kMinConv ? "min" : "mul", 100.0 * acc8, d.test_x.size(), path.empty() ? "" : " -> ",
      path.c_str());
  std::fflush(stdout);
}

TrainNetwork initial(const FloatNetwork& net, bool bn) {
  if (bn) return train::with_batchnorm(net);
  TrainNetwork t;
  t.net = net;
  return t;
}

int default_epochs(const RecipeOptions& o) {
  if (o.epochs > 0) return o.epochs;
  return o.recipe == Recipe::kTransfer ? 10 : 15;
}

}  // namespace

FloatNetwork lenet5(uint64_t seed) {
  FloatNetwork net;
  net.input = golden::Shape{28, 28, 1};
  net.layers = {
      layer(LayerType::kConv, "conv1", 6, 5, 2, true),  layer(LayerType::kMaxPool, "pool1", 0, 0, 0, false),
      layer(LayerType::kConv, "conv2", 16, 5, 0, true), layer(LayerType::kMaxPool, "pool2", 0, 0, 0, false),
      layer(LayerType::kFc, "fc1", 120, 0, 0, true),    layer(LayerType::kFc, "fc2", 84, 0, 0, true),
      layer(LayerType::kFc, "fc3", 10, 0, 0, false)};
  train::init_he_normal(net, seed);  // sizes and draws every conv/fc layer
  return net;
}

int run_recipe(const RecipeOptions& o, const Data& d) {
  const int epochs = default_epochs(o);
  if (o.recipe == Recipe::kStandard) {
    TrainNetwork net = initial(lenet5(o.seed), o.bn);
    const Phase ph = train_phase("standard", net, FloatMode::kStandard, o, epochs, o.seed, d);
    finish("standard", net, FloatMode::kStandard, o, d, ph, o.out);
    return 0;
  }
  if (o.recipe == Recipe::kMinConv) {
    FloatNetwork init = lenet5(o.seed);
    // Without BN the MinConv signal shrinks several-fold per layer from a He init; match the gains of the
    // (untrained) standard network so that it reaches the logits. With BN, BN does that.
    if (!o.bn && o.gain_match) train::match_minconv_gains(lenet5(o.seed), init, d.calib_x);
    TrainNetwork net = initial(init, o.bn);
    const Phase ph = train_phase("minconv", net, FloatMode::kMinConv, o, epochs, o.seed, d);
    finish("minconv", net, FloatMode::kMinConv, o, d, ph, o.out);
    return 0;
  }
  FloatNetwork std_net = lenet5(o.seed);
  if (!o.from.empty()) {
    train::load_float_weights(o.from, std_net);
    std::printf("standard network: %s\n", o.from.c_str());
  } else {
    RecipeOptions so = o;
    so.epochs = o.std_epochs;
    TrainNetwork net = initial(std_net, o.bn);
    const Phase ph = train_phase("standard", net, FloatMode::kStandard, so, o.std_epochs, o.seed, d);
    finish("standard", net, FloatMode::kStandard, so, d, ph, o.out_std);
    std_net = train::fold_batchnorm(net);
  }
  train::ThreadPool pool(o.trainer.threads);
  FloatNetwork min_init = std_net;
  if (o.gain_match) train::match_minconv_gains(std_net, min_init, d.calib_x);
  TrainNetwork net = initial(min_init, o.bn);
  if (o.bn) train::init_batchnorm_identity(net, d.calib_x, FloatMode::kMinConv, &pool);
  std::printf("MinConv from the standard weights%s, before fine-tuning: %.2f%% (float, calibrated mu_x)\n",
              o.gain_match ? " after gain matching" : "",
              100.0 * test_accuracy(net, FloatMode::kMinConv, d, &pool));
  const Phase ph = train_phase("transfer", net, FloatMode::kMinConv, o, epochs, o.seed + 1, d);
  finish("transfer", net, FloatMode::kMinConv, o, d, ph, o.out);
  return 0;
}

}  // namespace minconv::tools
