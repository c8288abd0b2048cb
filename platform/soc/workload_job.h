#pragma once
#include <string>
#include <vector>

#include "platform/soc/run_options.h"
#include "platform/soc/soc_config.h"
#include "platform/soc/workload.h"

namespace minconv::platform {

struct WorkloadOptions {
  bool compare = true;   // run min and mul; otherwise only the configured PE kind
  std::string csv_path;  // --csv FILE: per-layer rows of every run
};

// Runs the workload on the SoC with the min accelerator and (compare) again with the multiplier one,
// checks every layer's output bit for bit against the golden int8 model, prints the side-by-side report
// and writes the JSON report. Returns an exit code.
int run_workload_job(const SocConfig& config, const Workload& workload, const WorkloadOptions& wopt,
                     const RunOptions& options);

}  // namespace minconv::platform
