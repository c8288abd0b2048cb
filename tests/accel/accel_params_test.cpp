#include "accel/accel_params.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "accel/accelerator.h"

namespace minconv::accel {
namespace {

using ::testing::HasSubstr;

AccelParams parse(const std::string& text) {
  const config::YamlMap root = config::YamlMap::load_string(text, "test.yaml");
  const AccelParams p = AccelParams::from_yaml(root.map("accel"));
  return p;
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(AccelParams, DefaultsWhenSectionIsEmpty) {
  const AccelParams p = parse("accel: {}\n");
  EXPECT_EQ(p.rows, 8u);
  EXPECT_EQ(p.cols, 8u);
  EXPECT_EQ(p.pe, PeKind::kMin);
  EXPECT_EQ(p.engine, EngineKind::kCpp);
  EXPECT_EQ(p.sram_bytes(), 160u * 1024);
}

TEST(AccelParams, ReadsEveryKey) {
  const AccelParams p = parse(
      "accel:\n  rows: 16\n  cols: 4\n  pe: mul\n  clock_mhz: 250\n  input_buffer_bytes: 2048\n"
      "  weight_buffer_bytes: 0x1000\n  output_buffer_bytes: 1024\n  sram_latency_cycles: 3\n"
      "  sram_width_bytes: 8\n  engine: cpp\n");
  EXPECT_EQ(p.rows, 16u);
  EXPECT_EQ(p.cols, 4u);
  EXPECT_EQ(p.pe, PeKind::kMul);
  EXPECT_DOUBLE_EQ(p.clock_mhz, 250.0);
  EXPECT_EQ(p.input_buffer_bytes, 2048u);
  EXPECT_EQ(p.weight_buffer_bytes, 4096u);
  EXPECT_EQ(p.output_buffer_bytes, 1024u);
  EXPECT_EQ(p.sram_latency_cycles, 3u);
  EXPECT_EQ(p.sram_width_bytes, 8u);
  EXPECT_EQ(p.engine, EngineKind::kCpp);
  EXPECT_EQ(p.sram_bytes(), 2048u + 4096u + 1024u);
  EXPECT_EQ(p.wt_buf_offset(), 2048u);
  EXPECT_EQ(p.out_buf_offset(), 2048u + 4096u);
  const nlohmann::json j = p.to_json();
  EXPECT_EQ(j.at("pe"), "mul");
  EXPECT_EQ(j.at("engine"), "cpp");
  EXPECT_EQ(j.at("rows"), 16);
}

// engine: rtl needs a Verilated array of that shape and kind: checked when the YAML is read (file, line,
// key).
TEST(AccelParams, RtlEngineNeedsAVerilatedArray) {
  EXPECT_THAT(error_of("accel:\n  rows: 16\n  cols: 4\n  pe: mul\n  engine: rtl\n"),
              HasSubstr("test.yaml:5:11: error: key 'accel.engine': engine: rtl "));
#ifdef MINCONV_HAVE_RTL
  EXPECT_EQ(parse("accel:\n  rows: 8\n  cols: 8\n  pe: mul\n  engine: rtl\n").engine, EngineKind::kRtl);
  EXPECT_THAT(error_of("accel:\n  rows: 16\n  cols: 4\n  engine: rtl\n"),
              HasSubstr("supported configurations: 4x4 min"));
#else
  EXPECT_THAT(error_of("accel:\n  rows: 8\n  cols: 8\n  engine: rtl\n"),
              HasSubstr("needs the RTL co-simulation build"));
#endif
}

TEST(AccelParams, UnknownKeyIsAnError) {
  const std::string e = error_of("accel:\n  rows: 8\n  colums: 8\n");
  EXPECT_NE(e.find("colums"), std::string::npos) << e;
  EXPECT_NE(e.find("test.yaml:3"), std::string::npos) << e;
}

TEST(AccelParams, BadPeValueIsAnError) {
  const std::string e = error_of("accel:\n  pe: approx\n");
  EXPECT_NE(e.find("accel.pe"), std::string::npos) << e;
}

TEST(AccelParams, BadEngineValueIsAnError) {
  EXPECT_NE(error_of("accel:\n  engine: python\n").find("accel.engine"), std::string::npos);
}

TEST(AccelParams, OutOfRangeValuesAreErrors) {
  EXPECT_NE(error_of("accel:\n  rows: 0\n").find("accel.rows"), std::string::npos);
  EXPECT_NE(error_of("accel:\n  cols: 65\n").find("accel.cols"), std::string::npos);
  EXPECT_NE(error_of("accel:\n  clock_mhz: 0.5\n").find("accel.clock_mhz"), std::string::npos);
  EXPECT_NE(error_of("accel:\n  input_buffer_bytes: 512\n").find("accel.input_buffer_bytes"),
            std::string::npos);
  EXPECT_NE(error_of("accel:\n  output_buffer_bytes: 33554432\n").find("accel.output_buffer_bytes"),
            std::string::npos);
  EXPECT_NE(error_of("accel:\n  sram_width_bytes: 0\n").find("accel.sram_width_bytes"), std::string::npos);
  EXPECT_NE(error_of("accel:\n  sram_latency_cycles: 1001\n").find("accel.sram_latency_cycles"),
            std::string::npos);
}

TEST(AccelParams, BufferMustBeAMultipleOf64) {
  const std::string e = error_of("accel:\n  weight_buffer_bytes: 1100\n");
  EXPECT_NE(e.find("accel.weight_buffer_bytes"), std::string::npos) << e;
  EXPECT_NE(e.find("multiple of 64"), std::string::npos) << e;
}

TEST(AccelParams, ValidateRejectsOutOfRangeStruct) {
  AccelParams p;
  EXPECT_NO_THROW(p.validate());
  p.cols = 0;
  EXPECT_THROW(p.validate(), config::ConfigError);
  p = AccelParams{};
  p.input_buffer_bytes = 1000;
  EXPECT_THROW(p.validate(), config::ConfigError);
}

#ifndef MINCONV_HAVE_RTL
// Without Verilator the RTL engine does not exist: asking for it is a clear configuration error.
TEST(AccelParams, RtlEngineIsAClearConfigErrorInThisBuild) {
  AccelParams p;
  p.engine = EngineKind::kRtl;
  try {
    Accelerator a("accel", p);
    FAIL() << "expected a ConfigError";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("engine: rtl needs the RTL co-simulation build"), std::string::npos)
        << e.what();
  }
}
#else
// With Verilator the RTL engine is built for the supported arrays (tests/cosim checks it in depth).
TEST(AccelParams, RtlEngineIsBuiltForASupportedArray) {
  AccelParams p;
  p.engine = EngineKind::kRtl;
  EXPECT_NO_THROW(Accelerator a("accel", p));
}
#endif

}  // namespace
}  // namespace minconv::accel
