#pragma once
// DMA self-test: a program for the CPU stub that copies patterns through the DMA (1-D, 2-D and 3-D strided
// with gaps, a descriptor list, two channels at once, an error case), checks every byte from software and
// measures the achieved bandwidth.
#include <cstdint>
#include <string>
#include <vector>

#include "sw/hal/hal.h"
#include "sw/hal/soc_info.h"

namespace minconv::sw {

struct DmaSelftestCase {
  std::string name;
  uint64_t bytes = 0;       // bytes the DMA wrote
  uint64_t cpu_cycles = 0;  // from start to completion interrupt handled
  double seconds = 0;
  bool passed = false;
  std::string detail;  // what failed, or a note
  // Bytes copied per second. A DRAM-to-DRAM copy moves twice that over the DRAM interface.
  double bandwidth_bytes_per_s() const { return seconds > 0 ? static_cast<double>(bytes) / seconds : 0; }
};

struct DmaSelftestResult {
  std::vector<DmaSelftestCase> cases;
  bool passed() const;
};

struct DmaSelftestOptions {
  uint32_t bulk_bytes = 1u << 20;  // size of the 1-D bandwidth copy
};

// Runs all cases; the scratch area is the upper half of DRAM. Returns 0 if every case passed.
int dma_selftest(hal::Hal& hal, const hal::SocInfo& soc, const DmaSelftestOptions& options,
                 DmaSelftestResult& result);

}  // namespace minconv::sw
