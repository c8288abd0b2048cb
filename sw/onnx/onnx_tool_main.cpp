// minconv-onnx: ONNX models and the platform (docs/models.md).
//   minconv-onnx info MODEL.onnx                      the platform layers an ONNX model becomes
//   minconv-onnx run MODEL.onnx INPUT.f32             float forward pass on NCHW float32 inputs (one per
//                                                     C*H*W values), one output vector per line
//   minconv-onnx convert IN.mcnf OUT.onnx --pe min    a legacy MCNF weight file as ONNX
// Exit codes: 0 success, 2 bad arguments or input files.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "sw/onnx/onnx_model.h"

namespace {

using namespace minconv;

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw golden::ModelError(path + ": cannot open");
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

int info(const std::string& path) {
  const onnxio::OnnxModel m = onnxio::load_onnx(path);
  const std::vector<golden::Shape> shapes = golden::infer_shapes(m.network);
  std::printf("%s: input %s, %s %s, %zu layers\n", path.c_str(), golden::to_string(m.network.input).c_str(),
              onnxio::kPeMetadataKey, m.pe.c_str(), m.network.layers.size());
  for (std::size_t i = 0; i < m.network.layers.size(); ++i) {
    const golden::FloatLayer& l = m.network.layers[i];
    std::printf("  %-12s %-8s -> %-10s%s  from %s\n", l.name.c_str(), golden::to_string(l.type),
                golden::to_string(shapes[i]).c_str(), l.relu ? " relu" : "", m.layer_origin[i].c_str());
  }
  return 0;
}

int run(const std::string& model_path, const std::string& input_path) {
  const onnxio::OnnxModel m = onnxio::load_onnx(model_path);
  const std::vector<uint8_t> bytes = read_bytes(input_path);
  const golden::Shape& s = m.network.input;
  const std::size_t per = std::size_t(s.h) * s.w * s.c;
  if (bytes.empty() || bytes.size() % (per * 4) != 0)
    throw golden::ModelError(input_path + ": " + std::to_string(bytes.size()) +
                             " bytes is not a whole number of float32 NCHW inputs of " +
                             golden::to_string(s));
  for (std::size_t n = 0; n < bytes.size() / (per * 4); ++n) {
    std::vector<float> x(per);
    std::memcpy(x.data(), bytes.data() + n * per * 4, per * 4);
    const std::vector<float> y = onnxio::run_nchw(m.network, x);
    for (std::size_t i = 0; i < y.size(); ++i) std::printf("%s%.9g", i ? " " : "", double(y[i]));
    std::printf("\n");
  }
  return 0;
}

int convert(const std::string& in, const std::string& out, const std::string& pe) {
  const golden::FloatNetwork net = onnxio::read_mcnf_network(read_bytes(in), in);
  onnxio::save_onnx(net, pe, out);
  std::printf("wrote %s (%zu layers, %s=%s) from %s\n", out.c_str(), net.layers.size(),
              onnxio::kPeMetadataKey, pe.c_str(), in.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"minconv-onnx: ONNX models and the MinConv platform (docs/models.md)"};
  app.require_subcommand(1);
  std::string model, input, mcnf, out, pe = "mul";
  CLI::App* info_cmd = app.add_subcommand("info", "print the platform layers an ONNX model becomes");
  info_cmd->add_option("model", model, "ONNX model")->required();
  CLI::App* run_cmd = app.add_subcommand("run", "float forward pass on NCHW float32 inputs, one line each");
  run_cmd->add_option("model", model, "ONNX model")->required();
  run_cmd->add_option("input", input, "raw little-endian float32 NCHW inputs, back to back")->required();
  CLI::App* conv_cmd = app.add_subcommand("convert", "convert a legacy MCNF weight file to ONNX");
  conv_cmd->add_option("mcnf", mcnf, "MCNF file")->required();
  conv_cmd->add_option("onnx", out, "ONNX file to write")->required();
  conv_cmd->add_option("--pe", pe, "minconv.pe metadata: min (trained as a MinConvNet) or mul")
      ->check(CLI::IsMember({"min", "mul"}))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (*info_cmd) return info(model);
    if (*run_cmd) return run(model, input);
    return convert(mcnf, out, pe);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "minconv-onnx: error: %s\n", e.what());
    return 2;
  }
}
