#pragma once
// What the boot ROM / device tree tells software about the SoC: where each device lives.
#include <cstdint>

namespace minconv::hal {

struct SocInfo {
  uint32_t dram_base = 0;
  uint32_t dram_size = 0;
  uint32_t dma_base = 0;         // DMA engine CSRs
  uint32_t irq_base = 0;         // interrupt controller CSRs
  uint32_t accel_csr_base = 0;   // accelerator CSRs (0 when the SoC has no accelerator)
  uint32_t accel_sram_base = 0;  // accelerator local SRAM window
  // Interrupt controller input numbers.
  unsigned irq_dma_first = 0;  // DMA channel c raises line irq_dma_first + c
  unsigned irq_accel = 0;
  double cpu_clock_mhz = 0;
  double dram_peak_mb_s = 0;  // DRAM peak bandwidth, MB/s (the tile planner's cost model; 0: unknown)
};

}  // namespace minconv::hal
