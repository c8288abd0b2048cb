// FloatNetwork -> ONNX (opset 13), the NCHW float forward pass used to compare with other frameworks, and
// the legacy MCNF reader.
#include <fstream>

#include "sw/golden/float_ops.h"
#include "sw/onnx/onnx_importer.h"
#include "sw/train/byte_io.h"
#include "sw/train/float_network_file.h"

namespace minconv::onnxio {
namespace {

using golden::FloatLayer;
using golden::LayerType;

onnx::TensorProto float_tensor(const std::string& name, const std::vector<int64_t>& dims,
                               const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  std::string raw(values.size() * 4, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) {  // little endian, as ONNX specifies
    uint32_t bits = 0;
    std::memcpy(&bits, &values[i], 4);
    for (int b = 0; b < 4; ++b) raw[4 * i + b] = static_cast<char>(bits >> (8 * b));
  }
  t.set_raw_data(raw);
  return t;
}

void set_value_info(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

void add_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

void add_int(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

// Builds the graph node by node; `cur` is the tensor flowing along the chain.
struct GraphBuilder {
  onnx::GraphProto* g;
  std::string cur;
  onnx::NodeProto* node(const std::string& op, const std::string& name, std::vector<std::string> inputs) {
    onnx::NodeProto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(name);
    n->add_input(cur);
    for (const auto& i : inputs) n->add_input(i);
    cur = name + "_out";
    n->add_output(cur);
    return n;
  }
};

// Platform weights (out_c x kh x kw x in_c) as OIHW.
std::vector<float> conv_to_oihw(const FloatLayer& l, int in_c) {
  const auto& g = l.geometry;
  std::vector<float> out(l.weights.size());
  for (int o = 0; o < l.out_c; ++o)
    for (int y = 0; y < g.kh; ++y)
      for (int x = 0; x < g.kw; ++x)
        for (int c = 0; c < in_c; ++c)
          out[((std::size_t(o) * in_c + c) * g.kh + y) * g.kw + x] =
              l.weights[((std::size_t(o) * g.kh + y) * g.kw + x) * in_c + c];
  return out;
}

// Platform fc weights (N x K, K in HWC order of `in`) as Gemm weights N x K in CHW order.
std::vector<float> fc_to_chw(const FloatLayer& l, const golden::Shape& in) {
  const std::size_t k = std::size_t(in.h) * in.w * in.c, hw = std::size_t(in.h) * in.w;
  std::vector<float> out(l.weights.size());
  for (int o = 0; o < l.out_c; ++o)
    for (std::size_t pix = 0; pix < hw; ++pix)
      for (int c = 0; c < in.c; ++c) out[o * k + c * hw + pix] = l.weights[o * k + pix * in.c + c];
  return out;
}

void add_layer(GraphBuilder& b, const FloatLayer& l, const golden::Shape& in, bool& flat) {
  onnx::GraphProto* g = b.g;
  if (l.type == LayerType::kMaxPool || l.type == LayerType::kAvgPool) {
    onnx::NodeProto* n = b.node(l.type == LayerType::kMaxPool ? "MaxPool" : "AveragePool", l.name, {});
    add_ints(n, "kernel_shape", {l.k, l.k});
    add_ints(n, "strides", {l.stride, l.stride});
    return;
  }
  if (l.type == LayerType::kConv) {
    const auto& c = l.geometry;
    *g->add_initializer() =
        float_tensor(l.name + ".weight", {l.out_c, in.c, c.kh, c.kw}, conv_to_oihw(l, in.c));
    *g->add_initializer() = float_tensor(l.name + ".bias", {l.out_c}, l.bias);
    onnx::NodeProto* n = b.node("Conv", l.name, {l.name + ".weight", l.name + ".bias"});
    add_ints(n, "kernel_shape", {c.kh, c.kw});
    add_ints(n, "strides", {c.stride_h, c.stride_w});
    add_ints(n, "pads", {c.pad_top, c.pad_left, c.pad_bottom, c.pad_right});
    add_int(n, "group", 1);
  } else {
    if (!flat) add_int(b.node("Flatten", l.name + "_flatten", {}), "axis", 1);
    const int64_t k = int64_t(in.h) * in.w * in.c;
    *g->add_initializer() =
        float_tensor(l.name + ".weight", {l.out_c, k}, flat ? l.weights : fc_to_chw(l, in));
    *g->add_initializer() = float_tensor(l.name + ".bias", {l.out_c}, l.bias);
    add_int(b.node("Gemm", l.name, {l.name + ".weight", l.name + ".bias"}), "transB", 1);
    flat = true;
  }
  if (l.relu) b.node("Relu", l.name + "_relu", {});
}

}  // namespace

std::vector<uint8_t> export_onnx(const golden::FloatNetwork& net, const std::string& pe,
                                 const std::string& graph_name) {
  if (pe != "min" && pe != "mul")
    throw golden::ModelError("export_onnx: pe must be 'min' or 'mul', got '" + pe + "'");
  const std::vector<golden::Shape> shapes = golden::infer_shapes(net);
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.set_producer_name("minconv");
  m.set_producer_version("1");
  auto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  auto* meta = m.add_metadata_props();
  meta->set_key(kPeMetadataKey);
  meta->set_value(pe);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name(graph_name);
  set_value_info(g->add_input(), "input", {1, net.input.c, net.input.h, net.input.w});
  GraphBuilder b{g, "input"};
  bool flat = false;
  for (std::size_t i = 0; i < net.layers.size(); ++i)
    add_layer(b, net.layers[i], i == 0 ? net.input : shapes[i - 1], flat);
  const golden::Shape& o = shapes.back();
  g->mutable_node(g->node_size() - 1)->set_output(0, "output");
  set_value_info(
      g->add_output(), "output",
      flat ? std::vector<int64_t>{1, int64_t(o.h) * o.w * o.c} : std::vector<int64_t>{1, o.c, o.h, o.w});
  std::string bytes;
  if (!m.SerializeToString(&bytes)) throw golden::ModelError("export_onnx: the model does not serialize");
  return {bytes.begin(), bytes.end()};
}

void save_onnx(const golden::FloatNetwork& net, const std::string& pe, const std::string& path) {
  const std::vector<uint8_t> bytes = export_onnx(net, pe);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) throw golden::ModelError(path + ": cannot write");
}

std::vector<float> run_nchw(const golden::FloatNetwork& net, const std::vector<float>& nchw) {
  const golden::Shape& s = net.input;
  if (nchw.size() != std::size_t(s.h) * s.w * s.c)
    throw golden::ModelError("run_nchw: " + std::to_string(nchw.size()) +
                             " input values, the network takes " + golden::to_string(s));
  golden::TensorF x(s.h, s.w, s.c);
  for (int c = 0; c < s.c; ++c)
    for (int y = 0; y < s.h; ++y)
      for (int xx = 0; xx < s.w; ++xx) x.at(y, xx, c) = nchw[(std::size_t(c) * s.h + y) * s.w + xx];
  const golden::TensorF out = golden::run_float(net, x, golden::FloatMode::kStandard).back();
  std::vector<float> r;
  for (int c = 0; c < out.c; ++c)
    for (int y = 0; y < out.h; ++y)
      for (int xx = 0; xx < out.w; ++xx) r.push_back(out.at(y, xx, c));
  return r;
}

golden::FloatNetwork read_mcnf_network(const std::vector<uint8_t>& bytes, const std::string& source) {
  train::ByteReader r(bytes, bytes.size(), source);
  r.need(28, "the header");
  for (int i = 0; i < 12; ++i) r.u8("the header");  // magic, version, size: checked by parse_float_weights
  golden::FloatNetwork net;
  net.input.h = r.i32("input height");
  net.input.w = r.i32("input width");
  net.input.c = r.i32("input channels");
  const uint32_t count = r.u32("layer count");
  if (count > 1024) r.fail("layer count " + std::to_string(count) + " is implausible");
  int counts[4] = {0, 0, 0, 0};
  const char* prefix[4] = {"conv", "fc", "pool", "pool"};
  for (uint32_t i = 0; i < count; ++i) {
    FloatLayer l;
    const uint32_t type = r.u32("layer type");
    if (type > 3) r.fail("layer " + std::to_string(i) + " has unknown type " + std::to_string(type));
    l.type = static_cast<LayerType>(type);
    const int slot = type == 3 ? 2 : int(type);
    l.name = prefix[type] + std::to_string(++counts[slot]);
    if (type >= 2) {
      l.k = r.i32("pool k");
      l.stride = r.i32("pool stride");
    } else {
      l.out_c = r.i32("out_c");
      auto& g = l.geometry;
      for (int* v :
           {&g.kh, &g.kw, &g.stride_h, &g.stride_w, &g.pad_top, &g.pad_left, &g.pad_bottom, &g.pad_right})
        *v = r.i32("geometry");
      l.relu = r.u8("relu") != 0;
      const uint32_t nw = r.u32("weight count"), nb = r.u32("bias count");
      if (nw > (1u << 30) || nb > (1u << 30)) r.fail("implausible weight count");
      r.need((std::size_t(nw) + nb) * 4, "the weights");
      for (uint32_t k = 0; k < nw + nb; ++k) r.u32("weights");
      l.weights.resize(nw);
      l.bias.resize(nb);
    }
    net.layers.push_back(std::move(l));
  }
  train::parse_float_weights(bytes, source, net);  // checks magic, version, size, CRC; fills the values
  return net;
}

}  // namespace minconv::onnxio
