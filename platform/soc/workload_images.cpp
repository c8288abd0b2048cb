// The images of a workload: where they come from, which ones are run, and the checks that the data set
// holds them.
#include <algorithm>
#include <random>

#include "platform/soc/workload.h"
#include "sw/train/datasets.h"

namespace minconv::platform {

namespace {

using train::Split;

// Images and labels of one split of a labelled data set (at most max_count).
ImageSet load_split(const std::string& source, const std::string& dir, Split split, std::size_t max_count) {
  train::Dataset d = train::load_dataset(source, dir, split, max_count);
  ImageSet set;
  set.images = std::move(d.images);
  set.labels.assign(d.labels.begin(), d.labels.end());
  return set;
}

std::vector<golden::TensorF> random_images(const golden::Shape& s, std::size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<golden::TensorF> out;
  for (std::size_t i = 0; i < n; ++i) {
    golden::TensorF t(s.h, s.w, s.c);
    for (float& v : t.data) v = u(rng);
    out.push_back(std::move(t));
  }
  return out;
}

golden::Shape shape_of(const golden::TensorF& t) { return golden::Shape{t.h, t.w, t.c}; }

}  // namespace

const std::vector<std::string>& image_sources() {
  static const std::vector<std::string> sources = [] {
    std::vector<std::string> v = train::dataset_kinds();
    v.push_back("random");
    return v;
  }();
  return sources;
}

std::string default_image_dir(const std::string& source) {
  return source == "random" ? std::string() : train::default_dataset_dir(source);
}

void Workload::check_images(const config::YamlMap& im) {
  if (!labelled()) return;
  ImageSet test;
  try {
    test = load_split(images, dataset_dir, Split::kTest, train::kAllItems);
    train_split_ =
        std::make_shared<const ImageSet>(load_split(images, dataset_dir, Split::kTrain, calibration_images));
    train_split_count_ = calibration_images;
  } catch (const train::DatasetError& e) {
    im.fail(
        im.has("dir") ? "dir" : "source",
        std::string(e.what()) + (images == "fashion-mnist" ? " (Debian package dataset-fashion-mnist)" : ""));
  }
  if (test.images.empty())
    im.fail("source", "the " + images + " test set in " + dataset_dir + " holds no images");
  if (shape_of(test.images.front()) != network.input) {
    im.fail("source", images + " images in " + dataset_dir + " are " +
                          golden::to_string(shape_of(test.images.front())) + ", the network input is " +
                          golden::to_string(network.input));
  }
  test_images_available = static_cast<unsigned>(test.images.size());
  test_split_ = std::make_shared<const ImageSet>(std::move(test));
  if (uint64_t(image_index) + image_count > test_images_available) {
    im.fail(im.has("count") ? "count" : "index", "images " + std::to_string(image_index) + " .. " +
                                                     std::to_string(uint64_t(image_index) + image_count - 1) +
                                                     " are asked for, the " + images + " test set holds " +
                                                     std::to_string(test_images_available) + " (0 .. " +
                                                     std::to_string(test_images_available - 1) + ")");
  }
}

void Workload::set_image_count(const std::string& text) {
  const auto bad = [](const std::string& why) { throw config::ConfigError("--images: error: " + why); };
  uint64_t n = 0;
  if (text == "all") {
    if (!labelled()) bad("'all' needs a labelled data set; this workload's images are " + images);
    n = test_images_available - image_index;
  } else {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 9) {
      bad("expected a positive number of images or 'all', got '" + text + "'");
    }
    n = std::stoull(text);
    if (n == 0) bad("expected a positive number of images or 'all', got '" + text + "'");
  }
  if (labelled() && image_index + n > test_images_available) {
    bad(std::to_string(n) + " images from index " + std::to_string(image_index) + " are asked for, the " +
        images + " test set holds " + std::to_string(test_images_available));
  }
  image_count = static_cast<unsigned>(n);
}

std::vector<golden::TensorF> Workload::calibration_set() const {
  if (!labelled()) return random_images(network.input, calibration_images, image_seed + 1);
  if (train_split_ && train_split_count_ == calibration_images) return train_split_->images;
  return load_split(images, dataset_dir, Split::kTrain, calibration_images).images;
}

ImageSet Workload::test_images() const {
  if (!labelled()) {
    ImageSet set;
    set.images = random_images(network.input, image_count, image_seed);
    set.labels.assign(image_count, -1);
    return set;
  }
  const std::size_t end = std::size_t{image_index} + image_count;
  ImageSet loaded;
  const ImageSet* all = test_split_.get();
  if (all == nullptr || all->images.size() < end) {
    loaded = load_split(images, dataset_dir, Split::kTest, end);
    all = &loaded;
  }
  const std::size_t stop = std::min(end, all->images.size());
  ImageSet set;
  set.first = image_index;
  set.images.assign(all->images.begin() + image_index, all->images.begin() + stop);
  set.labels.assign(all->labels.begin() + image_index, all->labels.begin() + stop);
  return set;
}

}  // namespace minconv::platform
