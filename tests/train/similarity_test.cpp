// The slides' similarity table and distance L(k, v) (sw/train/similarity.h): the figures the seed slides
// print are reproduced, the quadrature agrees with Monte Carlo, and L has its minimum near k = 1.
#include "sw/train/similarity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace minconv::train::similarity {
namespace {

// 10^6 pairs: the standard error of each correlation is about 0.0005, far inside the slides' +-0.01.
constexpr std::size_t kSamples = 1000000;

struct Expected {
  Distribution xi, eta;
  double min, sum, max;  // as printed in seed/000_a5ab795150e04ac2.txt
};

void expect_row(const Expected& e, uint64_t seed) {
  const Correlations c = correlate(e.xi, e.eta, kSamples, seed);
  const std::string pair = e.xi.name() + ", " + e.eta.name() + ", seed " + std::to_string(seed);
  EXPECT_NEAR(c.min, e.min, 0.01) << pair;
  EXPECT_NEAR(c.sum, e.sum, 0.01) << pair;
  EXPECT_NEAR(c.max, e.max, 0.01) << pair;
}

TEST(Similarity, FoldedNormalRowsMatchTheSlides) {
  expect_row({folded_normal(0, 1), folded_normal(0, 1), 0.908, 0.882, 0.673}, 1);
  expect_row({folded_normal(0, 1), folded_normal(0, 10), 0.692, 0.683, 0.624}, 2);
}

TEST(Similarity, UniformRowsMatchTheSlides) {
  expect_row({uniform(0, 1), uniform(0, 1), 0.962, 0.926, 0.641}, 3);
  expect_row({uniform(0, 1), uniform(0, 10), 0.716, 0.717, 0.655}, 4);
}

TEST(Similarity, ToolRowsAreTheSlidesRows) {
  const std::vector<SlideRow>& rows = slide_rows();
  ASSERT_EQ(rows.size(), 4u);
  const double printed[4][3] = {
      {0.908, 0.882, 0.673}, {0.692, 0.683, 0.624}, {0.962, 0.926, 0.641}, {0.716, 0.717, 0.655}};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(rows[i].slide.min, printed[i][0]);
    EXPECT_EQ(rows[i].slide.sum, printed[i][1]);
    EXPECT_EQ(rows[i].slide.max, printed[i][2]);
  }
  // The readings the slides' notation leaves open give other figures: the choice matters.
  EXPECT_GT(correlate(folded_normal(0, 1), folded_normal(0, std::sqrt(10.0)), 200000, 5).min, 0.75);
  EXPECT_GT(correlate(uniform(0, 1), uniform(0, 1), 200000, 6).min, 0.95);
}

TEST(Similarity, SameSeedSameFiguresOtherSeedOtherFigures) {
  const Correlations a = correlate(uniform(0, 1), folded_normal(1, 0.5), 1000, 7);
  const Correlations b = correlate(uniform(0, 1), folded_normal(1, 0.5), 1000, 7);
  const Correlations c = correlate(uniform(0, 1), folded_normal(1, 0.5), 1000, 8);
  EXPECT_EQ(a.min, b.min);
  EXPECT_EQ(a.max, b.max);
  EXPECT_NE(a.min, c.min);
}

TEST(Similarity, SamplerMomentsAndDistributionFunctions) {
  Sampler s(11);
  double sum = 0, sq = 0;
  constexpr int kN = 200000;
  for (int i = 0; i < kN; ++i) {
    const double x = s.normal();
    sum += x;
    sq += x * x;
  }
  EXPECT_NEAR(sum / kN, 0.0, 0.01);
  EXPECT_NEAR(sq / kN, 1.0, 0.02);
  const Distribution d = folded_normal(1, 0.5);
  EXPECT_NEAR(d.cdf(d.upper_bound()), 1.0, 1e-12);
  EXPECT_EQ(d.cdf(0), 0.0);
  // cdf' = pdf
  for (double m : {0.1, 0.7, 1.0, 1.9})
    EXPECT_NEAR((d.cdf(m + 1e-6) - d.cdf(m - 1e-6)) / 2e-6, d.pdf(m), 1e-5);
  EXPECT_DOUBLE_EQ(uniform(0, 4).cdf(1), 0.25);
  EXPECT_THROW(uniform(1, 1), std::invalid_argument);
  EXPECT_THROW(folded_normal(0, 0), std::invalid_argument);
}

TEST(Distance, QuadratureAgreesWithMonteCarlo) {
  for (const auto& [k, v] :
       std::vector<std::pair<double, double>>{{1.0, 0.01}, {0.8, 0.1}, {1.5, 0.25}, {2.0, 1.0}}) {
    const double q = distance(k, v);
    const double mc = distance_monte_carlo(k, v, 400000, 9);
    EXPECT_NEAR(q, mc, 0.02 * q + 0.002) << "k " << k << ", v " << v;
  }
}

TEST(Distance, MinimumIsNearKEqualsOneAndGrowsWithVariance) {
  const std::vector<double> vs = {0.01, 0.1, 0.25};
  const DistanceTable coarse = distance_table(grid(0.05, 3.0, 0.05), vs);
  const DistanceTable fine = distance_table(grid(0.7, 1.3, 0.01), vs);
  ASSERT_EQ(coarse.ks.size(), 60u);
  ASSERT_EQ(fine.ks.size(), 61u);
  for (std::size_t j = 0; j < vs.size(); ++j) {
    const double best = fine.argmin_k(j);
    EXPECT_NEAR(best, 1.0, 0.1) << "v " << vs[j];  // C1
    EXPECT_GT(best, fine.ks.front()) << "the minimum is not inside the fine grid";
    EXPECT_LT(best, fine.ks.back()) << "the minimum is not inside the fine grid";
    // One minimum: L falls up to it and rises after it.
    for (std::size_t i = 0; i + 1 < coarse.ks.size(); ++i) {
      if (coarse.ks[i + 1] <= best) {
        EXPECT_GT(coarse.l[i][j], coarse.l[i + 1][j]) << "k " << coarse.ks[i];
      } else if (coarse.ks[i] >= best) {
        EXPECT_LT(coarse.l[i][j], coarse.l[i + 1][j]) << "k " << coarse.ks[i];
      }
    }
  }
  EXPECT_LT(distance(1, 0.01), distance(1, 0.1));  // C2: the smaller the variance the smaller L
  EXPECT_LT(distance(1, 0.1), distance(1, 1));
  // With no spread L(k) = |1/k - 1| exactly.
  EXPECT_NEAR(distance(2.0, 1e-8), 0.5, 1e-3);
}

TEST(Distance, TextAndPlotScriptHoldTheTable) {
  const DistanceTable t = distance_table({0.5, 1.0}, {0.1, 1.0});
  const std::string text = format_distance(t);
  EXPECT_NE(text.find("v=0.10"), std::string::npos) << text;
  char cell[32];
  std::snprintf(cell, sizeof cell, "%.4f", t.l[1][0]);
  EXPECT_NE(text.find(cell), std::string::npos) << text;
  const std::string script = gnuplot_script(t, "it's.png");
  EXPECT_NE(script.find("set output 'it''s.png'"), std::string::npos) << script;
  EXPECT_NE(script.find("$L using 1:3"), std::string::npos) << script;
  EXPECT_THROW(grid(1, 0, 0.1), std::invalid_argument);
}

}  // namespace
}  // namespace minconv::train::similarity
