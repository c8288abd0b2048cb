#pragma once
// Parameters of the MinConv accelerator: a plain struct filled from the `accel:` section of a YAML config
// and passed to the Accelerator's constructor.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "platform/config/yaml_map.h"
#include "sw/golden/pe_kind.h"
#include "sw/hal/regs/accel_regs.h"

namespace minconv::accel {

using golden::PeKind;                  // YAML: pe: min | mul
enum class EngineKind { kCpp, kRtl };  // YAML: engine: cpp | rtl

// Fixed capabilities of the datapath (reported in kMaxKernel / kMaxStride).
constexpr unsigned kMaxKernelSide = regs::accel::kMaxKernelValue;
constexpr unsigned kMaxStrideValue = regs::accel::kMaxStrideValue;
constexpr unsigned kMaxPoolSide = regs::accel::kMaxPoolValue;

struct AccelParams {
  unsigned rows = 8;  // PE array rows R: output channels in parallel (1..64)
  unsigned cols = 8;  // PE array columns C: output pixels in parallel (1..64)
  PeKind pe = PeKind::kMin;
  double clock_mhz = 500;  // accelerator clock (1..10000 MHz)
  // Local buffers, each two ping-pong halves: multiples of 64 bytes, 1 KiB .. 16 MiB.
  uint32_t input_buffer_bytes = 64 * 1024;
  uint32_t weight_buffer_bytes = 64 * 1024;
  uint32_t output_buffer_bytes = 32 * 1024;
  unsigned sram_latency_cycles = 1;  // bus access latency to the local SRAM, accelerator cycles (0..1000)
  unsigned sram_width_bytes = 16;    // SRAM port bytes per accelerator cycle for bus accesses (1..1024)
  EngineKind engine = EngineKind::kCpp;
  bool pooling =
      true;  // a pooling unit in the output path (kMaxPool = kMaxPoolValue; off: 0, pools on the CPU)

  // Reads every key of the `accel:` section, range-checks them and calls m.finish(): this section belongs
  // to the accelerator entirely. Throws config::ConfigError.
  static AccelParams from_yaml(const config::YamlMap& m);
  // Throws config::ConfigError (without a file location) if a field is out of range.
  void validate() const;
  nlohmann::json to_json() const;

  // The SRAM window: input buffer, then weight buffer, then output buffer.
  uint32_t in_buf_offset() const { return 0; }
  uint32_t wt_buf_offset() const { return input_buffer_bytes; }
  uint32_t out_buf_offset() const { return input_buffer_bytes + weight_buffer_bytes; }
  uint32_t sram_bytes() const { return input_buffer_bytes + weight_buffer_bytes + output_buffer_bytes; }
};

const char* to_string(PeKind kind);
const char* to_string(EngineKind kind);

// Empty if this build can run a (rows, cols, pe) array on the RTL engine (a Verilated model exists), else why
// not, naming the supported configurations.
std::string rtl_engine_problem(unsigned rows, unsigned cols, PeKind pe);

}  // namespace minconv::accel
