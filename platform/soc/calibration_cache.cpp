#include "platform/soc/calibration_cache.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "calibration_code_version.h"
#include "sw/train/byte_io.h"

namespace minconv::platform {

const char* const kCalibrationCodeVersion =
    "minconv calibrate 1, sw/golden sources " MINCONV_CALIBRATION_SOURCES_SHA256;

namespace {

constexpr char kMagic[8] = {'M', 'C', 'C', 'A', 'L', 'I', 'B', '1'};

uint64_t rotl(uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }

uint64_t splitmix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A 128-bit non-cryptographic hash (two independent 64-bit lanes over 8-byte words): the key of an entry and
// the checksum of its contents. Accidental collisions are out of reach; nothing here is adversarial.
class Hasher {
 public:
  void word(uint64_t w) {
    a_ = rotl(a_ ^ splitmix(w + 0x9E3779B97F4A7C15ULL), 27) * 0x9E3779B97F4A7C15ULL + 0x52DCE729ULL;
    b_ = rotl(b_ + w * 0xC2B2AE3D27D4EB4FULL, 31) * 0x165667B19E3779F9ULL;
    ++n_;
  }
  void bytes(const void* p, std::size_t n) {
    const auto* c = static_cast<const unsigned char*>(p);
    for (; n >= 8; n -= 8, c += 8) {
      uint64_t w = 0;
      std::memcpy(&w, c, 8);
      word(w);
    }
    uint64_t tail = n;  // the length of the tail and its bytes
    for (std::size_t i = 0; i < n; ++i) tail |= uint64_t{c[i]} << (8 * (i + 1));
    word(tail);
  }
  void text(const std::string& s) {
    word(s.size());
    bytes(s.data(), s.size());
  }
  CalibrationKey digest() const { return {splitmix(a_ ^ n_), splitmix(b_ ^ rotl(a_, 17))}; }

 private:
  uint64_t a_ = 0x243F6A8885A308D3ULL, b_ = 0x13198A2E03707344ULL, n_ = 0;
};

void hash_layer(Hasher& h, const golden::FloatLayer& l) {
  const golden::ConvGeometry& g = l.geometry;
  for (const int v : {static_cast<int>(l.type), l.out_c, g.kh, g.kw, g.stride_h, g.stride_w, g.pad_top,
                      g.pad_left, g.pad_bottom, g.pad_right, l.relu ? 1 : 0, l.k, l.stride}) {
    h.word(static_cast<uint64_t>(static_cast<int64_t>(v)));
  }
  h.word(l.weights.size());
  h.bytes(l.weights.data(), l.weights.size() * sizeof(float));
  h.word(l.bias.size());
  h.bytes(l.bias.data(), l.bias.size() * sizeof(float));
}

void put_u64(train::ByteWriter& w, uint64_t v) {
  w.u32(static_cast<uint32_t>(v));
  w.u32(static_cast<uint32_t>(v >> 32));
}

uint64_t get_u64(train::ByteReader& r, const char* what) {
  const uint64_t lo = r.u32(what);
  return lo | (uint64_t{r.u32(what)} << 32);
}

CalibrationKey checksum(const uint8_t* p, std::size_t n) {
  Hasher h;
  h.bytes(p, n);
  return h.digest();
}

}  // namespace

std::string CalibrationKey::hex() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
}

CalibrationKey calibration_key(const golden::FloatNetwork& net, const std::vector<golden::TensorF>& images,
                               golden::FloatMode mode) {
  Hasher h;
  h.text(kCalibrationCodeVersion);
  h.word(mode == golden::FloatMode::kMinConv ? 1 : 0);
  for (const int v : {net.input.h, net.input.w, net.input.c}) h.word(static_cast<uint64_t>(v));
  h.word(net.layers.size());
  for (const golden::FloatLayer& l : net.layers) hash_layer(h, l);
  h.word(images.size());
  for (const golden::TensorF& t : images) {
    for (const int v : {t.h, t.w, t.c}) h.word(static_cast<uint64_t>(v));
    h.word(t.data.size());
    h.bytes(t.data.data(), t.data.size() * sizeof(float));
  }
  return h.digest();
}

std::string CalibrationCache::default_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/minconv";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return std::string(home) + "/.cache/minconv";
  return "";
}

std::string CalibrationCache::path(const CalibrationKey& key) const {
  return dir_ + "/calibration-" + key.hex() + ".bin";
}

std::optional<golden::Calibration> CalibrationCache::load(const CalibrationKey& key, std::size_t layers,
                                                          golden::FloatMode mode) const {
  if (!enabled()) return std::nullopt;
  std::ifstream in(path(key), std::ios::binary);
  if (!in) return std::nullopt;
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t body = 8 + 16 + 8 + layers * 32 + 16;
  if (bytes.size() != body + 16 || std::memcmp(bytes.data(), kMagic, 8) != 0) return std::nullopt;
  try {
    train::ByteReader r(bytes, bytes.size(), path(key));
    r.take(8, "magic");
    const CalibrationKey stored{get_u64(r, "key"), get_u64(r, "key")};
    golden::Calibration cal;
    cal.mode = r.u32("mode") == 1 ? golden::FloatMode::kMinConv : golden::FloatMode::kStandard;
    if (!(stored == key) || cal.mode != mode || r.u32("layers") != layers) return std::nullopt;
    cal.layers.resize(layers);
    for (golden::LayerStats& s : cal.layers) {
      for (double* v : {&s.mean_abs_in, &s.max_abs_in, &s.max_abs_out, &s.mean_abs_out}) *v = r.f64("stats");
    }
    cal.output_min = r.f64("range");
    cal.output_max = r.f64("range");
    const CalibrationKey sum{get_u64(r, "checksum"), get_u64(r, "checksum")};
    if (!(sum == checksum(bytes.data(), body))) return std::nullopt;
    return cal;
  } catch (const golden::ModelError&) {
    return std::nullopt;
  }
}

bool CalibrationCache::store(const CalibrationKey& key, const golden::Calibration& cal) const {
  if (!enabled()) return false;
  train::ByteWriter w;
  w.raw(kMagic, 8);
  put_u64(w, key.hi);
  put_u64(w, key.lo);
  w.u32(cal.mode == golden::FloatMode::kMinConv ? 1 : 0);
  w.u32(static_cast<uint32_t>(cal.layers.size()));
  for (const golden::LayerStats& s : cal.layers) {
    for (const double v : {s.mean_abs_in, s.max_abs_in, s.max_abs_out, s.mean_abs_out}) w.f64(v);
  }
  w.f64(cal.output_min);
  w.f64(cal.output_max);
  const CalibrationKey sum = checksum(w.bytes().data(), w.bytes().size());
  put_u64(w, sum.hi);
  put_u64(w, sum.lo);
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  const std::string final_path = path(key);
  const std::string tmp = final_path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(reinterpret_cast<const char*>(w.bytes().data()),
              static_cast<std::streamsize>(w.bytes().size()));
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return false;
    }
  }
  std::filesystem::rename(tmp, final_path, ec);  // atomic: readers see the old entry or the new one
  if (ec) std::filesystem::remove(tmp, ec);
  return !ec;
}

golden::Calibration calibrate_cached(const CalibrationCache& cache, const golden::FloatNetwork& net,
                                     const std::vector<golden::TensorF>& images, golden::FloatMode mode,
                                     int threads, bool* hit) {
  if (hit != nullptr) *hit = false;
  if (!cache.enabled()) return golden::calibrate(net, images, mode, threads);
  const CalibrationKey key = calibration_key(net, images, mode);
  if (std::optional<golden::Calibration> cal = cache.load(key, net.layers.size(), mode)) {
    if (hit != nullptr) *hit = true;
    return *cal;
  }
  golden::Calibration cal = golden::calibrate(net, images, mode, threads);
  cache.store(key, cal);
  return cal;
}

}  // namespace minconv::platform
