// Network description, calibration and the reference int8 forward pass (quantization: quantize.cpp).
#include "sw/golden/network.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "sw/golden/float_ops.h"
#include "sw/golden/network_detail.h"
#include "sw/golden/parallel.h"

namespace minconv::golden {
namespace {

using detail::is_conv_like;
using detail::layer_label;
using detail::round_clamp_127;

std::string qlayer_label(const QuantModel& m, std::size_t i) {
  const std::string& n = m.layers[i].name;
  return "layer " + std::to_string(i) + (n.empty() ? "" : " '" + n + "'") + " (" +
         to_string(m.layers[i].type) + ")";
}

void check_geometry(const std::string& label, const ConvGeometry& g) {
  if (g.kh < 1 || g.kw < 1) throw ModelError(label + ": kernel must be at least 1x1");
  if (g.stride_h < 1 || g.stride_w < 1) throw ModelError(label + ": strides must be >= 1");
  if (g.pad_top < 0 || g.pad_left < 0 || g.pad_bottom < 0 || g.pad_right < 0) {
    throw ModelError(label + ": padding must be >= 0");
  }
}

bool is_unit_geometry(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 && g.pad_left == 0 &&
         g.pad_bottom == 0 && g.pad_right == 0;
}

// Output shape of a conv-like or pool layer; throws with the label on an empty output.
Shape conv_output(const std::string& label, const Shape& in, const ConvGeometry& g, int out_c) {
  if (static_cast<int64_t>(in.h) + g.pad_top + g.pad_bottom < g.kh ||
      static_cast<int64_t>(in.w) + g.pad_left + g.pad_right < g.kw) {
    throw ModelError(label + ": kernel " + std::to_string(g.kh) + "x" + std::to_string(g.kw) +
                     " is larger than the padded input " + to_string(in));
  }
  return Shape{g.out_h(in.h), g.out_w(in.w), out_c};
}

Shape pool_output(const std::string& label, const Shape& in, int k, int stride) {
  if (k < 1 || stride < 1) throw ModelError(label + ": pool size and stride must be >= 1");
  if (in.h < k || in.w < k) {
    throw ModelError(label + ": pool window " + std::to_string(k) + "x" + std::to_string(k) +
                     " is larger than its input " + to_string(in));
  }
  return Shape{(in.h - k) / stride + 1, (in.w - k) / stride + 1, in.c};
}

void check_shape(const std::string& what, const Shape& s) {
  if (s.h < 1 || s.w < 1 || s.c < 1) throw ModelError(what + ": input shape " + to_string(s) + " is empty");
}

int64_t flat_size(const Shape& s) { return static_cast<int64_t>(s.h) * s.w * s.c; }

// The float operator of a conv/fc layer, prepared once for every input it is applied to.
FloatConvOp conv_op(const FloatLayer& l, FloatMode mode, double mu_x) {
  const bool fc = l.type == LayerType::kFc;
  const ConvGeometry g = fc ? ConvGeometry{} : l.geometry;
  return mode == FloatMode::kMinConv ? FloatConvOp::minconv(l.weights, l.bias, l.out_c, g, mu_x, fc)
                                     : FloatConvOp::standard(l.weights, l.bias, l.out_c, g, fc);
}

// Layer l on x; `op` is conv_op(l, ...) for a conv/fc layer (unused by pools), run on `threads`.
TensorF run_float_layer(const FloatLayer& l, const FloatConvOp* op, const TensorF& x, int threads = 1) {
  switch (l.type) {
    case LayerType::kMaxPool:
      return maxpool_float(x, l.k, l.stride);
    case LayerType::kAvgPool:
      return avgpool_float(x, l.k, l.stride);
    case LayerType::kConv:
    case LayerType::kFc:
      break;
  }
  TensorF y = (*op)(x, threads);
  return l.relu ? relu_float(std::move(y)) : y;
}

// Layer l applied to every tensor of a calibration set: the images split across the threads, or, with fewer
// images than threads, each image's output rows. Every output is computed the same way on any thread.
void apply_layer(const FloatLayer& l, const FloatConvOp* op, std::vector<TensorF>& acts, int threads) {
  if (acts.size() >= static_cast<std::size_t>(threads)) {
    parallel_for(acts.size(), threads, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) acts[i] = run_float_layer(l, op, acts[i]);
    });
  } else {
    for (TensorF& a : acts) a = run_float_layer(l, op, a, threads);
  }
}

// Σ mean|a|·size(a) (in image order), Σ size(a) and max |a| over a calibration set; the per-image values are
// computed on the threads, the sums taken in image order as before.
struct SetStats {
  double sum = 0.0, max_abs = 0.0;
  std::size_t count = 0;
};
SetStats set_stats(const std::vector<TensorF>& acts, int threads) {
  std::vector<double> mean(acts.size()), max(acts.size());
  parallel_for(acts.size(), threads, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      mean[i] = mean_abs(acts[i]);
      max[i] = max_abs(acts[i]);
    }
  });
  SetStats s;
  for (std::size_t i = 0; i < acts.size(); ++i) {
    s.sum += mean[i] * static_cast<double>(acts[i].size());
    s.count += acts[i].size();
    s.max_abs = std::max(s.max_abs, max[i]);
  }
  return s;
}

}  // namespace

const char* to_string(LayerType t) {
  switch (t) {
    case LayerType::kConv:
      return "conv";
    case LayerType::kFc:
      return "fc";
    case LayerType::kMaxPool:
      return "maxpool";
    case LayerType::kAvgPool:
      return "avgpool";
  }
  return "unknown";
}

const char* to_string(PeKind k) { return k == PeKind::kMin ? "min" : "mul"; }

std::string to_string(const Shape& s) {
  return std::to_string(s.h) + "x" + std::to_string(s.w) + "x" + std::to_string(s.c);
}

std::vector<Shape> infer_shapes(const FloatNetwork& net) {
  check_shape("network", net.input);
  if (net.layers.empty()) throw ModelError("network has no layers");
  std::vector<Shape> shapes;
  Shape cur = net.input;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const FloatLayer& l = net.layers[i];
    const std::string label = layer_label(net.layers, i);
    switch (l.type) {
      case LayerType::kConv:
      case LayerType::kFc: {
        if (l.out_c < 1) throw ModelError(label + ": out_c must be >= 1, got " + std::to_string(l.out_c));
        check_geometry(label, l.geometry);
        Shape in = cur;
        if (l.type == LayerType::kFc) {
          if (!is_unit_geometry(l.geometry)) {
            throw ModelError(label + ": a fully connected layer has a 1x1 kernel, stride 1 and no padding");
          }
          in = Shape{1, 1, static_cast<int>(flat_size(cur))};
        }
        const Shape out = conv_output(label, in, l.geometry, l.out_c);
        const uint64_t expected = static_cast<uint64_t>(l.out_c) * l.geometry.kh * l.geometry.kw * in.c;
        if (l.weights.size() != expected) {
          throw ModelError(label + ": has " + std::to_string(l.weights.size()) +
                           " weights, out_c x kh x kw x in_c = " + std::to_string(l.out_c) + "x" +
                           std::to_string(l.geometry.kh) + "x" + std::to_string(l.geometry.kw) + "x" +
                           std::to_string(in.c) + " needs " + std::to_string(expected));
        }
        if (l.bias.size() != static_cast<std::size_t>(l.out_c)) {
          throw ModelError(label + ": has " + std::to_string(l.bias.size()) + " biases, out_c is " +
                           std::to_string(l.out_c));
        }
        cur = out;
        break;
      }
      case LayerType::kMaxPool:
      case LayerType::kAvgPool:
        cur = pool_output(label, cur, l.k, l.stride);
        break;
      default:
        throw ModelError(label + ": unknown layer type " + std::to_string(static_cast<int>(l.type)));
    }
    shapes.push_back(cur);
  }
  return shapes;
}

Shape layer_input_shape(const FloatNetwork& net, const std::vector<Shape>& shapes, std::size_t i) {
  const Shape in = i == 0 ? net.input : shapes.at(i - 1);
  if (net.layers.at(i).type == LayerType::kFc) return Shape{1, 1, static_cast<int>(flat_size(in))};
  return in;
}

std::vector<TensorF> run_float(const FloatNetwork& net, const TensorF& input, FloatMode mode,
                               const Calibration* calib) {
  infer_shapes(net);
  if (Shape{input.h, input.w, input.c} != net.input) {
    throw ModelError("run_float: input shape " + to_string(Shape{input.h, input.w, input.c}) +
                     " does not match the network input " + to_string(net.input));
  }
  if (calib != nullptr && calib->layers.size() != net.layers.size()) {
    throw ModelError("run_float: calibration has " + std::to_string(calib->layers.size()) +
                     " layers, the network " + std::to_string(net.layers.size()));
  }
  std::vector<TensorF> outs;
  const TensorF* x = &input;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const FloatLayer& l = net.layers[i];
    const double mu_x = calib != nullptr ? calib->layers[i].mean_abs_in : mean_abs(*x);
    std::optional<FloatConvOp> op;
    if (is_conv_like(l.type)) op.emplace(conv_op(l, mode, mu_x));
    outs.push_back(run_float_layer(l, op ? &*op : nullptr, *x));
    x = &outs.back();
  }
  return outs;
}

Calibration calibrate(const FloatNetwork& net, const std::vector<TensorF>& images, FloatMode mode,
                      int threads) {
  infer_shapes(net);
  if (images.empty()) throw ModelError("calibrate: no calibration images");
  for (std::size_t n = 0; n < images.size(); ++n) {
    if (Shape{images[n].h, images[n].w, images[n].c} != net.input) {
      throw ModelError("calibrate: image " + std::to_string(n) + " has shape " +
                       to_string(Shape{images[n].h, images[n].w, images[n].c}) + ", the network input is " +
                       to_string(net.input));
    }
  }
  Calibration cal;
  cal.mode = mode;
  cal.layers.resize(net.layers.size());
  std::vector<TensorF> acts = images;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const FloatLayer& l = net.layers[i];
    LayerStats& st = cal.layers[i];
    std::optional<FloatConvOp> op;
    if (is_conv_like(l.type)) {
      const SetStats in = set_stats(acts, threads);
      st.max_abs_in = in.max_abs;
      st.mean_abs_in = in.sum / static_cast<double>(in.count);
      op.emplace(conv_op(l, mode, st.mean_abs_in));
    }
    apply_layer(l, op ? &*op : nullptr, acts, threads);
    if (is_conv_like(l.type)) {
      const SetStats out = set_stats(acts, threads);
      st.max_abs_out = out.max_abs;
      if (out.count > 0) st.mean_abs_out = out.sum / static_cast<double>(out.count);
    }
  }
  cal.output_min = std::numeric_limits<double>::infinity();
  cal.output_max = -std::numeric_limits<double>::infinity();
  for (const TensorF& a : acts) {
    for (float v : a.data) {
      cal.output_min = std::min(cal.output_min, static_cast<double>(v));
      cal.output_max = std::max(cal.output_max, static_cast<double>(v));
    }
  }
  return cal;
}

std::vector<Shape> validate(const QuantModel& model) {
  check_shape("model", model.input);
  if (!(model.input_scale > 0.0) || !std::isfinite(model.input_scale)) {
    throw ModelError("model: input scale must be a finite value > 0, got " +
                     std::to_string(model.input_scale));
  }
  if (model.layers.empty()) throw ModelError("model has no layers");
  std::vector<Shape> shapes;
  Shape cur = model.input;
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const QuantLayer& l = model.layers[i];
    const std::string label = qlayer_label(model, i);
    const bool last = i + 1 == model.layers.size();
    switch (l.type) {
      case LayerType::kConv:
      case LayerType::kFc: {
        check_geometry(label, l.geometry);
        if (l.in_c < 1 || l.out_c < 1) throw ModelError(label + ": in_c and out_c must be >= 1");
        Shape in = cur;
        if (l.type == LayerType::kFc) {
          if (!is_unit_geometry(l.geometry)) {
            throw ModelError(label + ": a fully connected layer has a 1x1 kernel, stride 1 and no padding");
          }
          if (flat_size(cur) > std::numeric_limits<int>::max()) throw ModelError(label + ": input too large");
          in = Shape{1, 1, static_cast<int>(flat_size(cur))};
        }
        if (l.in_c != in.c) {
          throw ModelError(label + ": in_c is " + std::to_string(l.in_c) + " but its input is " +
                           to_string(in));
        }
        cur = conv_output(label, in, l.geometry, l.out_c);
        const int64_t reduction = int64_t{l.geometry.kh} * l.geometry.kw * l.in_c;
        if (reduction > max_reduction(model.pe)) {
          throw ModelError(label + ": its reduction kh*kw*in_c = " + std::to_string(reduction) +
                           " is longer than the int32 accumulator can sum without overflow on the " +
                           to_string(model.pe) + " PE (at most " + std::to_string(max_reduction(model.pe)) +
                           ")");
        }
        const uint64_t expected = static_cast<uint64_t>(l.out_c) * l.geometry.kh * l.geometry.kw * l.in_c;
        if (l.weights.size() != expected) {
          throw ModelError(label + ": has " + std::to_string(l.weights.size()) + " weights, needs " +
                           std::to_string(expected));
        }
        if (l.post.size() != static_cast<std::size_t>(l.out_c) ||
            l.acc_scale.size() != static_cast<std::size_t>(l.out_c)) {
          throw ModelError(label + ": needs " + std::to_string(l.out_c) + " post-scale records and scales");
        }
        for (std::size_t o = 0; o < l.post.size(); ++o) {
          const PostScale& p = l.post[o];
          if (p.multiplier < 0 || p.shift < 1 || p.shift > 62) {
            throw ModelError(label + ": post-scale of channel " + std::to_string(o) + " has multiplier " +
                             std::to_string(p.multiplier) + ", shift " + std::to_string(p.shift) +
                             " (need 0 <= multiplier < 2^31, 1 <= shift <= 62)");
          }
          if (!(l.acc_scale[o] > 0.0) || !std::isfinite(l.acc_scale[o])) {
            throw ModelError(label + ": accumulator scale of channel " + std::to_string(o) +
                             " must be a finite value > 0");
          }
        }
        if (l.raw_output != last) {
          throw ModelError(label + (last ? ": the last layer must have raw int32 output"
                                         : ": only the last layer may have raw int32 output"));
        }
        break;
      }
      case LayerType::kMaxPool:
      case LayerType::kAvgPool:
        if (last) throw ModelError(label + ": the last layer must be a conv or fc layer");
        cur = pool_output(label, cur, l.k, l.stride);
        break;
      default:
        throw ModelError(label + ": unknown layer type " + std::to_string(static_cast<int>(l.type)));
    }
    shapes.push_back(cur);
  }
  return shapes;
}

Tensor8 quantize_input(const QuantModel& model, const TensorF& x) {
  if (Shape{x.h, x.w, x.c} != model.input ||
      x.data.size() != static_cast<std::size_t>(flat_size(model.input))) {
    throw ModelError("quantize_input: input shape " + to_string(Shape{x.h, x.w, x.c}) +
                     " does not match the model input " + to_string(model.input));
  }
  if (!(model.input_scale > 0.0)) throw ModelError("quantize_input: model input scale must be > 0");
  Tensor8 q(x.h, x.w, x.c);
  for (std::size_t i = 0; i < x.data.size(); ++i) {
    if (!std::isfinite(x.data[i])) {
      throw ModelError("quantize_input: input value " + std::to_string(i) + " is not finite");
    }
    q.data[i] = round_clamp_127(x.data[i] / model.input_scale);
  }
  return q;
}

std::vector<LayerOutput> run_int8(const QuantModel& model, const Tensor8& input) {
  validate(model);
  if (Shape{input.h, input.w, input.c} != model.input) {
    throw ModelError("run_int8: input shape " + to_string(Shape{input.h, input.w, input.c}) +
                     " does not match the model input " + to_string(model.input));
  }
  std::vector<LayerOutput> outs;
  Tensor8 x = input;
  for (const QuantLayer& l : model.layers) {
    LayerOutput out;
    switch (l.type) {
      case LayerType::kConv:
      case LayerType::kFc: {
        if (l.type == LayerType::kFc) {
          x.c = x.h * x.w * x.c;  // HWC flattening keeps the data order
          x.h = x.w = 1;
        }
        if (l.raw_output) {
          out.is_raw = true;
          out.raw = conv2d_raw(model.pe, x, l.weights, l.out_c, l.geometry, l.post, l.relu);
        } else {
          out.q = conv2d_int8(model.pe, x, l.weights, l.out_c, l.geometry, l.post, l.relu);
        }
        break;
      }
      case LayerType::kMaxPool:
        out.q = maxpool_int8(x, l.k, l.stride);
        break;
      case LayerType::kAvgPool:
        out.q = avgpool_int8(x, l.k, l.stride);
        break;
    }
    if (!out.is_raw) x = out.q;
    outs.push_back(std::move(out));
  }
  return outs;
}

std::vector<double> dequantize_logits(const QuantModel& model, const Tensor32& raw) {
  if (model.layers.empty() || !model.layers.back().raw_output) {
    throw ModelError("dequantize_logits: the model's last layer has no raw output");
  }
  const std::vector<double>& scale = model.layers.back().acc_scale;
  if (raw.c != static_cast<int>(scale.size()) || raw.data.size() % scale.size() != 0) {
    throw ModelError("dequantize_logits: output has " + std::to_string(raw.c) + " channels, the model " +
                     std::to_string(scale.size()));
  }
  std::vector<double> logits(raw.data.size());
  for (std::size_t i = 0; i < raw.data.size(); ++i) logits[i] = raw.data[i] * scale[i % scale.size()];
  return logits;
}

int argmax(const std::vector<double>& v) {
  if (v.empty()) throw std::invalid_argument("argmax: empty vector");
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

int classify(const QuantModel& model, const Tensor8& input) {
  const std::vector<LayerOutput> outs = run_int8(model, input);
  return argmax(dequantize_logits(model, outs.back().raw));
}

}  // namespace minconv::golden
