#pragma once
// Network description, float forward pass, calibration, quantization to the int8 model the accelerator
// runs (DESIGN.md §2-§3), and the reference int8 forward pass.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/golden/int8_ops.h"
#include "sw/golden/tensor.h"

namespace minconv::golden {

// A network, a model file or a quantization that cannot be used. The message says what is wrong.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class LayerType { kConv, kFc, kMaxPool, kAvgPool };
const char* to_string(LayerType t);
const char* to_string(PeKind k);

struct Shape {
  int h = 0, w = 0, c = 0;
  bool operator==(const Shape& o) const { return h == o.h && w == o.w && c == o.c; }
  bool operator!=(const Shape& o) const { return !(*this == o); }
};
std::string to_string(const Shape& s);  // "HxWxC"

// One float layer. conv/fc use out_c, geometry (fc: 1x1, stride 1, no padding; its input is flattened
// to 1 x 1 x K in HWC order), relu, weights out_c x kh x kw x in_c and bias out_c. Pools use k, stride.
struct FloatLayer {
  LayerType type = LayerType::kConv;
  std::string name;
  int out_c = 0;
  ConvGeometry geometry;
  bool relu = false;
  std::vector<float> weights;
  std::vector<float> bias;
  int k = 0;
  int stride = 0;
};

struct FloatNetwork {
  Shape input;
  std::vector<FloatLayer> layers;
};

// Output shape of every layer. Throws ModelError naming the layer on any inconsistency
// (weights or bias size, empty output, pool larger than its input, bad geometry).
std::vector<Shape> infer_shapes(const FloatNetwork& net);
// Input shape of layer i as that layer sees it (fc: 1 x 1 x K).
Shape layer_input_shape(const FloatNetwork& net, const std::vector<Shape>& shapes, std::size_t i);

// How the float network computes conv/fc layers: standard products, or the MinConv operator.
enum class FloatMode { kStandard, kMinConv };

// Per conv/fc layer statistics over a calibration set (pool entries stay zero).
struct LayerStats {
  double mean_abs_in = 0.0;   // mu_|x| of the layer input
  double max_abs_in = 0.0;    // max |x| of the layer input
  double max_abs_out = 0.0;   // max |y| of the layer output (after ReLU)
  double mean_abs_out = 0.0;  // mean |y| of the layer output (after ReLU)
};
struct Calibration {
  FloatMode mode = FloatMode::kStandard;
  std::vector<LayerStats> layers;  // one per layer
  double output_min = 0.0;         // range of the last layer's output
  double output_max = 0.0;
};

// Float forward pass; returns every layer's output. In kMinConv mode each conv/fc layer uses mu_x from
// `calib` (layers[i].mean_abs_in) when given, else the mean |x| of this input.
std::vector<TensorF> run_float(const FloatNetwork& net, const TensorF& input, FloatMode mode,
                               const Calibration* calib = nullptr);

// Runs the network layer by layer over the whole calibration set. In kMinConv mode the mu_x of each
// layer is the mean over the set, and later layers are computed with it (as at inference). The work is split
// across `threads` (images, or output rows); the result is the same for any number of threads.
Calibration calibrate(const FloatNetwork& net, const std::vector<TensorF>& images, FloatMode mode,
                      int threads = 1);

// One layer of the int8 model. conv/fc: geometry, in_c (fc: K), out_c, weights out_c x kh x kw x in_c,
// post-scales, relu, raw_output (int32 output, the last layer only) and acc_scale[o], the real value of
// one accumulator unit of channel o (the raw output's dequantization scale). Pools: k, stride.
struct QuantLayer {
  LayerType type = LayerType::kConv;
  std::string name;
  ConvGeometry geometry;
  int in_c = 0;
  int out_c = 0;
  std::vector<int8_t> weights;
  std::vector<PostScale> post;
  std::vector<double> acc_scale;
  bool relu = false;
  bool raw_output = false;
  int k = 0;
  int stride = 0;
};

struct QuantModel {
  PeKind pe = PeKind::kMin;
  Shape input;
  double input_scale = 1.0;  // real value of one input step: q = clamp(round(x / input_scale), ±127)
  std::vector<QuantLayer> layers;
};

// Throws ModelError naming the layer unless the model is consistent: shapes chain, sizes match,
// post-scales are in range, only the last layer (a conv/fc) has raw output.
std::vector<Shape> validate(const QuantModel& model);

// Quantizes a float network for a PE kind (DESIGN.md §3; the rules are spelled out in network.cpp).
// `calib` must come from calibrate() with FloatMode::kMinConv for kMin, kStandard for kMul.
// The last layer must be a conv/fc; it gets raw int32 output.
QuantModel quantize(const FloatNetwork& net, const Calibration& calib, PeKind pe);

// Real ratio -> multiplier in [2^30, 2^31) and shift in [1, 62] with ratio ≈ multiplier / 2^shift.
// Tiny ratios lose multiplier bits (shift is capped at 62), 0 gives {0, 31}. Throws ModelError if
// ratio is negative, not finite or >= 2^30.
void quantize_multiplier(double ratio, int32_t& multiplier, int32_t& shift);

// q = clamp(round_half_away(x / model.input_scale), -127, 127); the shape must match model.input.
Tensor8 quantize_input(const QuantModel& model, const TensorF& x);

// Output of one int8 layer: int8 (q) or, for the raw last layer, int32 (raw).
struct LayerOutput {
  bool is_raw = false;
  Tensor8 q;
  Tensor32 raw;
};

// Reference int8 forward pass with the golden ops; one output per layer.
std::vector<LayerOutput> run_int8(const QuantModel& model, const Tensor8& input);

// Real-valued logits of the raw last layer: raw[o] * acc_scale[o].
std::vector<double> dequantize_logits(const QuantModel& model, const Tensor32& raw);
// Class of an input: argmax of the dequantized logits (first index on ties).
int classify(const QuantModel& model, const Tensor8& input);
int argmax(const std::vector<double>& v);

}  // namespace minconv::golden
