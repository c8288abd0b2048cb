#include "platform/soc/output_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include "platform/config/yaml_map.h"

namespace minconv::platform {

namespace {

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void check_one(const std::string& flag, const std::string& path, const std::vector<std::string>& inputs) {
  const auto bad = [&](const std::string& why) {
    throw config::ConfigError("minconv-sim: error: " + flag + " " + path + ": " + why);
  };
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) bad("is a directory");
    if (access(path.c_str(), W_OK) != 0) bad("exists and cannot be written");
  }
  for (const std::string& in : inputs) {
    if (!in.empty() && same_file(path, in))
      bad("is an input file of this run (" + in + "); it would be overwritten");
  }
  const std::string folder = folder_of(path);
  if (stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) bad("the folder " + folder + " does not exist");
  if (access(folder.c_str(), W_OK) != 0) bad("the folder " + folder + " cannot be written");
}

}  // namespace

void check_output_paths(const std::vector<std::pair<std::string, std::string>>& outputs,
                        const std::vector<std::string>& inputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& [flag, path] = outputs[i];
    if (path.empty()) continue;
    check_one(flag, path, inputs);
    for (std::size_t j = 0; j < i; ++j) {
      if (outputs[j].second == path) {
        throw config::ConfigError("minconv-sim: error: " + flag + " and " + outputs[j].first +
                                  " name the same file " + path);
      }
    }
  }
}

}  // namespace minconv::platform
