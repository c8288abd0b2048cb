// The DRAM layout of a model (sw/runtime/model_layout.h): the second input slot of batch streaming comes
// after everything else, so that every other address is the same with or without it, and it overlaps nothing.
#include <gtest/gtest.h>

#include "sw/runtime/model_layout.h"

namespace minconv::sw {
namespace {

// conv 3x3 pad 1, 9x7x3 -> 9x7x5 relu; fc 315 -> 10 raw.
golden::QuantModel small_model() {
  golden::QuantModel m;
  m.input = {9, 7, 3};
  golden::QuantLayer conv;
  conv.type = golden::LayerType::kConv;
  conv.name = "conv";
  conv.in_c = 3;
  conv.out_c = 5;
  conv.geometry.kh = conv.geometry.kw = 3;
  conv.geometry.pad_top = conv.geometry.pad_left = conv.geometry.pad_bottom = conv.geometry.pad_right = 1;
  conv.weights.assign(5 * 3 * 3 * 3, 1);
  conv.post.resize(5);
  conv.acc_scale.assign(5, 1.0);
  conv.relu = true;
  golden::QuantLayer fc;
  fc.type = golden::LayerType::kFc;
  fc.name = "fc";
  fc.in_c = 9 * 7 * 5;
  fc.out_c = 10;
  fc.weights.assign(10 * 9 * 7 * 5, 1);
  fc.post.resize(10);
  fc.acc_scale.assign(10, 1.0);
  fc.raw_output = true;
  m.layers = {conv, fc};
  return m;
}

TEST(ModelLayout, SecondInputFollowsEverythingAndMovesNothing) {
  const golden::QuantModel m = small_model();
  const ModelLayout one = plan_layout(m, 0x1000, 1 << 20);
  const ModelLayout two = plan_layout(m, 0x1000, 1 << 20, true);
  EXPECT_EQ(one.second_input, 0u);
  EXPECT_EQ(two.input, one.input);
  EXPECT_EQ(two.scratch, one.scratch);
  EXPECT_EQ(two.weights, one.weights);
  EXPECT_EQ(two.post, one.post);
  EXPECT_EQ(two.outputs, one.outputs);
  EXPECT_EQ(two.output_bytes, one.output_bytes);
  EXPECT_EQ(two.second_input, one.end);  // after the last output, 64-byte aligned like every blob
  EXPECT_EQ(two.second_input % 64, 0u);
  EXPECT_GE(two.end, two.second_input + 9 * 7 * 3);
}

TEST(ModelLayout, SecondInputCountsAgainstTheDram) {
  const golden::QuantModel m = small_model();
  const ModelLayout one = plan_layout(m, 0, 1 << 20);
  EXPECT_NO_THROW(plan_layout(m, 0, one.end));
  EXPECT_THROW(plan_layout(m, 0, one.end, true), golden::ModelError);
}

}  // namespace
}  // namespace minconv::sw
