// libFuzzer target: the bytes of an IDX file. Each input goes to the bytes parsers (images and labels) and,
// through an in-memory file, to the path API (gzip or plain: read_idx_images, read_idx_labels,
// read_idx_count). Bad input must end in a train::DatasetError.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "sw/train/idx.h"

namespace {

// One anonymous in-memory file per process, rewritten for every input; opened again by its /proc path.
struct MemFile {
  MemFile() : fd(memfd_create("fuzz_idx", 0)), path("/proc/self/fd/" + std::to_string(fd)) {
    if (fd < 0) std::abort();
  }
  void write(const uint8_t* data, std::size_t size) const {
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) std::abort();
  }
  int fd;
  std::string path;
};

template <typename F>
void expect_dataset_error(F f) {
  try {
    f();
  } catch (const minconv::train::DatasetError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  namespace train = minconv::train;
  static const MemFile file;
  const std::vector<uint8_t> bytes(data, data + size);
  expect_dataset_error([&] { train::parse_idx_images(bytes, "<fuzz>"); });
  expect_dataset_error([&] { train::parse_idx_labels(bytes, "<fuzz>"); });
  expect_dataset_error([&] { train::parse_idx_images(bytes, "<fuzz>", 1); });
  file.write(data, size);
  expect_dataset_error([&] { train::read_idx_images(file.path); });
  expect_dataset_error([&] { train::read_idx_labels(file.path, 2); });
  expect_dataset_error([&] { train::read_idx_count(file.path); });
  return 0;
}
