#pragma once
// Running SoCs: SystemC elaborates once per process, so a comparison (min against mul) builds both SoCs
// up front and runs their programs one after the other in a single simulation.
#include <string>
#include <vector>

#include "platform/soc/soc.h"

namespace minconv::platform {

// Errors are displayed and counted instead of thrown, so a failing run ends with a report and exit code.
void configure_reports();
// Number of SC_ERROR (and SC_FATAL) reports so far.
unsigned error_count();

// Runs each SoC's program after the previous one has finished; stops the simulation after the last.
// Returns false (with `why`) if a program did not finish.
bool run_in_sequence(const std::vector<Soc*>& socs, std::string& why);

}  // namespace minconv::platform
