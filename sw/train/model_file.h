#pragma once
// Versioned binary file of a QuantModel ("MCNM", format in sw/train/MODEL_FORMAT.md).
#include <cstdint>
#include <string>
#include <vector>

#include "sw/golden/network.h"

namespace minconv::train {

constexpr uint32_t kModelFormatVersion = 1;

// Serializes a model (validated first) to bytes / to a file. Throws ModelError on an invalid model or
// an I/O error.
std::vector<uint8_t> serialize_model(const golden::QuantModel& model);
void save_model(const golden::QuantModel& model, const std::string& path);

// Parses and validates a model. Throws ModelError naming `source` (the file) and what is wrong: wrong
// magic, unsupported version, truncated or oversized file, bad checksum, impossible layer fields.
golden::QuantModel parse_model(const std::vector<uint8_t>& bytes, const std::string& source);
golden::QuantModel load_model(const std::string& path);

}  // namespace minconv::train
