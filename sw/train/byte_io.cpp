#include "sw/train/byte_io.h"

#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <limits>

namespace minconv::train {
using namespace golden;  // the reference types this tool code builds on

uint32_t crc32_of(const uint8_t* data, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const uInt chunk = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    crc = crc32(crc, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw ModelError(path + ": cannot open for writing");
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) throw ModelError(path + ": write failed");
}

std::vector<uint8_t> ByteWriter::finish_with_size_and_crc(const std::string& what) {
  const uint64_t total = bytes_.size() + 4;
  if (total > std::numeric_limits<uint32_t>::max()) throw ModelError(what + ": larger than 4 GiB");
  for (int i = 0; i < 4; ++i) bytes_[8 + i] = static_cast<uint8_t>(total >> (8 * i));
  u32(crc32_of(bytes_.data(), bytes_.size()));
  return std::move(bytes_);
}

}  // namespace minconv::train
