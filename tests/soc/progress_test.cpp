// Progress (platform/soc/progress.h) when standard error is not a terminal, as under ctest: a plain line per
// tenth of the run, each with the count, rate and time left; nothing when quiet or for a run too short.
#include "platform/soc/progress.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

namespace minconv::platform {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string run(uint64_t total, bool quiet, uint64_t min_total = 2) {
  testing::internal::CaptureStderr();
  {
    Progress p("sim: min", "images", total, quiet, min_total);
    for (uint64_t done = 1; done <= total; ++done) p.update(done);
  }
  return testing::internal::GetCapturedStderr();
}

TEST(Progress, OneLinePerTenthWithCountRateAndTimeLeft) {
  if (isatty(STDERR_FILENO) == 1) GTEST_SKIP() << "standard error is a terminal: the bar is drawn instead";
  const std::vector<std::string> lines = lines_of(run(100, false));
  ASSERT_EQ(lines.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    const std::string want = "sim: min: " + std::to_string(10 * (i + 1)) + "/100 images, ";
    EXPECT_EQ(lines[i].rfind(want, 0), 0u) << lines[i];
    EXPECT_NE(lines[i].find(" images/s, "), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find(" elapsed, "), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find(" left"), std::string::npos) << lines[i];
  }
  EXPECT_NE(lines.back().find("0:00 left"), std::string::npos) << lines.back();
}

TEST(Progress, ShortRunsLineAtEveryTenthThatAdvances) {
  if (isatty(STDERR_FILENO) == 1) GTEST_SKIP() << "standard error is a terminal";
  const std::vector<std::string> lines = lines_of(run(3, false));  // tenths 3, 6, 10
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2].rfind("sim: min: 3/3 images, ", 0), 0u) << lines[2];
}

TEST(Progress, QuietOrTooShortPrintsNothing) {
  EXPECT_EQ(run(100, true), "");
  EXPECT_EQ(run(1, false), "");        // below the default minimum of 2
  EXPECT_EQ(run(50, false, 100), "");  // below a caller's minimum
  testing::internal::CaptureStderr();
  {
    Progress p("sim", "images", 10, false);
    p.finish();
    p.update(10);  // after finish: nothing
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace minconv::platform
