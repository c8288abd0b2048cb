// Strict validation of the SoC YAML: each kind of mistake gives one error naming file, line and key.
#include "platform/soc/soc_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

namespace minconv::platform {
namespace {

using ::testing::HasSubstr;

// The embedded default with one line replaced (the line must exist: the test fails otherwise).
std::string default_with(const std::string& from, const std::string& to) {
  std::string text = kDefaultSocYaml;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "the default config has no '" << from << "'";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string error_of(const std::string& yaml) {
  try {
    SocConfig::from_yaml(config::YamlMap::load_string(yaml, "soc.yaml"));
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

// Line number (1-based) of the first occurrence of `needle` in `text`.
int line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

TEST(SocConfig, DefaultLoadsWithAllSections) {
  const SocConfig c = SocConfig::load_default();
  EXPECT_EQ(c.map.dram, 0x80000000u);
  EXPECT_EQ(c.dram.size, 64u << 20);
  EXPECT_EQ(c.dma.channels, 2u);
  ASSERT_TRUE(c.accel.has_value());
  EXPECT_EQ(c.accel->rows, 8u);
  const nlohmann::json j = c.to_json();
  for (const char* key : {"memory_map", "cpu", "bus", "dram", "dma", "accel"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["dram"]["latency_cycles"], 10);
}

TEST(SocConfig, RuntimeSwitches) {
  const SocConfig d = SocConfig::load_default();
  EXPECT_TRUE(d.runtime.reuse_outputs);
  EXPECT_TRUE(d.runtime.split_reduction);
  EXPECT_EQ(d.runtime.min_tiles, 2u);
  const SocConfig off = SocConfig::from_yaml(config::YamlMap::load_string(
      default_with("  reuse_outputs: true ", "  reuse_outputs: false "), "soc.yaml"));
  EXPECT_FALSE(off.runtime.reuse_outputs);
  EXPECT_TRUE(off.runtime.split_reduction);
  EXPECT_EQ(off.to_json()["runtime"]["reuse_outputs"], false);
  EXPECT_THAT(error_of(default_with("  reuse_outputs: true ", "  reuse_outputs: 2 ")),
              HasSubstr("key 'runtime.reuse_outputs'"));
  EXPECT_THAT(error_of(default_with("  min_tiles: 2 ", "  min_tiles: 0 ")),
              HasSubstr("key 'runtime.min_tiles'"));
  EXPECT_THAT(error_of(default_with("  reuse_outputs: true ", "  reuse_output: true ")),
              HasSubstr("unknown key 'runtime.reuse_output'"));
}

TEST(SocConfig, UnknownKey) {
  const std::string yaml = default_with("  latency_cycles: 10", "  latency_cycels: 10");
  EXPECT_THAT(error_of(yaml), HasSubstr("soc.yaml:" + std::to_string(line_of(yaml, "latency_cycels")) +
                                        ":3: error: unknown key 'dram.latency_cycels'"));
}

TEST(SocConfig, UnknownTopLevelSection) {
  const std::string yaml = std::string(kDefaultSocYaml) + "gpu:\n  cores: 4\n";
  EXPECT_THAT(error_of(yaml), HasSubstr("error: unknown key 'gpu'"));
}

TEST(SocConfig, WrongType) {
  const std::string yaml = default_with("  channels: 2 ", "  channels: two ");
  EXPECT_THAT(error_of(yaml), HasSubstr("soc.yaml:" + std::to_string(line_of(yaml, "channels: two")) +
                                        ":13: error: key 'dma.channels': expected a non-negative integer"));
}

TEST(SocConfig, OutOfRange) {
  EXPECT_THAT(error_of(default_with("  channels: 2 ", "  channels: 9 ")), HasSubstr("key 'dma.channels'"));
  EXPECT_THAT(error_of(default_with("  clock_mhz: 500          # CPU", "  clock_mhz: 0 # CPU")),
              HasSubstr("key 'cpu.clock_mhz': value 0 is out of range"));
  EXPECT_THAT(error_of(default_with("  rows: 8 ", "  rows: 1000 ")), HasSubstr("key 'accel.rows'"));
  EXPECT_THAT(error_of(default_with("  pe: min ", "  pe: max ")), HasSubstr("key 'accel.pe'"));
}

TEST(SocConfig, MissingRequiredKey) {
  const std::string yaml = default_with("  size: 0x4000000 ", "  # size removed ");
  EXPECT_THAT(error_of(yaml), HasSubstr("key 'dram.size': missing required key"));
  EXPECT_THAT(error_of(default_with("  irq: 0x40001000 ", "  # irq ")),
              HasSubstr("key 'memory_map.irq': missing"));
}

TEST(SocConfig, OverlappingRegions) {
  const std::string yaml = default_with("  irq: 0x40001000 ", "  irq: 0x40000800 ");
  const std::string e = error_of(yaml);
  EXPECT_THAT(e, HasSubstr("soc.yaml:" + std::to_string(line_of(yaml, "irq: 0x40000800"))));
  EXPECT_THAT(e,
              HasSubstr("key 'memory_map.irq': region 'irq' [0x40000800, 0x400017ff] overlaps region 'dma'"));
  // DRAM large enough to run into the accelerator SRAM window.
  EXPECT_THAT(error_of(default_with("  dram: 0x80000000 ", "  dram: 0x4fff0000 ")), HasSubstr("overlaps"));
}

TEST(SocConfig, RegionOutsideAddressSpace) {
  EXPECT_THAT(error_of(default_with("  dram: 0x80000000 ", "  dram: 0xFF000000 ")),
              HasSubstr("does not fit the 32-bit address space"));
}

TEST(SocConfig, SyntaxErrorAndMissingFile) {
  EXPECT_THAT(error_of("memory_map: [\n"), HasSubstr("soc.yaml:"));
  try {
    SocConfig::load_file("/nonexistent.yaml");
    FAIL() << "no error";
  } catch (const config::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent.yaml: error: cannot open: No such file or directory"));
  }
}

TEST(SocConfig, WithoutAcceleratorSection) {
  std::string text = kDefaultSocYaml;
  text = text.substr(0, text.find("accel:\n  rows"));
  text = std::regex_replace(text, std::regex("  accel_(csr|sram):[^\n]*\n"), "");
  const SocConfig c = SocConfig::from_yaml(config::YamlMap::load_string(text, "noaccel.yaml"));
  EXPECT_FALSE(c.accel.has_value());
  EXPECT_EQ(c.regions().size(), 3u);
}

TEST(SocConfig, BaselineArrayAndEnergy) {
  const SocConfig d = SocConfig::load_default();
  EXPECT_EQ(d.baseline_rows, d.accel->rows);
  EXPECT_EQ(d.baseline_cols, d.accel->cols);
  EXPECT_GT(d.costs.mul_pe_nand2, d.costs.min_pe_nand2);  // from rtl/synth/area.json
  const std::string yaml = std::string(kDefaultSocYaml) + "baseline:\n  rows: 4\n  cols: 6\n";
  const SocConfig c = SocConfig::from_yaml(config::YamlMap::load_string(yaml, "soc.yaml"));
  EXPECT_EQ(c.baseline_rows, 4u);
  EXPECT_EQ(c.baseline_cols, 6u);
  EXPECT_DOUBLE_EQ(c.costs.array_nand2(accel::PeKind::kMul, 4, 6), 24 * c.costs.mul_pe_nand2);
  EXPECT_THAT(error_of(std::string(kDefaultSocYaml) + "baseline:\n  rows: 65\n"),
              HasSubstr("key 'baseline.rows'"));
  EXPECT_THAT(error_of(default_with("  dram_pj_per_byte: 160", "  dram_pj_per_bite: 160")),
              HasSubstr("unknown key 'energy.dram_pj_per_bite'"));
  // 1 pJ per MAC, nothing else: 1e6 MACs = 1 uJ.
  CostModel m = c.costs;
  m.min_mac_pj = 1.0;
  EXPECT_DOUBLE_EQ(m.energy_uj(accel::PeKind::kMin, 1000000, 0, 0), 1.0);
}

TEST(SocConfig, IsoAreaConfigFitsTheMultiplierArea) {
  const SocConfig c = SocConfig::load_file(std::string(MINCONV_SOURCE_DIR) + "/configs/soc/iso_area.yaml");
  ASSERT_TRUE(c.accel.has_value());
  EXPECT_EQ(c.accel->pe, accel::PeKind::kMin);
  const double min_area = c.costs.array_nand2(accel::PeKind::kMin, c.accel->rows, c.accel->cols);
  const double mul_area = c.costs.array_nand2(accel::PeKind::kMul, c.baseline_rows, c.baseline_cols);
  EXPECT_LE(min_area, mul_area);
  // No room for another row or column of min PEs.
  EXPECT_GT(c.costs.array_nand2(accel::PeKind::kMin, c.accel->rows, c.accel->cols + 1), mul_area);
}

}  // namespace
}  // namespace minconv::platform
