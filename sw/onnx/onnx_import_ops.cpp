// The supported ONNX ops, each converted to platform layers (HWC tensors, out_c x kh x kw x in_c weights)
// or refused with the reason.
#include <cmath>

#include "sw/onnx/onnx_importer.h"

namespace minconv::onnxio::detail {

using golden::FloatLayer;
using golden::LayerType;

namespace {

std::string s(int64_t v) { return std::to_string(v); }

// The explicit pads [top, left, bottom, right] of a Conv: from `pads` or computed for auto_pad SAME_*.
std::vector<int64_t> same_pads(const std::string& mode, int64_t in_h, int64_t in_w, int64_t k, int64_t sh,
                               int64_t sw) {
  std::vector<int64_t> p(4, 0);
  const int64_t in[2] = {in_h, in_w}, st[2] = {sh, sw};
  for (int a = 0; a < 2; ++a) {
    const int64_t out = (in[a] + st[a] - 1) / st[a];
    const int64_t total = std::max<int64_t>((out - 1) * st[a] + k - in[a], 0);
    p[a] = mode == "SAME_UPPER" ? total / 2 : total - total / 2;
    p[a + 2] = total - p[a];
  }
  return p;
}

}  // namespace

void Importer::conv() {
  check_node_io(2, 3);
  if (flow_.flat) fail("a Conv after a Flatten/Reshape to a vector is not supported");
  if (int_attr("group", 1) != 1) fail("group = " + s(int_attr("group", 1)) + ": only group 1 is supported");
  for (int64_t d : ints_attr("dilations", {1, 1}))
    if (d != 1) fail("dilation " + s(d) + ": only dilation 1 is supported");
  FloatTensor w = tensor(node().input(1), "weight");
  if (w.dims.size() != 4) fail("the weight has shape " + dims_string(w.dims) + ", expected O x I x kH x kW");
  const int64_t o = w.dims[0], ci = w.dims[1], kh = w.dims[2], kw = w.dims[3];
  if (ci != flow_.c)
    fail("the weight has " + s(ci) + " input channels, the input '" + flow_.name + "' has " + s(flow_.c));
  if (kh != kw) fail("kernel " + s(kh) + "x" + s(kw) + ": the accelerator supports square kernels only");
  const std::vector<int64_t> ks = ints_attr("kernel_shape", {kh, kw});
  if (ks != std::vector<int64_t>{kh, kw})
    fail("kernel_shape " + dims_string(ks) + " disagrees with the weight " + dims_string(w.dims));
  const std::vector<int64_t> st = ints_attr("strides", {1, 1});
  if (st.size() != 2 || st[0] < 1 || st[1] < 1)
    fail("strides " + dims_string(st) + " are not 2 positive values");
  const std::string auto_pad = string_attr("auto_pad", "NOTSET");
  std::vector<int64_t> pads = ints_attr("pads", {0, 0, 0, 0});
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    pads = same_pads(auto_pad, flow_.h, flow_.w, kh, st[0], st[1]);
  } else if (auto_pad == "VALID") {
    pads = {0, 0, 0, 0};
  } else if (auto_pad != "NOTSET") {
    fail("auto_pad '" + auto_pad + "' is not known");
  }
  if (pads.size() != 4) fail("pads " + dims_string(pads) + " are not 4 values");
  for (int64_t p : pads)
    if (p < 0 || p > 64) fail("pad " + s(p) + " is out of range (0 .. 64)");
  golden::ConvGeometry g{int(kh),      int(kw),      int(st[0]),   int(st[1]),
                         int(pads[0]), int(pads[1]), int(pads[2]), int(pads[3])};
  if (flow_.h + g.pad_top + g.pad_bottom < kh || flow_.w + g.pad_left + g.pad_right < kw)
    fail("the " + s(kh) + "x" + s(kw) + " kernel does not fit the " + s(flow_.h) + "x" + s(flow_.w) +
         " input");
  FloatLayer& l = push(LayerType::kConv);
  l.out_c = int(o);
  l.geometry = g;
  l.weights.resize(w.values.size());
  for (int64_t oc = 0; oc < o; ++oc)  // OIHW -> O x kh x kw x I
    for (int64_t c = 0; c < ci; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          l.weights[((oc * kh + y) * kw + x) * ci + c] = w.values[((oc * ci + c) * kh + y) * kw + x];
  l.bias.assign(std::size_t(o), 0.0f);
  if (node().input_size() == 3 && !node().input(2).empty()) {
    FloatTensor b = tensor(node().input(2), "bias");
    if (b.dims != std::vector<int64_t>{o})
      fail("the bias has shape " + dims_string(b.dims) + ", expected [" + s(o) + "]");
    l.bias = b.values;
  }
  flow_.c = int(o);
  flow_.h = g.out_h(flow_.h);
  flow_.w = g.out_w(flow_.w);
  last_is_bare_conv_ = true;
}

void Importer::batchnorm() {
  check_node_io(5, 5);
  if (int_attr("training_mode", 0) != 0) fail("training_mode = 1 is not supported (export in eval mode)");
  const float eps = float_attr("epsilon", 1e-5f);
  FloatLayer& l = out_.network.layers.back();
  FloatTensor p[4];
  const char* roles[4] = {"scale", "bias", "mean", "variance"};
  for (int i = 0; i < 4; ++i) {
    p[i] = tensor(node().input(i + 1), roles[i]);
    if (p[i].dims != std::vector<int64_t>{l.out_c})
      fail(std::string("the ") + roles[i] + " has shape " + dims_string(p[i].dims) + ", expected [" +
           s(l.out_c) + "]");
  }
  const std::size_t per = l.weights.size() / std::size_t(l.out_c);
  for (int o = 0; o < l.out_c; ++o) {
    if (p[3].values[o] + eps <= 0.0f) fail("variance + epsilon of channel " + s(o) + " is not positive");
    const float f = p[0].values[o] / std::sqrt(p[3].values[o] + eps);
    for (std::size_t k = 0; k < per; ++k) l.weights[o * per + k] *= f;
    l.bias[o] = (l.bias[o] - p[2].values[o]) * f + p[1].values[o];
  }
  out_.layer_origin.back() += " + " + where_;
  last_is_bare_conv_ = true;
}

// ReLU is fused into the last conv/fc. It commutes with max pooling and flattening, so those may come
// between; after an average pool it is a no-op if the conv/fc before the pool already has a ReLU.
void Importer::relu() {
  check_node_io(1, 1);
  auto& layers = out_.network.layers;
  bool avg = false;
  for (std::size_t i = layers.size(); i-- > 0;) {
    if (layers[i].type == LayerType::kMaxPool || layers[i].type == LayerType::kAvgPool) {
      avg = avg || layers[i].type == LayerType::kAvgPool;
      continue;
    }
    if (avg && !layers[i].relu) break;
    layers[i].relu = true;
    return;
  }
  fail(
      "Relu must follow a Conv, Gemm or MatMul (the accelerator fuses it there; only MaxPool, Flatten or "
      "Reshape may come between, or an AveragePool after a ReLU)");
}

// Pad is supported only when it pads nothing (PyTorch exports one before some average pools).
void Importer::pad() {
  check_node_io(1, 3);
  if (string_attr("mode", "constant") != "constant") fail("only mode 'constant' is supported");
  std::vector<float> pads;
  if (node().input_size() >= 2 && !node().input(1).empty()) {
    pads = tensor(node().input(1), "pads", true).values;
  } else {
    for (int64_t p : ints_attr("pads", {})) pads.push_back(float(p));
  }
  for (float p : pads)
    if (p != 0.0f)
      fail("padding that is not 0 is not supported (pad in the Conv, or not at all before a pool)");
}

void Importer::pool(bool max, bool global) {
  check_node_io(1, 1);
  if (flow_.flat) fail("pooling a vector (after Flatten/Reshape) is not supported");
  int64_t k = flow_.h, sh = 1, sw = 1;
  if (global) {
    if (flow_.h != flow_.w)
      fail("the input is " + s(flow_.h) + "x" + s(flow_.w) + ": only square windows are supported");
  } else {
    const std::vector<int64_t> ks = ints_attr("kernel_shape", {});
    if (ks.size() != 2) fail("kernel_shape " + dims_string(ks) + " is not 2 values");
    if (ks[0] != ks[1]) fail("window " + s(ks[0]) + "x" + s(ks[1]) + ": only square windows are supported");
    k = ks[0];
    const std::vector<int64_t> st = ints_attr("strides", {1, 1});
    if (st.size() != 2 || st[0] != st[1] || st[0] < 1)
      fail("strides " + dims_string(st) + ": only equal positive strides are supported");
    sh = sw = st[0];
    for (int64_t p : ints_attr("pads", {0, 0, 0, 0}))
      if (p != 0) fail("pool padding is not supported by the accelerator (pads must be 0)");
    const std::string ap = string_attr("auto_pad", "NOTSET");
    if (ap != "NOTSET" && ap != "VALID") fail("auto_pad '" + ap + "' (pool padding) is not supported");
    for (int64_t d : ints_attr("dilations", {1, 1}))
      if (d != 1) fail("dilation " + s(d) + ": only dilation 1 is supported");
    if (int_attr("ceil_mode", 0) != 0 && ((flow_.h - k) % sh != 0 || (flow_.w - k) % sw != 0))
      fail("ceil_mode = 1 with a window that does not tile the input is not supported");
    if (k < 1 || k > flow_.h || k > flow_.w)
      fail("window " + s(k) + " does not fit the " + s(flow_.h) + "x" + s(flow_.w) + " input");
  }
  FloatLayer& l = push(max ? LayerType::kMaxPool : LayerType::kAvgPool);
  l.k = int(k);
  l.stride = int(sh);
  flow_.h = int((flow_.h - k) / sh + 1);
  flow_.w = int((flow_.w - k) / sw + 1);
  (void)sw;
}

void Importer::flatten(bool reshape) {
  check_node_io(reshape ? 2 : 1, reshape ? 2 : 1);
  const int64_t k = flow_.flat ? flow_.k : int64_t(flow_.c) * flow_.h * flow_.w;
  if (reshape) {
    FloatTensor shape = tensor(node().input(1), "shape", true);
    const auto& v = shape.values;
    const bool ok = v.size() == 2 && (v[0] == 1 || v[0] == -1 || v[0] == 0) &&
                    (v[1] == float(k) || v[1] == -1) && !(v[0] == -1 && v[1] == -1);
    if (!ok)
      fail("only a Reshape to a vector [N, " + s(k) + "] (e.g. [-1, " + s(k) + "] or [1, -1]) is supported");
  } else if (int_attr("axis", 1) != 1) {
    fail("axis = " + s(int_attr("axis", 1)) + ": only Flatten with axis 1 is supported");
  }
  flow_.flat = true;
  flow_.k = k;
}

// Gemm/MatMul weights (N x K after transposition, K in PyTorch's CHW order when flattened from C x H x W)
// as the platform's N x K in HWC order.
std::vector<float> Importer::fc_weights(const FloatTensor& b, bool trans_b, int64_t n) {
  const int64_t k = flow_.k;
  const int64_t hw = flow_.c > 0 ? int64_t(flow_.h) * flow_.w : 1, c = flow_.c > 0 ? flow_.c : k;
  std::vector<float> out(std::size_t(n * k));
  for (int64_t o = 0; o < n; ++o)
    for (int64_t j = 0; j < k; ++j) {  // j: CHW index = ch * hw + pix; HWC index = pix * c + ch
      const int64_t ch = j / hw, pix = j % hw;
      out[std::size_t(o * k + pix * c + ch)] = trans_b ? b.values[o * k + j] : b.values[j * n + o];
    }
  return out;
}

void Importer::gemm(bool matmul) {
  check_node_io(2, matmul ? 2 : 3);
  if (!flow_.flat)
    fail("the input is " + s(flow_.c) + "x" + s(flow_.h) + "x" + s(flow_.w) +
         ": a Flatten or Reshape to a vector must come first");
  bool trans_b = false;
  if (!matmul) {
    if (int_attr("transA", 0) != 0) fail("transA = 1 is not supported");
    if (float_attr("alpha", 1.0f) != 1.0f || float_attr("beta", 1.0f) != 1.0f)
      fail("alpha and beta must be 1");
    trans_b = int_attr("transB", 0) != 0;
  }
  FloatTensor b = tensor(node().input(1), "weight");
  if (b.dims.size() != 2) fail("the weight has shape " + dims_string(b.dims) + ", expected 2 dimensions");
  const int64_t n = trans_b ? b.dims[0] : b.dims[1], kin = trans_b ? b.dims[1] : b.dims[0];
  if (kin != flow_.k)
    fail("the weight " + dims_string(b.dims) + " takes " + s(kin) + " inputs, the input '" + flow_.name +
         "' has " + s(flow_.k));
  FloatLayer& l = push(LayerType::kFc);
  l.out_c = int(n);
  l.weights = fc_weights(b, trans_b, n);
  l.bias.assign(std::size_t(n), 0.0f);
  if (!matmul && node().input_size() == 3 && !node().input(2).empty()) {
    FloatTensor c = tensor(node().input(2), "bias");
    if (c.dims != std::vector<int64_t>{n} && c.dims != std::vector<int64_t>{1, n})
      fail("the bias has shape " + dims_string(c.dims) + ", expected [" + s(n) + "]");
    l.bias = c.values;
  }
  flow_.c = 0;  // the next fc's input is a plain vector (no reordering)
  flow_.h = flow_.w = 1;
  flow_.k = n;
  pending_matmul_bias_ = matmul;
}

void Importer::add_bias() {
  check_node_io(2, 2);
  FloatLayer& l = out_.network.layers.back();
  FloatTensor c = tensor(node().input(1), "bias");
  if (c.dims != std::vector<int64_t>{l.out_c} && c.dims != std::vector<int64_t>{1, l.out_c})
    fail("the bias has shape " + dims_string(c.dims) + ", expected [" + s(l.out_c) + "]");
  l.bias = c.values;
  out_.layer_origin.back() += " + " + where_;
}

}  // namespace minconv::onnxio::detail
