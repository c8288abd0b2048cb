#pragma once
// The seed slides' study of why min(xi, eta) can stand in for xi * eta (docs/similarity.md):
//  - similarity: the Pearson correlation of h = xi * eta with g = min(xi, eta), xi + eta and max(xi, eta),
//    by Monte Carlo, for independent non-negative xi, eta;
//  - distance: L(k, v) = E |(min(xi, eta) - xi * eta) / (xi * eta)| for xi, eta ~ N_f(k, v) i.i.d.
//    Since min(xi, eta) / (xi * eta) = 1 / max(xi, eta), L = E |1 / M - 1| with M = max(xi, eta), whose CDF
//    is F(m)^2: a one-dimensional integral, computed by quadrature (exact to ~1e-6), with a Monte Carlo
//    estimate to cross-check it.
// Random numbers come from std::mt19937_64 with this file's own uniform and normal transforms, so a seed
// gives the same figures with every standard library.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace minconv::train::similarity {

// A non-negative distribution: the folded normal |X|, X ~ N(mu, sigma^2), or the uniform U(a, b).
struct Distribution {
  enum class Kind { kFoldedNormal, kUniform };
  Kind kind = Kind::kUniform;
  double p1 = 0;  // mu (folded normal) or a (uniform)
  double p2 = 1;  // sigma (folded normal) or b (uniform)

  std::string name() const;  // "N_f(0, 10^2)" (mu, sigma^2), "U(0, 10)"
  double cdf(double m) const;
  double pdf(double m) const;
  double upper_bound() const;  // beyond it the probability is below 1e-30
};

Distribution folded_normal(double mu, double sigma);  // |N(mu, sigma^2)|
Distribution uniform(double a, double b);

// A stream of doubles in [0, 1) and standard normals, identical on every platform for one seed.
class Sampler {
 public:
  explicit Sampler(uint64_t seed) : rng_(seed) {}
  double uniform01();  // 53 random bits
  double normal();     // Box-Muller
  double draw(const Distribution& d);

 private:
  std::mt19937_64 rng_;
  bool has_spare_ = false;
  double spare_ = 0;
};

struct Correlations {
  double min = 0;  // rho(xi * eta, min(xi, eta))
  double sum = 0;  // rho(xi * eta, xi + eta)
  double max = 0;  // rho(xi * eta, max(xi, eta))
};

// Monte Carlo: `samples` independent pairs (xi, eta) drawn from Sampler(seed), xi first.
Correlations correlate(const Distribution& xi, const Distribution& eta, std::size_t samples, uint64_t seed);

// One row of the slides' table: the pair and the figures the slides print for it.
struct SlideRow {
  std::string slide_notation;  // how the slides write the pair
  Distribution xi;
  Distribution eta;
  Correlations slide;
};
// The four rows, with the distributions that reproduce them (docs/similarity.md explains the reading).
const std::vector<SlideRow>& slide_rows();

// L(k, v) for xi, eta ~ N_f(k, v) = |N(k, v)| i.i.d. (v is the variance), by quadrature.
double distance(double k, double v);
// The same by Monte Carlo (for cross-checks; its variance is large when N_f(k, v) has mass near 0).
double distance_monte_carlo(double k, double v, std::size_t samples, uint64_t seed);

struct DistanceTable {
  std::vector<double> ks;
  std::vector<double> vs;
  std::vector<std::vector<double>> l;    // l[i][j] = L(ks[i], vs[j])
  double argmin_k(std::size_t j) const;  // the k of ks with the least L for vs[j]
};
DistanceTable distance_table(const std::vector<double>& ks, const std::vector<double>& vs);
// first, first + step, ... up to last (inclusive, to within step / 1000).
std::vector<double> grid(double first, double last, double step);

// Plain-text tables as the tool prints them.
std::string format_correlations(const std::vector<SlideRow>& rows, const std::vector<Correlations>& measured,
                                std::size_t samples, uint64_t seed);
std::string format_distance(const DistanceTable& t);
// Columns "k L(k, v0) L(k, v1) ..." for gnuplot, and a gnuplot script (data inline) that plots them to
// png_path.
std::string distance_data(const DistanceTable& t);
std::string gnuplot_script(const DistanceTable& t, const std::string& png_path);

}  // namespace minconv::train::similarity
