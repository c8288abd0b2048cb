#include "accel/accel_params.h"

#include <string>

#ifdef MINCONV_HAVE_RTL
#include "accel/engine/rtl_tile_engine.h"
#endif

namespace minconv::accel {

namespace {
constexpr uint64_t kMinBuffer = 1024;
constexpr uint64_t kMaxBuffer = 16u * 1024 * 1024;

std::string buffer_problem(uint64_t bytes) {
  if (bytes < kMinBuffer || bytes > kMaxBuffer) return "must be within [1024, 16777216] bytes";
  if (bytes % 64 != 0) return "must be a multiple of 64 bytes";
  return {};
}

uint32_t read_buffer(const config::YamlMap& m, const std::string& key, uint32_t fallback) {
  const uint64_t v = m.u64_or(key, fallback, kMinBuffer, kMaxBuffer);
  const std::string problem = buffer_problem(v);
  if (!problem.empty()) m.fail(key, problem);
  return static_cast<uint32_t>(v);
}
}  // namespace

std::string rtl_engine_problem(unsigned rows, unsigned cols, PeKind pe) {
#ifdef MINCONV_HAVE_RTL
  if (rtl_array_supported(rows, cols, pe)) return {};
  return "engine: rtl has no Verilated PE array for rows " + std::to_string(rows) + ", cols " +
         std::to_string(cols) + ", pe " + to_string(pe) +
         "; supported configurations: " + rtl::supported_configs_string();
#else
  (void)rows;
  (void)cols;
  (void)pe;
  return "engine: rtl needs the RTL co-simulation build (cmake -DMINCONV_WITH_RTL=ON, with Verilator)";
#endif
}

const char* to_string(PeKind kind) { return kind == PeKind::kMin ? "min" : "mul"; }
const char* to_string(EngineKind kind) { return kind == EngineKind::kCpp ? "cpp" : "rtl"; }

AccelParams AccelParams::from_yaml(const config::YamlMap& m) {
  AccelParams p;
  p.rows = static_cast<unsigned>(m.u64_or("rows", p.rows, 1, 64));
  p.cols = static_cast<unsigned>(m.u64_or("cols", p.cols, 1, 64));
  p.pe = m.choice_or("pe", to_string(p.pe), {"min", "mul"}) == "min" ? PeKind::kMin : PeKind::kMul;
  p.clock_mhz = m.real_or("clock_mhz", p.clock_mhz, 1, 10000);
  p.input_buffer_bytes = read_buffer(m, "input_buffer_bytes", p.input_buffer_bytes);
  p.weight_buffer_bytes = read_buffer(m, "weight_buffer_bytes", p.weight_buffer_bytes);
  p.output_buffer_bytes = read_buffer(m, "output_buffer_bytes", p.output_buffer_bytes);
  p.sram_latency_cycles =
      static_cast<unsigned>(m.u64_or("sram_latency_cycles", p.sram_latency_cycles, 0, 1000));
  p.sram_width_bytes = static_cast<unsigned>(m.u64_or("sram_width_bytes", p.sram_width_bytes, 1, 1024));
  p.engine = m.choice_or("engine", to_string(p.engine), {"cpp", "rtl"}) == "cpp" ? EngineKind::kCpp
                                                                                 : EngineKind::kRtl;
  p.pooling = m.flag_or("pooling", p.pooling);
  if (p.engine == EngineKind::kRtl) {
    const std::string problem = rtl_engine_problem(p.rows, p.cols, p.pe);
    if (!problem.empty()) m.fail("engine", problem);
  }
  m.finish();
  return p;
}

void AccelParams::validate() const {
  auto bad = [](const std::string& what) { throw config::ConfigError("accel: error: " + what); };
  if (rows < 1 || rows > 64) bad("rows must be within [1, 64]");
  if (cols < 1 || cols > 64) bad("cols must be within [1, 64]");
  if (!(clock_mhz >= 1 && clock_mhz <= 10000)) bad("clock_mhz must be within [1, 10000]");
  for (const auto& [name, bytes] :
       {std::pair<const char*, uint32_t>{"input_buffer_bytes", input_buffer_bytes},
        {"weight_buffer_bytes", weight_buffer_bytes},
        {"output_buffer_bytes", output_buffer_bytes}}) {
    const std::string problem = buffer_problem(bytes);
    if (!problem.empty()) bad(std::string(name) + " " + problem);
  }
  if (sram_latency_cycles > 1000) bad("sram_latency_cycles must be within [0, 1000]");
  if (sram_width_bytes < 1 || sram_width_bytes > 1024) bad("sram_width_bytes must be within [1, 1024]");
}

nlohmann::json AccelParams::to_json() const {
  return {{"rows", rows},
          {"cols", cols},
          {"pe", to_string(pe)},
          {"clock_mhz", clock_mhz},
          {"input_buffer_bytes", input_buffer_bytes},
          {"weight_buffer_bytes", weight_buffer_bytes},
          {"output_buffer_bytes", output_buffer_bytes},
          {"sram_latency_cycles", sram_latency_cycles},
          {"sram_width_bytes", sram_width_bytes},
          {"engine", to_string(engine)},
          {"pooling", pooling},
          {"max_pool", pooling ? kMaxPoolSide : 0u},
          {"max_kernel", kMaxKernelSide},
          {"max_stride", kMaxStrideValue}};
}

}  // namespace minconv::accel
