#pragma once
// Reading an input file the user named (configuration, workload, weights): only regular files, never more
// than a stated size, so that a FIFO, a device such as /dev/zero or a huge file gives a clear error instead
// of a hang or running out of memory.
#include <cstdint>
#include <string>
#include <vector>

namespace minconv::config {

constexpr uint64_t kMaxYamlBytes = uint64_t{1} << 20;          // 1 MiB of YAML
constexpr uint64_t kMaxWeightFileBytes = uint64_t{256} << 20;  // 256 MiB of weights

// The whole file. Throws ConfigError ("path: error: ...") if it does not exist, is not a regular file, is
// larger than max_bytes or cannot be read.
std::vector<uint8_t> read_input_file(const std::string& path, uint64_t max_bytes);

}  // namespace minconv::config
