#include "platform/soc/soc_config.h"

#include <sstream>

namespace minconv::platform {

namespace {
constexpr uint64_t kMaxAddress = 0xFFFFFFFFull;

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}
}  // namespace

namespace {

sw::RuntimeOptions runtime_from_yaml(const config::YamlMap& m) {
  sw::RuntimeOptions o;
  o.fuse_pooling = m.flag_or("fuse_pooling", o.fuse_pooling);
  o.prefetch_weights = m.flag_or("prefetch_weights", o.prefetch_weights);
  o.split_reduction = m.flag_or("split_reduction", o.split_reduction);
  o.reuse_outputs = m.flag_or("reuse_outputs", o.reuse_outputs);
  o.share_weights = m.flag_or("share_weights", o.share_weights);
  o.min_tiles = static_cast<uint32_t>(m.u64_or("min_tiles", o.min_tiles, 1, 64));
  return o;
}

}  // namespace

SocConfig SocConfig::from_yaml(const config::YamlMap& root) {
  SocConfig c;
  c.source = root.file();
  const config::YamlMap mm = root.map("memory_map");
  c.map.dram = static_cast<uint32_t>(mm.u64("dram", 0, kMaxAddress));
  c.map.dma = static_cast<uint32_t>(mm.u64("dma", 0, kMaxAddress));
  c.map.irq = static_cast<uint32_t>(mm.u64("irq", 0, kMaxAddress));
  const bool has_accel = root.has("accel");
  if (has_accel) {
    c.map.accel_csr = static_cast<uint32_t>(mm.u64("accel_csr", 0, kMaxAddress));
    c.map.accel_sram = static_cast<uint32_t>(mm.u64("accel_sram", 0, kMaxAddress));
  }
  mm.finish();

  const config::YamlMap cpu = root.map("cpu");
  c.cpu = CpuParams::from_yaml(cpu);
  cpu.finish();
  if (auto bus = root.map_opt("bus")) {
    c.bus = RouterParams::from_yaml(*bus);
    bus->finish();
  }
  const config::YamlMap dram = root.map("dram");
  c.dram = MemoryParams::from_yaml(dram);
  dram.finish();
  if (auto dma = root.map_opt("dma")) {
    c.dma = DmaParams::from_yaml(*dma);
    dma->finish();
  }
  if (has_accel) {
    c.accel = accel::AccelParams::from_yaml(root.map("accel"));
    c.baseline_rows = c.accel->rows;
    c.baseline_cols = c.accel->cols;
    if (auto b = root.map_opt("baseline")) {
      c.baseline_rows = static_cast<unsigned>(b->u64_or("rows", c.baseline_rows, 1, 64));
      c.baseline_cols = static_cast<unsigned>(b->u64_or("cols", c.baseline_cols, 1, 64));
      b->finish();
      const std::string problem =
          c.accel->engine == accel::EngineKind::kRtl
              ? accel::rtl_engine_problem(c.baseline_rows, c.baseline_cols, accel::PeKind::kMul)
              : std::string();
      if (!problem.empty()) b->fail("rows", "the multiplier baseline runs on the RTL engine too: " + problem);
    }
  } else if (root.has("baseline")) {
    root.fail("baseline", "a baseline array needs an accel section");
  }
  c.costs = CostModel::from_yaml(root.map_opt("energy"));
  if (auto rt = root.map_opt("runtime")) {
    c.runtime = runtime_from_yaml(*rt);
    rt->finish();
  }
  root.finish();

  // Every region must fit the 32-bit address space and no two may overlap.
  const std::vector<AddressRange> regions = c.regions();
  const std::vector<std::string> keys = {"dram", "dma", "irq", "accel_csr", "accel_sram"};
  for (std::size_t i = 0; i < regions.size(); ++i) {
    if (regions[i].size == 0) mm.fail(keys[i], "region '" + regions[i].name + "' has zero size");
    if (regions[i].base + regions[i].size - 1 > kMaxAddress) {
      mm.fail(keys[i], "region '" + regions[i].name + "' [" + hex(regions[i].base) + ", " +
                           hex(regions[i].end()) + "] does not fit the 32-bit address space");
    }
  }
  if (auto overlap = find_overlap(regions)) {
    const AddressRange& a = regions[overlap->first];
    const AddressRange& b = regions[overlap->second];
    mm.fail(keys[overlap->second], "region '" + b.name + "' [" + hex(b.base) + ", " + hex(b.end()) +
                                       "] overlaps region '" + a.name + "' [" + hex(a.base) + ", " +
                                       hex(a.end()) + "]");
  }
  return c;
}

SocConfig SocConfig::load_file(const std::string& path) {
  return from_yaml(config::YamlMap::load_file(path));
}

SocConfig SocConfig::load_default() {
  return from_yaml(
      config::YamlMap::load_string(kDefaultSocYaml, "<embedded default: configs/soc/default.yaml>"));
}

std::vector<AddressRange> SocConfig::regions() const {
  std::vector<AddressRange> r = {
      {"dram", map.dram, dram.size},
      {"dma", map.dma, kCsrRegionBytes},
      {"irq", map.irq, kCsrRegionBytes},
  };
  if (accel) {
    r.push_back({"accel_csr", map.accel_csr, kCsrRegionBytes});
    r.push_back({"accel_sram", map.accel_sram, accel->sram_bytes()});
  }
  return r;
}

hal::SocInfo SocConfig::soc_info() const {
  hal::SocInfo info;
  info.dram_base = map.dram;
  info.dram_size = static_cast<uint32_t>(dram.size);
  info.dma_base = map.dma;
  info.irq_base = map.irq;
  info.accel_csr_base = accel ? map.accel_csr : 0;
  info.accel_sram_base = accel ? map.accel_sram : 0;
  info.irq_dma_first = 0;
  info.irq_accel = dma.channels;
  info.cpu_clock_mhz = cpu.clock_mhz;
  info.dram_peak_mb_s = dram.clock_mhz * dram.bytes_per_cycle;
  return info;
}

nlohmann::json SocConfig::to_json() const {
  nlohmann::json j;
  j["source"] = source;
  j["memory_map"] = {{"dram", hex(map.dram)}, {"dma", hex(map.dma)}, {"irq", hex(map.irq)}};
  if (accel) {
    j["memory_map"]["accel_csr"] = hex(map.accel_csr);
    j["memory_map"]["accel_sram"] = hex(map.accel_sram);
    j["accel"] = accel->to_json();
    j["baseline"] = {{"rows", baseline_rows}, {"cols", baseline_cols}};
  }
  j["energy"] = costs.to_json();
  j["runtime"] = {
      {"fuse_pooling", runtime.fuse_pooling},       {"prefetch_weights", runtime.prefetch_weights},
      {"split_reduction", runtime.split_reduction}, {"reuse_outputs", runtime.reuse_outputs},
      {"share_weights", runtime.share_weights},     {"min_tiles", runtime.min_tiles}};
  j["cpu"] = cpu.to_json();
  j["bus"] = bus.to_json();
  j["dram"] = dram.to_json();
  j["dma"] = dma.to_json();
  return j;
}

}  // namespace minconv::platform
