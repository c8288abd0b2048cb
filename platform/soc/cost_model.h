#pragma once
// Area and energy estimates of the accelerator, derived from the run's counters.
//   area:   PE array only, per-PE share of the Yosys-synthesized 8x8 arrays (rtl/synth/area.json,
//           NAND2 equivalents; buffers and post-scale units are the same for both PE kinds and left out).
//   energy: MACs x energy per MAC + local buffer bytes x energy per SRAM byte + DRAM bytes x energy per
//           DRAM byte. The CPU's own energy is not modelled.
#include <optional>

#include <nlohmann/json.hpp>

#include "accel/accel_params.h"
#include "platform/config/yaml_map.h"

namespace minconv::platform {

struct CostModel {
  // Defaults: 45 nm figures from M. Horowitz, "Computing's energy problem", ISSCC 2014: 8-bit multiply
  // 0.2 pJ, 8-bit add 0.03 pJ, 32-bit add 0.1 pJ; 8 KiB SRAM 64-bit read 10 pJ; DRAM 1.3-2.6 nJ per
  // 64-bit access. A mul PE = multiply + 32-bit add; a min PE = 8-bit compare (a subtract) + 8-bit mux
  // + 32-bit add.
  double min_mac_pj = 0.14;
  double mul_mac_pj = 0.30;
  double sram_pj_per_byte = 1.25;
  double dram_pj_per_byte = 160.0;
  double nand2_um2 = 0.798;  // NAND2_X1 of the Nangate 45 nm library, to turn NAND2 equivalents into um^2
  // Per-PE area in NAND2 equivalents (from the embedded rtl/synth/area.json).
  double min_pe_nand2 = 0;
  double mul_pe_nand2 = 0;

  // Defaults plus the optional `energy:` section of the SoC YAML (keys: min_mac_pj, mul_mac_pj,
  // sram_pj_per_byte, dram_pj_per_byte, nand2_um2). Calls finish() on it.
  static CostModel from_yaml(const std::optional<config::YamlMap>& energy);
  nlohmann::json to_json() const;

  double pe_nand2(accel::PeKind kind) const {
    return kind == accel::PeKind::kMin ? min_pe_nand2 : mul_pe_nand2;
  }
  double array_nand2(accel::PeKind kind, unsigned rows, unsigned cols) const {
    return pe_nand2(kind) * rows * cols;
  }
  double mac_pj(accel::PeKind kind) const { return kind == accel::PeKind::kMin ? min_mac_pj : mul_mac_pj; }
  double energy_uj(accel::PeKind kind, uint64_t macs, uint64_t sram_bytes, uint64_t dram_bytes) const;
};

// The text of rtl/synth/area.json, embedded at build time.
extern const char* const kAreaJson;

}  // namespace minconv::platform
