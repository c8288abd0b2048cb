#include "platform/soc/cost_model.h"

#include <stdexcept>

namespace minconv::platform {

CostModel CostModel::from_yaml(const std::optional<config::YamlMap>& energy) {
  CostModel m;
  const nlohmann::json area = nlohmann::json::parse(kAreaJson);
  m.min_pe_nand2 = area.at("designs").at("array8x8_min_a20").at("nand2_eq").get<double>() / 64.0;
  m.mul_pe_nand2 = area.at("designs").at("array8x8_mul_a27").at("nand2_eq").get<double>() / 64.0;
  if (energy) {
    m.min_mac_pj = energy->real_or("min_mac_pj", m.min_mac_pj, 0, 1e6);
    m.mul_mac_pj = energy->real_or("mul_mac_pj", m.mul_mac_pj, 0, 1e6);
    m.sram_pj_per_byte = energy->real_or("sram_pj_per_byte", m.sram_pj_per_byte, 0, 1e6);
    m.dram_pj_per_byte = energy->real_or("dram_pj_per_byte", m.dram_pj_per_byte, 0, 1e6);
    m.nand2_um2 = energy->real_or("nand2_um2", m.nand2_um2, 1e-6, 1e6);
    energy->finish();
  }
  return m;
}

nlohmann::json CostModel::to_json() const {
  return {{"min_mac_pj", min_mac_pj},
          {"mul_mac_pj", mul_mac_pj},
          {"sram_pj_per_byte", sram_pj_per_byte},
          {"dram_pj_per_byte", dram_pj_per_byte},
          {"nand2_um2", nand2_um2},
          {"min_pe_nand2", min_pe_nand2},
          {"mul_pe_nand2", mul_pe_nand2}};
}

double CostModel::energy_uj(accel::PeKind kind, uint64_t macs, uint64_t sram_bytes,
                            uint64_t dram_bytes) const {
  const double pj = static_cast<double>(macs) * mac_pj(kind) +
                    static_cast<double>(sram_bytes) * sram_pj_per_byte +
                    static_cast<double>(dram_bytes) * dram_pj_per_byte;
  return pj * 1e-6;
}

}  // namespace minconv::platform
