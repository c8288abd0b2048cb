// ONNX -> FloatNetwork: walks a sequential graph node by node, converting NCHW/OIHW to the platform's HWC
// layouts, and refuses anything else with the node's index, name and op type.
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>

#include "sw/onnx/onnx_importer.h"
#include "sw/onnx/onnx_model.h"

namespace minconv::onnxio::detail {

using golden::FloatLayer;
using golden::LayerType;

int64_t Importer::int_attr(const std::string& name, int64_t fallback) const {
  const onnx::AttributeProto* a = detail::find_attribute(node(), name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::INT) fail("attribute '" + name + "' is not an integer");
  return a->i();
}

std::vector<int64_t> Importer::ints_attr(const std::string& name, std::vector<int64_t> fallback) const {
  const onnx::AttributeProto* a = detail::find_attribute(node(), name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::INTS) fail("attribute '" + name + "' is not a list of integers");
  return {a->ints().begin(), a->ints().end()};
}

std::string Importer::string_attr(const std::string& name, const std::string& fallback) const {
  const onnx::AttributeProto* a = detail::find_attribute(node(), name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::STRING) fail("attribute '" + name + "' is not a string");
  return a->s();
}

float Importer::float_attr(const std::string& name, float fallback) const {
  const onnx::AttributeProto* a = detail::find_attribute(node(), name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto::FLOAT) fail("attribute '" + name + "' is not a float");
  return a->f();
}

FloatTensor Importer::read_tensor(const onnx::TensorProto& t, const std::string& what, bool int64) const {
  const bool is_int64 = int64 && t.data_type() == onnx::TensorProto::INT64;
  if (t.data_type() != onnx::TensorProto::FLOAT && !is_int64)
    fail(what + " is of ONNX data type " + std::to_string(t.data_type()) + ", only float32 is supported");
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    fail(what + " is stored in an external file, which is not supported");
  FloatTensor out;
  uint64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > (int64_t{1} << 30)) fail(what + " has dimension " + std::to_string(d));
    out.dims.push_back(d);
    n *= uint64_t(d);
    if (n > (uint64_t{1} << 30)) fail(what + " has more than 2^30 values");
  }
  const std::size_t width = is_int64 ? 8 : 4;
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != n * width)
      fail(what + " holds " + std::to_string(raw.size()) + " bytes, its shape " + dims_string(out.dims) +
           " needs " + std::to_string(n * width));
    out.values.resize(n);
    for (uint64_t i = 0; i < n; ++i) {  // little endian on disk, as ONNX specifies
      uint64_t bits = 0;
      for (std::size_t b = 0; b < width; ++b) bits |= uint64_t(uint8_t(raw[width * i + b])) << (8 * b);
      if (is_int64) {
        out.values[i] = static_cast<float>(static_cast<int64_t>(bits));
      } else {
        const uint32_t b32 = static_cast<uint32_t>(bits);
        std::memcpy(&out.values[i], &b32, 4);
      }
    }
  } else if (is_int64) {
    if (uint64_t(t.int64_data_size()) != n)
      fail(what + " holds " + std::to_string(t.int64_data_size()) + " values, its shape " +
           dims_string(out.dims) + " needs " + std::to_string(n));
    for (int64_t v : t.int64_data()) out.values.push_back(static_cast<float>(v));
  } else {
    if (uint64_t(t.float_data_size()) != n)
      fail(what + " holds " + std::to_string(t.float_data_size()) + " values, its shape " +
           dims_string(out.dims) + " needs " + std::to_string(n));
    out.values.assign(t.float_data().begin(), t.float_data().end());
  }
  for (float v : out.values)
    if (!std::isfinite(v)) fail(what + " holds a value that is not finite");
  return out;
}

FloatTensor Importer::tensor(const std::string& name, const char* role, bool int64) const {
  const std::string what = std::string(role) + " '" + name + "'";
  const auto c = constants_.find(name);
  if (c != constants_.end()) return c->second;
  const auto it = inits_.find(name);
  if (it == inits_.end())
    fail("the " + what + " is not an initializer or Constant (only constant weights are supported)");
  return read_tensor(*it->second, "the " + what, int64);
}

void Importer::read_input() {
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const auto& in : g_.input())
    if (!inits_.count(in.name())) inputs.push_back(&in);
  if (inputs.size() != 1)
    fail("the graph has " + std::to_string(inputs.size()) + " inputs besides its initializers, expected 1");
  const onnx::ValueInfoProto& in = *inputs[0];
  where_ = "graph input '" + in.name() + "'";
  if (!in.type().has_tensor_type() || in.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    fail("is not a float32 tensor");
  const auto& dims = in.type().tensor_type().shape().dim();
  if (dims.size() != 4) fail("has " + std::to_string(dims.size()) + " dimensions, expected NCHW (4)");
  if (dims[0].has_dim_value() && dims[0].dim_value() != 1)
    fail("batch size " + std::to_string(dims[0].dim_value()) + ": expected 1 or a symbolic batch dimension");
  int v[3] = {0, 0, 0};
  for (int i = 1; i < 4; ++i) {
    if (!dims[i].has_dim_value() || dims[i].dim_value() < 1 || dims[i].dim_value() > 4096)
      fail("dimension " + std::to_string(i) +
           " must be a fixed size in 1 .. 4096 (NCHW input of fixed shape)");
    v[i - 1] = static_cast<int>(dims[i].dim_value());
  }
  flow_ = Flow{in.name(), false, v[0], v[1], v[2], 0};
  out_.network.input = golden::Shape{v[1], v[2], v[0]};
  where_.clear();
}

void Importer::read_metadata() {
  for (const auto& p : m_.metadata_props()) {
    if (p.key() != kPeMetadataKey) continue;
    if (p.value() != "min" && p.value() != "mul")
      fail(std::string("metadata ") + kPeMetadataKey + " is '" + p.value() + "', expected 'min' or 'mul'");
    out_.pe = p.value();
  }
}

void Importer::check_node_io(std::size_t min_inputs, std::size_t max_inputs) {
  const auto& n = node();
  if (std::size_t(n.input_size()) < min_inputs || std::size_t(n.input_size()) > max_inputs)
    fail("has " + std::to_string(n.input_size()) + " inputs, expected " + std::to_string(min_inputs) +
         (max_inputs > min_inputs ? " to " + std::to_string(max_inputs) : ""));
  if (n.input(0) != flow_.name)
    fail("its input '" + n.input(0) + "' is not the output of the previous node ('" + flow_.name +
         "'): only a single chain of nodes from the graph input is supported");
  for (int i = 1; i < n.output_size(); ++i)
    if (!n.output(i).empty() && n.op_type() != "Dropout")
      fail("has more than one output; only the first one is supported");
}

FloatLayer& Importer::push(LayerType type) {
  FloatLayer l;
  l.type = type;
  l.name = node().name().empty() ? node().op_type() + "_" + std::to_string(index_) : node().name();
  while (!names_.insert(l.name).second) l.name += "_" + std::to_string(index_);
  out_.network.layers.push_back(std::move(l));
  out_.layer_origin.push_back(where_);
  return out_.network.layers.back();
}

}  // namespace minconv::onnxio::detail

namespace minconv::onnxio::detail {

const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::string dims_string(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

void Importer::finish_output() {
  where_.clear();
  if (g_.output_size() != 1)
    fail("the graph has " + std::to_string(g_.output_size()) + " outputs, expected 1 (the logits)");
  if (g_.output(0).name() != flow_.name)
    fail("the graph output '" + g_.output(0).name() + "' is not the end of the node chain ('" + flow_.name +
         "')");
  if (out_.network.layers.empty()) fail("the graph has no Conv, Gemm or MatMul layer");
  const LayerType last = out_.network.layers.back().type;
  if (last != LayerType::kConv && last != LayerType::kFc)
    fail(
        "the last layer is a pool: the platform's last layer must be a Conv, Gemm or MatMul (its raw int32 "
        "output is the logits)");
  const auto& t = g_.output(0).type();
  if (!t.has_tensor_type() || !t.tensor_type().has_shape()) return;
  std::vector<int64_t> want =
      flow_.flat ? std::vector<int64_t>{flow_.k} : std::vector<int64_t>{flow_.c, flow_.h, flow_.w};
  const auto& dims = t.tensor_type().shape().dim();
  if (std::size_t(dims.size()) != want.size() + 1)
    fail("the graph output '" + flow_.name + "' has " + std::to_string(dims.size()) +
         " dimensions, the nodes produce " + std::to_string(want.size() + 1));
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& d = dims[static_cast<int>(i + 1)];
    if (d.has_dim_value() && d.dim_value() != want[i])
      fail("the graph output '" + flow_.name + "' is declared with dimension " + std::to_string(i + 1) +
           " = " + std::to_string(d.dim_value()) + ", the nodes produce " + std::to_string(want[i]));
  }
}

OnnxModel Importer::run() {
  for (const auto& t : g_.initializer()) inits_[t.name()] = &t;
  read_metadata();
  read_input();
  for (index_ = 0; index_ < std::size_t(g_.node_size()); ++index_) {
    const onnx::NodeProto& n = node();
    where_ = "node " + std::to_string(index_) + " '" + n.name() + "' (" + n.op_type() + ")";
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail("op domain '" + n.domain() + "' is not supported (only the standard ONNX domain)");
    const std::string& op = n.op_type();
    if (op == "Constant") {
      const onnx::AttributeProto* v = find_attribute(n, "value");
      if (!v || v->type() != onnx::AttributeProto::TENSOR || n.output_size() != 1)
        fail("only Constant nodes with a tensor 'value' are supported");
      constants_[n.output(0)] = read_tensor(v->t(), "the Constant value", true);  // int64: shapes, pads
      continue;
    }
    const bool was_matmul = pending_matmul_bias_, was_conv = last_is_bare_conv_;
    pending_matmul_bias_ = last_is_bare_conv_ = false;
    if (op == "Conv") {
      conv();
    } else if (op == "BatchNormalization") {
      if (!was_conv) fail("BatchNormalization must directly follow a Conv (it is folded into its weights)");
      batchnorm();
    } else if (op == "Relu") {
      relu();
    } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") {
      pool(op == "MaxPool", op == "GlobalAveragePool");
    } else if (op == "Flatten" || op == "Reshape") {
      flatten(op == "Reshape");
    } else if (op == "Gemm" || op == "MatMul") {
      gemm(op == "MatMul");
    } else if (op == "Add" && was_matmul) {
      add_bias();
    } else if (op == "Pad") {
      pad();
    } else if (op == "Identity" || op == "Dropout") {
      check_node_io(1, 3);
    } else {
      fail(op == "Add" ? "Add is supported only as the bias right after a MatMul"
                       : "op type '" + op + "' is not supported (docs/models.md lists the supported ops)");
    }
    flow_.name = n.output(0);
  }
  finish_output();
  golden::infer_shapes(out_.network);  // a last consistency check
  return out_;
}

}  // namespace minconv::onnxio::detail

namespace minconv::onnxio {

OnnxModel import_onnx(const std::vector<uint8_t>& bytes, const std::string& source) {
  onnx::ModelProto model;
  if (bytes.size() > std::size_t(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw OnnxError(source + ": not an ONNX model (the protobuf ModelProto does not parse)");
  if (!model.has_graph()) throw OnnxError(source + ": the ONNX model has no graph");
  for (const auto& o : model.opset_import()) {
    if ((o.domain().empty() || o.domain() == "ai.onnx") && (o.version() < 7 || o.version() > 17))
      throw OnnxError(source + ": opset " + std::to_string(o.version()) +
                      " is not supported (7 .. 17, as libonnx 1.12 knows)");
  }
  try {
    return detail::Importer(model, source).run();
  } catch (const OnnxError&) {
    throw;
  } catch (const golden::ModelError& e) {
    throw OnnxError(source + ": " + e.what());
  }
}

OnnxModel load_onnx(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw OnnxError(path + ": cannot open");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return import_onnx(bytes, path);
}

}  // namespace minconv::onnxio
