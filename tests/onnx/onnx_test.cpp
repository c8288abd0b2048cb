// ONNX import and export (sw/onnx): round trips, the layout conversions, BatchNorm folding, and one refusal
// per unsupported construct, each naming the node.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "sw/golden/float_ops.h"
#include "sw/onnx/onnx_model.h"
#include "sw/train/float_network_file.h"
#include "sw/train/init.h"

namespace minconv::onnxio {
namespace {

using golden::FloatLayer;
using golden::LayerType;
using ::testing::HasSubstr;

FloatLayer conv(const std::string& name, int out_c, int k, golden::ConvGeometry g, bool relu) {
  FloatLayer l;
  l.name = name;
  l.out_c = out_c;
  g.kh = g.kw = k;
  l.geometry = g;
  l.relu = relu;
  return l;
}

FloatLayer pool(const std::string& name, LayerType t, int k, int stride) {
  FloatLayer l;
  l.type = t;
  l.name = name;
  l.k = k;
  l.stride = stride;
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

// A non-square input, asymmetric padding, a stride of 2, both pools and an fc after a 2-D map: every layout
// conversion matters. Weights sized by infer_shapes and drawn by init_he_normal.
golden::FloatNetwork test_net() {
  golden::FloatNetwork net;
  net.input = golden::Shape{13, 17, 3};
  net.layers = {conv("c1", 5, 3, {3, 3, 1, 1, 1, 0, 2, 1}, true),
                pool("p1", LayerType::kMaxPool, 2, 2),
                conv("c2", 7, 3, {3, 3, 2, 1, 1, 1, 1, 1}, true),
                pool("p2", LayerType::kAvgPool, 2, 1),
                fc("f1", 9, true),
                fc("f2", 4, false)};
  golden::Shape s = net.input;
  for (FloatLayer& l : net.layers) {
    if (l.type == LayerType::kConv) {
      l.weights.resize(std::size_t(l.out_c) * 9 * s.c);
      l.bias.resize(std::size_t(l.out_c));
      s = {l.geometry.out_h(s.h), l.geometry.out_w(s.w), l.out_c};
    } else if (l.type == LayerType::kFc) {
      l.weights.resize(std::size_t(l.out_c) * s.h * s.w * s.c);
      l.bias.resize(std::size_t(l.out_c));
      s = {1, 1, l.out_c};
    } else {
      s = {(s.h - l.k) / l.stride + 1, (s.w - l.k) / l.stride + 1, s.c};
    }
  }
  train::init_he_normal(net, 3);
  return net;
}

golden::TensorF ramp(const golden::Shape& s) {
  golden::TensorF t(s.h, s.w, s.c);
  for (std::size_t i = 0; i < t.size(); ++i) t.data[i] = float((i * 37) % 101) / 101.0f;
  return t;
}

onnx::ModelProto parse(const std::vector<uint8_t>& bytes) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromArray(bytes.data(), int(bytes.size())));
  return m;
}

std::vector<uint8_t> bytes_of(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return {s.begin(), s.end()};
}

// The message import_onnx throws for a model, or "" if it imports.
std::string import_error(const onnx::ModelProto& m) {
  try {
    import_onnx(bytes_of(m), "t.onnx");
  } catch (const OnnxError& e) {
    return e.what();
  }
  return "";
}

int node_index(const onnx::ModelProto& m, const std::string& op) {
  for (int i = 0; i < m.graph().node_size(); ++i)
    if (m.graph().node(i).op_type() == op) return i;
  return -1;
}

onnx::AttributeProto* attribute(onnx::NodeProto* n, const std::string& name) {
  for (auto& a : *n->mutable_attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

TEST(OnnxRoundTrip, ExportThenImportGivesTheSameNetworkAndOutputs) {
  const golden::FloatNetwork net = test_net();
  const OnnxModel m = import_onnx(export_onnx(net, "min"), "rt.onnx");
  EXPECT_EQ(m.pe, "min");
  ASSERT_EQ(m.network.layers.size(), net.layers.size());
  EXPECT_EQ(m.network.input, net.input);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    EXPECT_EQ(m.network.layers[i].name, net.layers[i].name);
    EXPECT_EQ(m.network.layers[i].relu, net.layers[i].relu) << i;
    EXPECT_EQ(m.network.layers[i].weights, net.layers[i].weights) << i;  // bit for bit
    EXPECT_EQ(m.network.layers[i].bias, net.layers[i].bias) << i;
    EXPECT_EQ(m.network.layers[i].geometry.pad_left, net.layers[i].geometry.pad_left) << i;
  }
  const golden::TensorF x = ramp(net.input);
  EXPECT_EQ(golden::run_float(m.network, x, golden::FloatMode::kStandard).back().data,
            golden::run_float(net, x, golden::FloatMode::kStandard).back().data);
}

TEST(OnnxExport, IsAValidOnnxModelWithTheMetadata) {
  onnx::ModelProto m = parse(export_onnx(test_net(), "mul"));
  EXPECT_NO_THROW(onnx::checker::check_model(m));
  ASSERT_EQ(m.metadata_props_size(), 1);
  EXPECT_EQ(m.metadata_props(0).key(), kPeMetadataKey);
  EXPECT_EQ(m.metadata_props(0).value(), "mul");
  EXPECT_THROW(export_onnx(test_net(), "div"), golden::ModelError);
}

// Gemm columns are in PyTorch's CHW flatten order: one weight at CHW index (c 1, y 0, x 1) of a 2 x 2 x 2
// input must land at HWC index (0 * 2 + 1) * 2 + 1.
TEST(OnnxImport, GemmAfterFlattenReordersColumnsFromChwToHwc) {
  golden::FloatNetwork net;
  net.input = golden::Shape{2, 2, 2};
  net.layers = {fc("f", 1, false)};
  net.layers[0].weights.assign(8, 0.0f);
  net.layers[0].bias.assign(1, 0.0f);
  onnx::ModelProto m = parse(export_onnx(net, "mul"));
  onnx::TensorProto* w = m.mutable_graph()->mutable_initializer(0);
  std::string raw(32, '\0');
  const float one = 1.0f;
  std::memcpy(&raw[4 * (1 * 4 + 0 * 2 + 1)], &one, 4);
  w->set_raw_data(raw);
  const OnnxModel got = import_onnx(bytes_of(m), "t.onnx");
  std::vector<float> want(8, 0.0f);
  want[(0 * 2 + 1) * 2 + 1] = 1.0f;
  EXPECT_EQ(got.network.layers[0].weights, want);
}

TEST(OnnxImport, BatchNormalizationIsFoldedIntoTheConv) {
  golden::FloatNetwork net;
  net.input = golden::Shape{4, 4, 1};
  net.layers = {conv("c", 2, 3, {3, 3, 1, 1, 1, 1, 1, 1}, false)};
  net.layers[0].weights.assign(18, 0.5f);
  net.layers[0].bias = {0.25f, -1.0f};
  onnx::ModelProto m = parse(export_onnx(net, "mul"));
  onnx::GraphProto* g = m.mutable_graph();
  const std::vector<std::pair<std::string, std::vector<float>>> params = {
      {"s", {2.0f, 0.5f}}, {"b", {1.0f, 0.0f}}, {"mean", {0.25f, 1.0f}}, {"var", {3.0f, 0.0f}}};
  onnx::NodeProto* bn = g->add_node();
  bn->set_op_type("BatchNormalization");
  bn->add_input(g->node(0).output(0));
  for (const auto& [name, v] : params) {
    onnx::TensorProto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(2);
    for (float x : v) t->add_float_data(x);
    bn->add_input(name);
  }
  auto* eps = bn->add_attribute();
  eps->set_name("epsilon");
  eps->set_type(onnx::AttributeProto::FLOAT);
  eps->set_f(1.0f);
  bn->add_output("bn_out");
  g->mutable_output(0)->set_name("bn_out");
  const FloatLayer l = import_onnx(bytes_of(m), "t.onnx").network.layers[0];
  EXPECT_FLOAT_EQ(l.weights[0], 0.5f * 2.0f / 2.0f);  // gamma / sqrt(var + eps) = 1
  EXPECT_FLOAT_EQ(l.weights[9], 0.5f * 0.5f);
  EXPECT_FLOAT_EQ(l.bias[0], (0.25f - 0.25f) * 1.0f + 1.0f);
  EXPECT_FLOAT_EQ(l.bias[1], (-1.0f - 1.0f) * 0.5f + 0.0f);
}

TEST(OnnxImport, RefusesAnUnsupportedOpNamingTheNode) {
  onnx::ModelProto m = parse(export_onnx(test_net(), "mul"));
  const int i = node_index(m, "MaxPool");
  m.mutable_graph()->mutable_node(i)->set_op_type("LpPool");
  EXPECT_THAT(import_error(m), HasSubstr("t.onnx: node " + std::to_string(i) +
                                         " 'p1' (LpPool): op type 'LpPool' "
                                         "is not supported"));
}

TEST(OnnxImport, RefusesGroupedConvNonSquareKernelsAndPoolPadding) {
  onnx::ModelProto m = parse(export_onnx(test_net(), "mul"));
  attribute(m.mutable_graph()->mutable_node(0), "group")->set_i(3);
  EXPECT_THAT(import_error(m), HasSubstr("node 0 'c1' (Conv): group = 3: only group 1 is supported"));

  m = parse(export_onnx(test_net(), "mul"));
  onnx::TensorProto* w =
      m.mutable_graph()->mutable_initializer(0);  // c1.weight 5 x 3 x 3 x 3 -> 5 x 3 x 1 x 9
  w->set_dims(2, 1);
  w->set_dims(3, 9);
  EXPECT_THAT(import_error(m), HasSubstr("kernel 1x9: the accelerator supports square kernels only"));

  m = parse(export_onnx(test_net(), "mul"));
  onnx::NodeProto* p = m.mutable_graph()->mutable_node(node_index(m, "MaxPool"));
  auto* pads = p->add_attribute();
  pads->set_name("pads");
  pads->set_type(onnx::AttributeProto::INTS);
  for (int k = 0; k < 4; ++k) pads->add_ints(1);
  EXPECT_THAT(import_error(m), HasSubstr("(MaxPool): pool padding is not supported"));
}

TEST(OnnxImport, ChecksInitializersAgainstTheGraph) {
  onnx::ModelProto m = parse(export_onnx(test_net(), "mul"));
  // the graph input declared with 4 channels, c1.weight has 3
  m.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(1)
      ->set_dim_value(4);
  EXPECT_THAT(import_error(m), HasSubstr("node 0 'c1' (Conv): the weight has 3 input channels, the input "
                                         "'input' has 4"));
  m = parse(export_onnx(test_net(), "mul"));
  m.mutable_graph()->mutable_initializer(1)->set_data_type(onnx::TensorProto::DOUBLE);
  EXPECT_THAT(import_error(m), HasSubstr("the bias 'c1.bias' is of ONNX data type 11, only float32"));
  m = parse(export_onnx(test_net(), "mul"));
  m.mutable_graph()->mutable_initializer(1)->mutable_raw_data()->resize(3);
  EXPECT_THAT(import_error(m), HasSubstr("holds 3 bytes, its shape [5] needs 20"));
}

TEST(OnnxImport, RefusesReluAfterAnAveragePoolOfANonReluLayerAndANonChainGraph) {
  golden::FloatNetwork net = test_net();
  net.layers[2].relu = false;
  onnx::ModelProto m = parse(export_onnx(net, "mul"));
  onnx::GraphProto* g = m.mutable_graph();
  const int avg = node_index(m, "AveragePool");
  onnx::NodeProto* flatten = g->mutable_node(avg + 1);
  onnx::NodeProto relu;
  relu.set_op_type("Relu");
  relu.set_name("r");
  relu.add_input(g->node(avg).output(0));
  relu.add_output("r_out");
  flatten->set_input(0, "r_out");
  *g->add_node() = relu;  // nodes must be in order: move it before the flatten
  for (int i = g->node_size() - 1; i > avg + 1; --i) g->mutable_node()->SwapElements(i, i - 1);
  EXPECT_THAT(import_error(m),
              HasSubstr("node " + std::to_string(avg + 1) + " 'r' (Relu): Relu must follow"));

  m = parse(export_onnx(test_net(), "mul"));
  m.mutable_graph()->mutable_node(1)->set_input(0, "input");
  EXPECT_THAT(import_error(m), HasSubstr("node 1 'c1_relu' (Relu): its input 'input' is not the output of "
                                         "the previous node ('c1_out')"));
}

TEST(OnnxImport, RefusesGarbageAndAPoolAsLastLayer) {
  EXPECT_THAT(import_error(onnx::ModelProto()), HasSubstr("no graph"));
  try {
    import_onnx({1, 2, 3, 4, 5}, "junk.onnx");
    FAIL();
  } catch (const OnnxError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("junk.onnx: not an ONNX model"));
  }
  golden::FloatNetwork net = test_net();
  net.layers.resize(2);
  EXPECT_THAT(import_error(parse(export_onnx(net, "mul"))), HasSubstr("the last layer is a pool"));
}

TEST(OnnxImport, RunNchwMatchesTheHwcForwardPass) {
  const golden::FloatNetwork net = test_net();
  const golden::TensorF x = ramp(net.input);
  std::vector<float> nchw;
  for (int c = 0; c < x.c; ++c)
    for (int y = 0; y < x.h; ++y)
      for (int xx = 0; xx < x.w; ++xx) nchw.push_back(x.at(y, xx, c));
  EXPECT_EQ(run_nchw(net, nchw), golden::run_float(net, x, golden::FloatMode::kStandard).back().data);
}

TEST(OnnxLegacy, McnfFilesConvertToTheSameNetwork) {
  const golden::FloatNetwork net = test_net();
  const golden::FloatNetwork back = read_mcnf_network(train::serialize_float_weights(net), "t.mcnf");
  ASSERT_EQ(back.layers.size(), net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i)
    EXPECT_EQ(back.layers[i].weights, net.layers[i].weights);
  EXPECT_EQ(back.layers[0].name, "conv1");
  EXPECT_EQ(back.layers[3].name, "pool2");
}

}  // namespace
}  // namespace minconv::onnxio
