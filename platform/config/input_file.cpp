#include "platform/config/input_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "platform/config/yaml_map.h"

namespace minconv::config {

std::vector<uint8_t> read_input_file(const std::string& path, uint64_t max_bytes) {
  const auto fail = [&path](const std::string& why) { throw ConfigError(path + ": error: " + why); };
  if (path.empty()) throw ConfigError("error: an input file path is empty");
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) fail(std::string("cannot open: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) fail("is a directory, not a file");
  if (!S_ISREG(st.st_mode)) fail("is not a regular file (a FIFO, socket or device cannot be read as input)");
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    fail("is " + std::to_string(st.st_size) + " bytes, more than the " + std::to_string(max_bytes) +
         " bytes accepted for this kind of file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(std::string("cannot open: ") + std::strerror(errno));
  std::vector<uint8_t> bytes(static_cast<std::size_t>(st.st_size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size())) fail("could not read the whole file");
  return bytes;
}

}  // namespace minconv::config
