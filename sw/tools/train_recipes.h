#pragma once
// The recipes of minconv-train (docs/training.md): standard from scratch, MinConv from scratch, transfer
// learning (standard -> gain matching -> MinConv fine-tuning), each with or without batch normalisation.
#include <cstdint>
#include <string>
#include <vector>

#include "sw/golden/network.h"
#include "sw/train/train.h"

namespace minconv::tools {

enum class Recipe { kStandard, kMinConv, kTransfer };

struct RecipeOptions {
  Recipe recipe = Recipe::kStandard;
  bool bn = false;
  std::string dataset = "fashion-mnist";
  std::string out;      // the trained network, BN folded (MCNF)
  std::string onnx;     // also as ONNX if named (docs/models.md; minconv.pe: mul standard, min MinConv)
  std::string from;     // transfer: the standard network to start from (MCNF); empty: train it first
  std::string out_std;  // transfer without --from: where to save the standard network (optional)
  int epochs = 0;       // 0: the recipe's default
  int std_epochs = 15;  // transfer without --from
  train::TrainerOptions trainer;
  std::string mu_x = "batch";  // MinConv: "batch" or "epoch" (calibrated at the start of every epoch)
  bool gain_match = true;
  uint64_t seed = 1;
  std::size_t calib = 1000;
  bool quiet = false;
};

struct Data {
  std::vector<golden::TensorF> train_x, test_x, calib_x;
  std::vector<uint8_t> train_y, test_y;
};

// The structure of configs/workloads/lenet5.yaml with He-normal weights and N(0, 0.05) biases, drawn in
// layer order from mt19937_64(seed) as platform/soc/workload.cpp does.
golden::FloatNetwork lenet5(uint64_t seed);

// Runs the recipe, prints progress and a summary, writes options.out. Returns 0.
int run_recipe(const RecipeOptions& options, const Data& data);

}  // namespace minconv::tools
