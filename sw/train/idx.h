#pragma once
// IDX dataset files (MNIST / Fashion-MNIST format), plain or gzip-compressed.
//   images: big-endian u32 magic 0x00000803, u32 count, u32 rows, u32 cols, then count*rows*cols bytes
//   labels: big-endian u32 magic 0x00000801, u32 count, then count bytes
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/golden/tensor.h"

namespace minconv::train {

class DatasetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

constexpr std::size_t kAllItems = static_cast<std::size_t>(-1);

// Images as rows x cols x 1 tensors with pixel / 255 in [0, 1]; at most max_count of them.
// Throws DatasetError naming the file on an unreadable file, wrong magic, truncation or trailing bytes.
std::vector<golden::TensorF> read_idx_images(const std::string& path, std::size_t max_count = kAllItems);
std::vector<uint8_t> read_idx_labels(const std::string& path, std::size_t max_count = kAllItems);
// The same, on the bytes of an IDX file already read and decompressed; `source` names it in errors.
std::vector<golden::TensorF> parse_idx_images(const std::vector<uint8_t>& bytes, const std::string& source,
                                              std::size_t max_count = kAllItems);
std::vector<uint8_t> parse_idx_labels(const std::vector<uint8_t>& bytes, const std::string& source,
                                      std::size_t max_count = kAllItems);
// The item count in the header of an IDX images or labels file, reading only the header.
std::size_t read_idx_count(const std::string& path);

}  // namespace minconv::train
