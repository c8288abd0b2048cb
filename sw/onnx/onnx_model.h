#pragma once
// ONNX models in and out of the platform (docs/models.md): a sequential CNN in an ONNX file becomes a
// golden::FloatNetwork (HWC tensors, out_c x kh x kw x in_c weights), and a FloatNetwork becomes an ONNX
// file that any ONNX tool opens. Plain C++ on Debian's libonnx protobuf classes (no SystemC); the
// protobuf types stay inside the .cpp files.
#include <cstdint>
#include <string>
#include <vector>

#include "sw/golden/network.h"

namespace minconv::onnxio {

// A model that cannot be read, or a node the platform cannot run. The message names the file and, for a
// node, its index, name and op type, and says why.
class OnnxError : public golden::ModelError {
 public:
  using golden::ModelError::ModelError;
};

// metadata_props key that says for which operator the float weights were trained: "min" (trained or
// fine-tuned as a MinConvNet, DESIGN.md §2) or "mul" (a standard CNN). Absent: a standard CNN.
constexpr const char* kPeMetadataKey = "minconv.pe";

// A network imported from ONNX. layer_origin[i] names the ONNX node(s) of layer i for error messages
// ("node 3 'conv2' (Conv)").
struct OnnxModel {
  golden::FloatNetwork network;
  std::string pe = "mul";  // value of minconv.pe ("mul" when absent)
  std::vector<std::string> layer_origin;
};

// Reads an ONNX model (serialized ModelProto). `source` names it in errors. Supported: see docs/models.md.
// Throws OnnxError for anything else, naming the node.
OnnxModel import_onnx(const std::vector<uint8_t>& bytes, const std::string& source);
OnnxModel load_onnx(const std::string& path);

// Writes `net` as an ONNX model (opset 13, NCHW input 1 x C x H x W, output 1 x N for an fc last layer):
// Conv/Relu/MaxPool/AveragePool/Flatten/Gemm, with weights converted to ONNX layouts. `pe` ("min" or "mul")
// goes into the minconv.pe metadata. Throws golden::ModelError on an inconsistent network or I/O error.
std::vector<uint8_t> export_onnx(const golden::FloatNetwork& net, const std::string& pe,
                                 const std::string& graph_name = "minconv");
void save_onnx(const golden::FloatNetwork& net, const std::string& pe, const std::string& path);

// Float forward pass of `net` on one NCHW input (C*H*W values, PyTorch's order); the output in NCHW order
// (for an fc last layer: its N values). Standard operator (FloatMode::kStandard).
std::vector<float> run_nchw(const golden::FloatNetwork& net, const std::vector<float>& nchw);

// Legacy MCNF weight files (sw/train/float_network_file.h): the network they describe, with layer names
// conv1, pool1, fc1, ... numbered per kind, and their weights.
golden::FloatNetwork read_mcnf_network(const std::vector<uint8_t>& bytes, const std::string& source);

}  // namespace minconv::onnxio
