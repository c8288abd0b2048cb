#pragma once
// Internal to minconv_onnx: Debian's libonnx protobuf classes, helpers on them and the importer's state
// (onnx_import.cpp reads the graph, onnx_import_ops.cpp converts each supported op).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sw/onnx/onnx_model.h"

namespace minconv::onnxio::detail {

// A float32 tensor read from an initializer or a Constant node: dims and values.
struct FloatTensor {
  std::vector<int64_t> dims;
  std::vector<float> values;
};

// Attribute lookup with defaults; a wrong attribute type is reported through `fail`.
const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name);
std::string dims_string(const std::vector<int64_t>& dims);

// The tensor flowing along the chain: N x C x H x W, or N x K after a flatten. A flat tensor made from a
// C x H x W one keeps that shape (chw) because PyTorch flattens in CHW order, the platform in HWC order.
struct Flow {
  std::string name;
  bool flat = false;
  int c = 0, h = 0, w = 0;  // spatial (or the shape a flat vector was flattened from)
  int64_t k = 0;            // flat length
};

class Importer {
 public:
  Importer(const onnx::ModelProto& m, std::string source)
      : m_(m), g_(m.graph()), source_(std::move(source)) {}
  OnnxModel run();

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw OnnxError(source_ + ": " + where_ + (where_.empty() ? "" : ": ") + why);
  }
  const onnx::NodeProto& node() const { return g_.node(static_cast<int>(index_)); }
  int64_t int_attr(const std::string& name, int64_t fallback) const;
  std::vector<int64_t> ints_attr(const std::string& name, std::vector<int64_t> fallback) const;
  std::string string_attr(const std::string& name, const std::string& fallback) const;
  float float_attr(const std::string& name, float fallback) const;
  FloatTensor tensor(const std::string& name, const char* role, bool int64 = false) const;
  // Float32 values; with `int64`, int64 values (shapes, pads) are accepted too and converted.
  FloatTensor read_tensor(const onnx::TensorProto& t, const std::string& what, bool int64 = false) const;
  void read_input();
  void read_metadata();
  void check_node_io(std::size_t min_inputs, std::size_t max_inputs);
  void conv();
  void batchnorm();
  void relu();
  void pad();
  void pool(bool max, bool global);
  void flatten(bool reshape);
  void gemm(bool matmul);
  void add_bias();
  void finish_output();
  golden::FloatLayer& push(golden::LayerType type);
  std::vector<float> fc_weights(const FloatTensor& b, bool trans_b, int64_t n);

  const onnx::ModelProto& m_;
  const onnx::GraphProto& g_;
  std::string source_, where_;
  std::size_t index_ = 0;
  std::map<std::string, const onnx::TensorProto*> inits_;
  std::map<std::string, FloatTensor> constants_;
  std::set<std::string> names_;
  Flow flow_;
  OnnxModel out_;
  bool pending_matmul_bias_ = false;  // the last layer is a MatMul whose Add may follow
  bool last_is_bare_conv_ = false;    // the last node made a conv layer (a BatchNormalization may follow)
};

}  // namespace minconv::onnxio::detail
