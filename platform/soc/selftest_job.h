#pragma once
#include "platform/soc/run_options.h"
#include "platform/soc/soc_config.h"

namespace minconv::platform {

// Runs the DMA self-test program (sw/apps/dma_selftest) on the SoC, prints its results and the statistics
// table, writes the JSON report if asked. Returns an exit code.
int run_selftest_job(const SocConfig& config, const RunOptions& options);

}  // namespace minconv::platform
