#pragma once
#include <string>

#include "platform/soc/run_options.h"
#include "platform/soc/soc_config.h"
#include "platform/soc/workload.h"

namespace minconv::platform {

struct WorkloadOptions {
  bool compare = true;   // run min and mul; otherwise only the configured PE kind
  std::string csv_path;  // --csv FILE: per-layer rows of every run
};

// The limits a workload is checked against on `config` (its accelerator, baseline array and DRAM) when the
// runs are `compare` (both PE kinds) or only the configured kind.
WorkloadLimits workload_limits(const SocConfig& config, bool compare);

// --batch TEXT for a run of `images` images: a whole number from 1 to `images`. Throws config::ConfigError
// ("--batch: error: ...") otherwise.
unsigned parse_batch(const std::string& text, unsigned images);

// Runs the workload's test images on the SoC with the min accelerator and (compare) again with the
// multiplier one, checks every image's every layer bit for bit against the golden int8 model, prints the
// side-by-side report with the accuracy measured on the SoC, and writes the JSON and CSV reports. Returns an
// exit code.
int run_workload_job(const SocConfig& config, const Workload& workload, const WorkloadOptions& wopt,
                     const RunOptions& options);

}  // namespace minconv::platform
