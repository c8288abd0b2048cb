#include "sw/train/similarity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace minconv::train::similarity {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Running sums for the Pearson correlation of h with one g; shifted by the first sample for stability.
struct Pearson {
  double h0 = 0, g0 = 0, sh = 0, sg = 0, shh = 0, sgg = 0, shg = 0;
  std::size_t n = 0;
  void add(double h, double g) {
    if (n++ == 0) h0 = h, g0 = g;
    h -= h0;
    g -= g0;
    sh += h, sg += g, shh += h * h, sgg += g * g, shg += h * g;
  }
  double value() const {
    const double dn = static_cast<double>(n);
    const double vh = shh - sh * sh / dn, vg = sgg - sg * sg / dn, c = shg - sh * sg / dn;
    return c / std::sqrt(vh * vg);
  }
};

// Midpoint rule on [a, b] with n intervals.
template <typename F>
double integrate(F f, double a, double b, int n) {
  if (b <= a) return 0;
  const double h = (b - a) / n;
  double s = 0;
  for (int i = 0; i < n; ++i) s += f(a + (i + 0.5) * h);
  return s * h;
}

}  // namespace

Distribution folded_normal(double mu, double sigma) {
  if (!(sigma > 0)) throw std::invalid_argument("folded normal: sigma must be > 0, got " + number(sigma));
  return {Distribution::Kind::kFoldedNormal, mu, sigma};
}

Distribution uniform(double a, double b) {
  if (!(a >= 0 && b > a))
    throw std::invalid_argument("uniform: need 0 <= a < b, got " + number(a) + ", " + number(b));
  return {Distribution::Kind::kUniform, a, b};
}

std::string Distribution::name() const {
  if (kind == Kind::kUniform) return "U(" + number(p1) + ", " + number(p2) + ")";
  return "N_f(" + number(p1) + ", " + number(p2) + "^2)";
}

double Distribution::cdf(double m) const {
  if (m <= 0) return 0;
  if (kind == Kind::kUniform) return std::clamp((m - p1) / (p2 - p1), 0.0, 1.0);
  const double s = p2 * std::sqrt(2.0);
  return 0.5 * (std::erf((m + p1) / s) + std::erf((m - p1) / s));
}

double Distribution::pdf(double m) const {
  if (m < 0) return 0;
  if (kind == Kind::kUniform) return m >= p1 && m <= p2 ? 1.0 / (p2 - p1) : 0.0;
  const double a = (m - p1) / p2, b = (m + p1) / p2;
  return (std::exp(-0.5 * a * a) + std::exp(-0.5 * b * b)) / (p2 * std::sqrt(2.0 * kPi));
}

double Distribution::upper_bound() const { return kind == Kind::kUniform ? p2 : std::fabs(p1) + 12.0 * p2; }

double Sampler::uniform01() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

double Sampler::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double u1 = 1.0 - uniform01();  // (0, 1]: log is finite
  const double u2 = uniform01();
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = r * std::sin(2.0 * kPi * u2);
  has_spare_ = true;
  return r * std::cos(2.0 * kPi * u2);
}

double Sampler::draw(const Distribution& d) {
  if (d.kind == Distribution::Kind::kUniform) return d.p1 + (d.p2 - d.p1) * uniform01();
  return std::fabs(d.p1 + d.p2 * normal());
}

Correlations correlate(const Distribution& xi, const Distribution& eta, std::size_t samples, uint64_t seed) {
  if (samples < 2) throw std::invalid_argument("correlate: need at least 2 samples");
  Sampler s(seed);
  Pearson rmin, rsum, rmax;
  for (std::size_t i = 0; i < samples; ++i) {
    const double x = s.draw(xi);
    const double y = s.draw(eta);
    const double h = x * y;
    rmin.add(h, std::min(x, y));
    rsum.add(h, x + y);
    rmax.add(h, std::max(x, y));
  }
  return {rmin.value(), rsum.value(), rmax.value()};
}

const std::vector<SlideRow>& slide_rows() {
  // The slides print N_f(mu, sigma^2); row 2's "N_f(0,10)" is reproduced by sigma = 10 (not variance 10),
  // row 4's second "U(0,1)" by eta ~ U(0, 10). docs/similarity.md shows the alternatives and their figures.
  static const std::vector<SlideRow> rows = {
      {"xi ~ N_f(0,1),  eta ~ N_f(0,1) ", folded_normal(0, 1), folded_normal(0, 1), {0.908, 0.882, 0.673}},
      {"xi ~ N_f(0,1),  eta ~ N_f(0,10)", folded_normal(0, 1), folded_normal(0, 10), {0.692, 0.683, 0.624}},
      {"xi ~ U(0,1),    eta ~ U(0,1)   ", uniform(0, 1), uniform(0, 1), {0.962, 0.926, 0.641}},
      {"xi ~ U(0,1),    eta ~ U(0,1) * ", uniform(0, 1), uniform(0, 10), {0.716, 0.717, 0.655}},
  };
  return rows;
}

double distance(double k, double v) {
  if (!(v > 0)) throw std::invalid_argument("distance: the variance v must be > 0, got " + number(v));
  const Distribution d = folded_normal(k, std::sqrt(v));
  // M = max(xi, eta) has density 2 F(m) f(m); |1/m - 1| has a kink at m = 1, so integrate on both sides.
  // Near 0, F(m) ~ 2 f(0) m keeps the integrand finite.
  const auto integrand = [&d](double m) { return std::fabs(1.0 / m - 1.0) * 2.0 * d.cdf(m) * d.pdf(m); };
  const double top = d.upper_bound();
  constexpr int kIntervals = 20000;
  return integrate(integrand, 0.0, std::min(1.0, top), kIntervals) +
         integrate(integrand, 1.0, top, kIntervals);
}

double distance_monte_carlo(double k, double v, std::size_t samples, uint64_t seed) {
  if (!(v > 0) || samples == 0)
    throw std::invalid_argument("distance_monte_carlo: need v > 0 and samples > 0");
  const Distribution d = folded_normal(k, std::sqrt(v));
  Sampler s(seed);
  double sum = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    const double x = s.draw(d);
    const double y = s.draw(d);
    sum += std::fabs((std::min(x, y) - x * y) / (x * y));
  }
  return sum / static_cast<double>(samples);
}

double DistanceTable::argmin_k(std::size_t j) const {
  std::size_t best = 0;
  for (std::size_t i = 1; i < ks.size(); ++i) {
    if (l[i][j] < l[best][j]) best = i;
  }
  return ks.at(best);
}

DistanceTable distance_table(const std::vector<double>& ks, const std::vector<double>& vs) {
  if (ks.empty() || vs.empty()) throw std::invalid_argument("distance_table: no k or no v");
  DistanceTable t{ks, vs, {}};
  for (double k : ks) {
    std::vector<double> row;
    for (double v : vs) row.push_back(distance(k, v));
    t.l.push_back(std::move(row));
  }
  return t;
}

std::vector<double> grid(double first, double last, double step) {
  if (!(step > 0) || last < first) throw std::invalid_argument("grid: need step > 0 and last >= first");
  std::vector<double> g;
  for (int i = 0;; ++i) {
    const double x = first + i * step;
    if (x > last + step * 1e-3) break;
    g.push_back(x);
  }
  return g;
}

std::string format_correlations(const std::vector<SlideRow>& rows, const std::vector<Correlations>& measured,
                                std::size_t samples, uint64_t seed) {
  std::ostringstream o;
  o << "Pearson correlation with h = xi * eta (Monte Carlo, " << samples << " pairs, seed " << seed << ")\n";
  o << "slides' row                        | distributions used                 | g = min       | g = xi + "
       "eta  "
       "| g = max\n";
  o << "                                   |                                    | run   slides  | run   "
       "slides  "
       "| run   slides\n";
  for (std::size_t i = 0; i < rows.size() && i < measured.size(); ++i) {
    const SlideRow& r = rows[i];
    const std::string used = r.xi.name() + ", " + r.eta.name();
    char line[256];
    std::snprintf(line, sizeof line, "%-34s | %-34s | %s  %s   | %s  %s   | %s  %s\n",
                  r.slide_notation.c_str(), used.c_str(), fixed(measured[i].min, 3).c_str(),
                  fixed(r.slide.min, 3).c_str(), fixed(measured[i].sum, 3).c_str(),
                  fixed(r.slide.sum, 3).c_str(), fixed(measured[i].max, 3).c_str(),
                  fixed(r.slide.max, 3).c_str());
    o << line;
  }
  return o.str();
}

std::string format_distance(const DistanceTable& t) {
  std::ostringstream o;
  o << "L(k, v) = E|(min(xi, eta) - xi*eta) / (xi*eta)|, xi, eta ~ N_f(k, v) = |N(k, v)| i.i.d. "
       "(quadrature)\n";
  o << "   k  ";
  for (double v : t.vs) o << " | v=" << fixed(v, 2);
  o << "\n";
  for (std::size_t i = 0; i < t.ks.size(); ++i) {
    o << fixed(t.ks[i], 2) << "  ";
    for (std::size_t j = 0; j < t.vs.size(); ++j) o << " | " << fixed(t.l[i][j], 4);
    o << "\n";
  }
  o << "argmin";
  for (std::size_t j = 0; j < t.vs.size(); ++j) o << " | k=" << fixed(t.argmin_k(j), 2);
  o << "\n";
  return o.str();
}

std::string distance_data(const DistanceTable& t) {
  std::ostringstream o;
  o << "# k";
  for (double v : t.vs) o << " L(k,v=" << number(v) << ")";
  o << "\n";
  for (std::size_t i = 0; i < t.ks.size(); ++i) {
    o << fixed(t.ks[i], 4);
    for (std::size_t j = 0; j < t.vs.size(); ++j) o << " " << fixed(t.l[i][j], 6);
    o << "\n";
  }
  return o.str();
}

std::string gnuplot_script(const DistanceTable& t, const std::string& png_path) {
  std::string quoted;  // a gnuplot single-quoted string doubles its quotes
  for (char ch : png_path) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
  std::ostringstream o;
  o << "$L << EOD\n"
    << distance_data(t) << "EOD\n"
    << "set terminal pngcairo size 900,600 noenhanced\n"
    << "set output '" << quoted << "'\n"
    << "set title 'L(k, v) = E|(min(xi,eta) - xi*eta) / (xi*eta)|,  xi, eta ~ N_f(k, v) = |N(k, v)|'\n"
    << "set xlabel 'k (mean of the underlying normal)'\nset ylabel 'L(k, v)'\n"
    << "set grid\nset key top right\nset yrange [0:1.5]\nset arrow from 1, graph 0 to 1, graph 1 nohead dt "
       "2\n"
    << "plot ";
  for (std::size_t j = 0; j < t.vs.size(); ++j) {
    o << (j ? ", " : "") << "$L using 1:" << j + 2 << " with lines lw 2 title 'v = " << number(t.vs[j])
      << "'";
  }
  o << "\nset output\n";
  return o.str();
}

}  // namespace minconv::train::similarity
