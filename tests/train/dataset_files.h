#pragma once
// Test helper: a scratch folder per test, files written into it, and the message of a DatasetError.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sw/train/idx.h"

namespace minconv::train {

class DatasetFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "minconv_dataset_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  const std::string& dir() const { return dir_; }
  std::string write(const std::string& name, const std::string& bytes) {
    const std::string p = dir_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream f(p, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(f.good()) << p;
    return p;
  }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    return write(name, std::string(bytes.begin(), bytes.end()));
  }
  // The message of the DatasetError f throws, "" when it throws none.
  template <typename F>
  static std::string error_of(F f) {
    try {
      f();
    } catch (const DatasetError& e) {
      return e.what();
    }
    return "";
  }

 private:
  std::string dir_;
};

}  // namespace minconv::train
