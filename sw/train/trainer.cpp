#include "sw/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <stdexcept>
#include <string>

namespace minconv::train {
using golden::FloatMode;
using golden::TensorF;

Trainer::Trainer(TrainNetwork& net, FloatMode mode, const TrainerOptions& options)
    : net_(net),
      mode_(mode),
      options_(options),
      pool_(std::make_unique<ThreadPool>(options.threads)),
      optimizer_(net, options.optimizer),
      rng_(options.seed) {
  golden::infer_shapes(net_.net);
  check_batchnorm(net_);
  if (options_.batch < 1) throw std::invalid_argument("Trainer: batch must be >= 1");
}

BatchResult Trainer::step(const std::vector<const TensorF*>& images, const std::vector<int>& labels,
                          double lr) {
  PassOptions o;
  o.pool = pool_.get();
  o.fixed = fixed_.mu_x.empty() ? nullptr : &fixed_;
  o.mu_w_gradient = options_.mu_w_gradient;
  BnBatchStats stats;
  o.bn_stats = &stats;
  const BatchResult r = loss_and_gradients(net_, images, labels, mode_, &grads_, o);
  optimizer_.step(net_, grads_, lr);
  const float m = static_cast<float>(options_.bn_momentum);
  for (std::size_t i = 0; i < stats.mean.size(); ++i) {
    if (stats.mean[i].empty()) continue;
    BatchNorm& bn = net_.bn[i];
    const double count = static_cast<double>(stats.count[i]);
    const double unbias = count > 1.0 ? count / (count - 1.0) : 1.0;
    for (std::size_t o2 = 0; o2 < bn.running_mean.size(); ++o2) {
      bn.running_mean[o2] = (1.0f - m) * bn.running_mean[o2] + m * static_cast<float>(stats.mean[i][o2]);
      bn.running_var[o2] =
          (1.0f - m) * bn.running_var[o2] + m * static_cast<float>(stats.var[i][o2] * unbias);
    }
  }
  return r;
}

EpochResult Trainer::epoch(const std::vector<TensorF>& images, const std::vector<uint8_t>& labels,
                           int epoch_index, const ProgressFn& progress) {
  if (images.size() != labels.size() || images.empty()) {
    throw std::invalid_argument("Trainer::epoch: need as many labels as images, and at least one image");
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::size_t> order(images.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::shuffle(order.begin(), order.end(), rng_);
  double loss_sum = 0.0;
  std::size_t correct = 0;
  std::vector<const TensorF*> batch;
  std::vector<int> batch_labels;
  std::vector<TensorF> shifted;
  const std::size_t bs = static_cast<std::size_t>(options_.batch);
  const std::size_t batches = (order.size() + bs - 1) / bs;
  Progress p;
  p.total = order.size();
  for (std::size_t b = 0; b < batches; ++b) {
    batch.clear();
    batch_labels.clear();
    shifted.resize(bs);
    for (std::size_t j = b * bs; j < std::min(order.size(), (b + 1) * bs); ++j) {
      const TensorF* x = &images[order[j]];
      if (options_.shift > 0) {
        std::uniform_int_distribution<int> d(-options_.shift, options_.shift);
        const int dy = d(rng_), dx = d(rng_);
        shifted[j - b * bs] = shift_image(*x, dy, dx);
        x = &shifted[j - b * bs];
      }
      batch.push_back(x);
      batch_labels.push_back(labels[order[j]]);
    }
    const double lr =
        options_.schedule.at(epoch_index + static_cast<double>(b) / static_cast<double>(batches));
    const BatchResult r = step(batch, batch_labels, lr);
    loss_sum += r.loss * static_cast<double>(batch.size());
    correct += static_cast<std::size_t>(r.correct);
    p.done += batch.size();
    if (progress && (b % 20 == 19 || b + 1 == batches)) {
      p.loss = loss_sum / static_cast<double>(p.done);
      p.accuracy = static_cast<double>(correct) / static_cast<double>(p.done);
      p.lr = lr;
      p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      progress(p);
    }
  }
  EpochResult e;
  e.loss = loss_sum / static_cast<double>(images.size());
  e.accuracy = static_cast<double>(correct) / static_cast<double>(images.size());
  e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

TensorF shift_image(const TensorF& x, int dy, int dx) {
  TensorF y(x.h, x.w, x.c);
  const std::size_t c = static_cast<std::size_t>(x.c);
  for (int r = 0; r < x.h; ++r) {
    const int sr = r - dy;
    if (sr < 0 || sr >= x.h) continue;
    for (int q = 0; q < x.w; ++q) {
      const int sq = q - dx;
      if (sq < 0 || sq >= x.w) continue;
      for (std::size_t k = 0; k < c; ++k) {
        y.data[(static_cast<std::size_t>(r) * x.w + q) * c + k] =
            x.data[(static_cast<std::size_t>(sr) * x.w + sq) * c + k];
      }
    }
  }
  return y;
}

EvalResult evaluate(const TrainNetwork& net, const std::vector<TensorF>& images,
                    const std::vector<uint8_t>& labels, FloatMode mode, const std::vector<double>* mu_x,
                    ThreadPool* pool, bool per_image) {
  if (images.size() != labels.size() || images.empty()) {
    throw std::invalid_argument("evaluate: need as many labels as images, and at least one image");
  }
  MinConvConstants fixed;
  if (mode == FloatMode::kMinConv && mu_x != nullptr) {
    if (mu_x->size() != net.net.layers.size()) {
      throw golden::ModelError("evaluate: " + std::to_string(mu_x->size()) + " mu_x values for " +
                               std::to_string(net.net.layers.size()) + " layers");
    }
    fixed.mu_x = *mu_x;
  }
  PassOptions o;
  o.bn_training = false;
  o.pool = pool;
  o.fixed = fixed.mu_x.empty() ? nullptr : &fixed;
  const std::size_t chunk = per_image && mode == FloatMode::kMinConv && mu_x == nullptr ? 1 : 500;
  double loss = 0.0;
  std::size_t correct = 0;
  std::vector<const TensorF*> batch;
  std::vector<int> batch_labels;
  for (std::size_t b = 0; b < images.size(); b += chunk) {
    batch.clear();
    batch_labels.clear();
    for (std::size_t j = b; j < std::min(images.size(), b + chunk); ++j) {
      batch.push_back(&images[j]);
      batch_labels.push_back(labels[j]);
    }
    const BatchResult r = loss_and_gradients(net, batch, batch_labels, mode, nullptr, o);
    loss += r.loss * static_cast<double>(batch.size());
    correct += static_cast<std::size_t>(r.correct);
  }
  const double n = static_cast<double>(images.size());
  return EvalResult{loss / n, static_cast<double>(correct) / n};
}

std::vector<double> calibrate_mu_x(const TrainNetwork& net, const std::vector<TensorF>& images,
                                   ThreadPool* pool) {
  if (images.empty()) throw std::invalid_argument("calibrate_mu_x: no images");
  std::vector<const TensorF*> batch;
  for (const TensorF& t : images) batch.push_back(&t);
  const std::vector<int> labels(images.size(), 0);
  MinConvConstants used;
  PassOptions o;
  o.bn_training = false;
  o.pool = pool;
  o.used = &used;
  loss_and_gradients(net, batch, labels, FloatMode::kMinConv, nullptr, o);
  return used.mu_x;
}

double accuracy(const golden::FloatNetwork& net, const std::vector<TensorF>& images,
                const std::vector<uint8_t>& labels, FloatMode mode, const golden::Calibration* calib) {
  TrainNetwork t;
  t.net = net;
  std::vector<double> mu_x;
  if (mode == FloatMode::kMinConv && calib != nullptr) {
    if (calib->layers.size() != net.layers.size()) {
      throw golden::ModelError("accuracy: calibration has " + std::to_string(calib->layers.size()) +
                               " layers, the network " + std::to_string(net.layers.size()));
    }
    for (const golden::LayerStats& s : calib->layers) mu_x.push_back(s.mean_abs_in);
  }
  return evaluate(t, images, labels, mode, mu_x.empty() ? nullptr : &mu_x, nullptr, true).accuracy;
}

}  // namespace minconv::train
