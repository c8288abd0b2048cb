#pragma once
// Output files named on the command line are checked before anything runs: a report that cannot be
// written, or that would overwrite an input, is a command-line error (exit 2), not a surprise after the
// simulation.
#include <string>
#include <utility>
#include <vector>

namespace minconv::platform {

// outputs: (flag, path) pairs; empty paths are skipped. Throws config::ConfigError naming the flag if a
// path is a directory, is in a folder that does not exist or cannot be written, is one of `inputs`, or is
// named by two flags.
void check_output_paths(const std::vector<std::pair<std::string, std::string>>& outputs,
                        const std::vector<std::string>& inputs);

}  // namespace minconv::platform
