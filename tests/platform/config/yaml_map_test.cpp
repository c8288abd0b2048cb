#include "platform/config/yaml_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace minconv::config {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(YamlMap, ReadsValuesAndDefaults) {
  const YamlMap m = YamlMap::load_string("a: 12\nb: 0x10\nc: 2.5\nd: min\ne: true\n", "t.yaml");
  EXPECT_EQ(m.u64("a", 0, 100), 12u);
  EXPECT_EQ(m.u64("b", 0, 100), 16u);
  EXPECT_DOUBLE_EQ(m.real("c", 0, 10), 2.5);
  EXPECT_EQ(m.choice("d", {"min", "mul"}), "min");
  EXPECT_TRUE(m.flag_or("e", false));
  EXPECT_EQ(m.u64_or("missing", 7, 0, 10), 7u);
  EXPECT_NO_THROW(m.finish());
}

TEST(YamlMap, UnknownKeyNamesFileLineAndKey) {
  const YamlMap root = YamlMap::load_string("dram:\n  size: 4\n  sise: 5\n", "soc.yaml");
  const YamlMap dram = root.map("dram");
  dram.u64("size", 0, 10);
  EXPECT_THAT(error_of([&] { dram.finish(); }), HasSubstr("soc.yaml:3:3: error: unknown key 'dram.sise'"));
}

TEST(YamlMap, WrongTypeOutOfRangeAndMissing) {
  const YamlMap m = YamlMap::load_string("x: abc\ny: 11\nz: [1, 2]\nw: -3\n", "f.yaml");
  EXPECT_THAT(error_of([&] { m.u64("x", 0, 10); }),
              HasSubstr("f.yaml:1:4: error: key 'x': expected a non-negative"));
  EXPECT_THAT(error_of([&] { m.u64("y", 0, 10); }),
              HasSubstr("f.yaml:2:4: error: key 'y': value 11 is out of range"));
  EXPECT_THAT(error_of([&] { m.u64("z", 0, 10); }), HasSubstr("key 'z': expected a single value"));
  EXPECT_THAT(error_of([&] { m.u64("w", 0, 10); }), HasSubstr("key 'w': expected a non-negative"));
  EXPECT_THAT(error_of([&] { m.u64("v", 0, 10); }),
              HasSubstr("f.yaml:1:1: error: key 'v': missing required key"));
  EXPECT_THAT(error_of([&] { m.real("x", 0, 10); }), HasSubstr("key 'x': expected a number"));
  EXPECT_THAT(error_of([&] { m.choice("x", {"min", "mul"}); }), HasSubstr("'abc' is not one of: min, mul"));
}

TEST(YamlMap, SyntaxErrorAndMissingFile) {
  EXPECT_THAT(error_of([] { YamlMap::load_string("a: [1, 2\n", "bad.yaml"); }), HasSubstr("bad.yaml:"));
  EXPECT_THAT(error_of([] { YamlMap::load_string("- 1\n- 2\n", "list.yaml"); }),
              HasSubstr("must be a mapping"));
  EXPECT_THAT(error_of([] { YamlMap::load_file("/nonexistent/x.yaml"); }),
              HasSubstr("/nonexistent/x.yaml: error: cannot open: No such file"));
}

// Bad input that YAML itself accepts, or reports far from the cause: one class per test.
TEST(YamlMap, KeyGivenTwiceIsAnError) {
  EXPECT_THAT(error_of([] { YamlMap::load_string("a: 1\nb:\n  c: 2\n  c: 3\n", "d.yaml"); }),
              HasSubstr("d.yaml:4:3: error: key 'c' is given twice in this mapping (first on line 3)"));
  EXPECT_THAT(error_of([] { YamlMap::load_string("a: 1\na: 1\n", "d.yaml"); }),
              HasSubstr("d.yaml:2:1: error:"));
}

TEST(YamlMap, SecondDocumentIsAnError) {
  EXPECT_THAT(error_of([] { YamlMap::load_string("a: 1\n---\nb: 2\n", "two.yaml"); }),
              HasSubstr("two.yaml:3:1: error: a second YAML document"));
}

// A ',' where a node starts, outside [ ] and { }: yaml-cpp 0.7's LoadAll looped forever on it, allocating
// (found by fuzz_soc_config, docs/fuzzing.md). Each is a ConfigError at once.
TEST(YamlMap, StrayCommaIsAnErrorNotAHang) {
  EXPECT_THAT(error_of([] { YamlMap::load_string(",", "c.yaml"); }),
              HasSubstr("c.yaml:1:1: error: the document must be a mapping"));
  EXPECT_THAT(error_of([] { YamlMap::load_string(", DRAM: 1\ndram:\n  size: 16\n", "c.yaml"); }),
              HasSubstr("c.yaml:1:1: error: the document must be a mapping"));
  EXPECT_THAT(error_of([] { YamlMap::load_string("- a\n,\n", "c.yaml"); }), HasSubstr("c.yaml:"));
  EXPECT_THAT(error_of([] { YamlMap::load_string("a: 1\n---\n,\n", "c.yaml"); }),
              HasSubstr("c.yaml:3:1: error: a second YAML document"));
}

TEST(YamlMap, NulByteNamesItsPlace) {
  const std::string text = std::string("a: 1\nb: x") + '\0' + "y\n";
  EXPECT_THAT(error_of([&] { YamlMap::load_string(text, "n.yaml"); }),
              HasSubstr("n.yaml:2:5: error: a NUL byte"));
}

TEST(YamlMap, UnterminatedQuoteNamesWhereItOpens) {
  EXPECT_THAT(error_of([] { YamlMap::load_string("name: \"lenet\ninput: {h: 1}\n", "q.yaml"); }),
              HasSubstr("q.yaml:1:7: error: unterminated quoted value"));
  EXPECT_THAT(error_of([] { YamlMap::load_string("a: 'x\n", "q.yaml"); }), HasSubstr("q.yaml:1:4: error:"));
  // Quotes inside comments, apostrophes inside plain values and closed quotes are fine.
  EXPECT_EQ(error_of([] { YamlMap::load_string("a: \"x\"  # it's\nb: it's\nc: 'y'\n", "ok.yaml"); }),
            "<no error>");
}

TEST(YamlMap, EndlessOrSpecialFilesAreRefused) {
  EXPECT_THAT(error_of([] { YamlMap::load_file("/dev/zero"); }),
              HasSubstr("/dev/zero: error: is not a regular file"));
  EXPECT_THAT(error_of([] { YamlMap::load_file("/tmp"); }), HasSubstr("/tmp: error: is a directory"));
  const std::string big = ::testing::TempDir() + "/big.yaml";
  {
    std::ofstream out(big);
    out << "a: " << std::string(2u << 20, 'x') << "\n";
  }
  EXPECT_THAT(error_of([&] { YamlMap::load_file(big); }), HasSubstr("bytes accepted for this kind of file"));
}

TEST(YamlMap, ListsOfMappings) {
  const YamlMap m = YamlMap::load_string("r:\n  - {name: a}\n  - 3\n", "l.yaml");
  EXPECT_THAT(error_of([&] { m.maps("r"); }), HasSubstr("l.yaml:3:5: error: key 'r[1]': expected a mapping"));
}

}  // namespace
}  // namespace minconv::config
