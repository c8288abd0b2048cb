#pragma once
// Little-endian byte writer and bounds-checked reader shared by the binary model formats (model_file,
// float_network_file), and the CRC32 (zlib) that closes each file.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "sw/golden/network.h"

namespace minconv::train {

// CRC32 (zlib polynomial) of a buffer of any size.
uint32_t crc32_of(const uint8_t* data, std::size_t size);

// Writes a whole file; a ModelError names the path when it cannot be opened or written.
void write_file(const std::string& path, const std::vector<uint8_t>& bytes);

class ByteWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void f32(float v) {
    uint32_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    u32(bits);
  }
  void f64(double v) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    le(bits, 8);
  }
  void raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  std::vector<uint8_t>& bytes() { return bytes_; }
  // Closes a file whose header holds its 32-bit size at byte 8: patches the size (counting the CRC
  // about to be appended), appends the CRC32 of everything before it and returns the bytes.
  std::vector<uint8_t> finish_with_size_and_crc(const std::string& what);

 private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> bytes_;
};

// Reads bytes [0, end) of `bytes`; every failure is a ModelError naming the source and the byte offset.
class ByteReader {
 public:
  ByteReader(const std::vector<uint8_t>& bytes, std::size_t end, std::string source)
      : b_(bytes), end_(end), source_(std::move(source)) {}
  [[noreturn]] void fail(const std::string& what) const {
    throw golden::ModelError(source_ + ": " + what + " (at byte offset " + std::to_string(pos_) + ")");
  }
  void need(std::size_t n, const std::string& what) const {
    if (end_ - pos_ < n) fail("file ends in the middle of " + what);
  }
  uint8_t u8(const std::string& what) { return static_cast<uint8_t>(le(1, what)); }
  uint16_t u16(const std::string& what) { return static_cast<uint16_t>(le(2, what)); }
  uint32_t u32(const std::string& what) { return static_cast<uint32_t>(le(4, what)); }
  int32_t i32(const std::string& what) { return static_cast<int32_t>(u32(what)); }
  float f32(const std::string& what) {
    const uint32_t bits = u32(what);
    float v = 0;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  double f64(const std::string& what) {
    const uint64_t bits = le(8, what);
    double v = 0;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  const uint8_t* take(std::size_t n, const std::string& what) {
    need(n, what);
    const uint8_t* p = b_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::size_t pos() const { return pos_; }
  std::size_t end() const { return end_; }

 private:
  uint64_t le(int n, const std::string& what) {
    need(static_cast<std::size_t>(n), what);
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(b_[pos_ + i]) << (8 * i);
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  const std::vector<uint8_t>& b_;
  std::size_t end_;
  std::string source_;
  std::size_t pos_ = 0;
};

}  // namespace minconv::train
