#include "sw/train/idx.h"

#include <zlib.h>

#include <algorithm>
#include <memory>

namespace minconv::train {
using namespace golden;  // the reference types this tool code builds on
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;

// Whole file, decompressed when it is gzip (gzread passes plain files through unchanged).
std::vector<uint8_t> read_all(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) throw DatasetError(path + ": cannot open");
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  for (;;) {
    const int n = gzread(f.get(), buf, sizeof buf);
    if (n < 0) {
      int err = 0;
      const char* msg = gzerror(f.get(), &err);
      throw DatasetError(path + ": read error: " + (msg != nullptr ? msg : "unknown"));
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  // A gzip stream cut short reads as EOF with Z_BUF_ERROR.
  int err = 0;
  gzerror(f.get(), &err);
  if (err != Z_OK && err != Z_STREAM_END) throw DatasetError(path + ": truncated or corrupt gzip stream");
  return out;
}

uint32_t be32(const std::vector<uint8_t>& b, std::size_t off) {
  return (static_cast<uint32_t>(b[off]) << 24) | (static_cast<uint32_t>(b[off + 1]) << 16) |
         (static_cast<uint32_t>(b[off + 2]) << 8) | b[off + 3];
}

std::string hex(uint32_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 7; i >= 0; --i) s += digits[(v >> (4 * i)) & 0xf];
  return s;
}

// Checks magic and size, returns the header's dimensions.
std::vector<uint32_t> parse_header(const std::string& path, const std::vector<uint8_t>& b, uint32_t magic,
                                   int dims, const char* kind) {
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(dims);
  if (b.size() < 4) throw DatasetError(path + ": truncated: no IDX magic number");
  if (be32(b, 0) != magic) {
    throw DatasetError(path + ": not an IDX " + kind + " file (magic " + hex(be32(b, 0)) + ", expected " +
                       hex(magic) + ")");
  }
  if (b.size() < header) throw DatasetError(path + ": truncated IDX header");
  std::vector<uint32_t> d;
  uint64_t payload = 1;
  for (int i = 0; i < dims; ++i) {
    d.push_back(be32(b, 4 + 4 * i));
    payload *= d.back();
  }
  if (b.size() - header < payload) {
    throw DatasetError(path + ": truncated: " + std::to_string(b.size() - header) +
                       " data bytes, header needs " + std::to_string(payload));
  }
  if (b.size() - header > payload) {
    throw DatasetError(path + ": " + std::to_string(b.size() - header - payload) +
                       " unexpected bytes after the data the header describes");
  }
  return d;
}

}  // namespace

std::vector<TensorF> read_idx_images(const std::string& path, std::size_t max_count) {
  return parse_idx_images(read_all(path), path, max_count);
}

std::vector<TensorF> parse_idx_images(const std::vector<uint8_t>& b, const std::string& path,
                                      std::size_t max_count) {
  const std::vector<uint32_t> d = parse_header(path, b, kImagesMagic, 3, "images");
  if (d[1] == 0 || d[2] == 0 || d[1] > 65535 || d[2] > 65535) {
    throw DatasetError(path + ": impossible image size " + std::to_string(d[1]) + "x" + std::to_string(d[2]));
  }
  const std::size_t count = std::min<std::size_t>(d[0], max_count);
  const int rows = static_cast<int>(d[1]);
  const int cols = static_cast<int>(d[2]);
  const std::size_t pixels = static_cast<std::size_t>(rows) * cols;
  std::vector<TensorF> images;
  images.reserve(count);
  for (std::size_t n = 0; n < count; ++n) {
    TensorF t(rows, cols, 1);
    const uint8_t* p = b.data() + 16 + n * pixels;
    for (std::size_t i = 0; i < pixels; ++i) t.data[i] = static_cast<float>(p[i]) / 255.0f;
    images.push_back(std::move(t));
  }
  return images;
}

std::vector<uint8_t> read_idx_labels(const std::string& path, std::size_t max_count) {
  return parse_idx_labels(read_all(path), path, max_count);
}

std::vector<uint8_t> parse_idx_labels(const std::vector<uint8_t>& b, const std::string& path,
                                      std::size_t max_count) {
  const std::vector<uint32_t> d = parse_header(path, b, kLabelsMagic, 1, "labels");
  const std::size_t count = std::min<std::size_t>(d[0], max_count);
  return std::vector<uint8_t>(b.begin() + 8, b.begin() + 8 + static_cast<std::ptrdiff_t>(count));
}

std::size_t read_idx_count(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) throw DatasetError(path + ": cannot open");
  uint8_t header[8];
  if (gzread(f.get(), header, sizeof header) != static_cast<int>(sizeof header)) {
    throw DatasetError(path + ": truncated IDX header");
  }
  const std::vector<uint8_t> b(header, header + sizeof header);
  if (be32(b, 0) != kImagesMagic && be32(b, 0) != kLabelsMagic) {
    throw DatasetError(path + ": not an IDX images or labels file (magic " + hex(be32(b, 0)) + ")");
  }
  return be32(b, 4);
}

}  // namespace minconv::train
