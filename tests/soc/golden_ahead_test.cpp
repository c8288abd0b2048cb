// GoldenAhead: whatever the number of worker threads and the window, image k is quantize_input and run_int8
// of image k; a failure of the golden model reaches the consumer; stopping early does not hang.
#include "platform/soc/golden_ahead.h"

#include <gtest/gtest.h>

#include "tests/golden/test_networks.h"

namespace minconv::platform {
namespace {

class GoldenAheadTest : public ::testing::Test {
 protected:
  golden::FloatNetwork net = golden::testing::small_network(5);
  golden::QuantModel model = golden::quantize(
      net,
      golden::calibrate(net, golden::testing::random_images(net.input, 10, 6), golden::FloatMode::kMinConv),
      golden::PeKind::kMin);
  std::vector<golden::TensorF> images = golden::testing::random_images(net.input, 23, 7);
};

TEST_F(GoldenAheadTest, EveryImageIsTheGoldenModelsOnAnyNumberOfThreads) {
  for (const unsigned workers : {0u, 1u, 3u}) {
    for (const std::size_t window : {std::size_t{1}, std::size_t{4}, std::size_t{64}}) {
      GoldenAhead ahead(model, images, workers, window);
      for (std::size_t k = 0; k < images.size(); ++k) {
        const golden::Tensor8 input = golden::quantize_input(model, images[k]);
        ASSERT_EQ(ahead.input(k).data, input.data) << workers << " workers, image " << k;
        const GoldenAhead::Outputs got = ahead.take(k);
        const std::vector<golden::LayerOutput> want = golden::run_int8(model, input);
        ASSERT_EQ(got.size(), want.size());
        for (std::size_t l = 0; l < want.size(); ++l) {
          EXPECT_EQ(got[l].is_raw, want[l].is_raw);
          EXPECT_EQ(got[l].q.data, want[l].q.data) << "layer " << l;
          EXPECT_EQ(got[l].raw.data, want[l].raw.data) << "layer " << l;
        }
      }
    }
  }
}

TEST_F(GoldenAheadTest, AFailureReachesTheConsumerAndStoppingEarlyDoesNotHang) {
  images[6] = golden::TensorF(3, 3, 1);  // not the network's input shape
  for (const unsigned workers : {0u, 2u}) {
    GoldenAhead ahead(model, images, workers, 3);
    for (std::size_t k = 0; k < 6; ++k) EXPECT_NO_THROW(ahead.take(k));
    EXPECT_THROW(ahead.take(6), golden::ModelError);
  }  // destroyed with images left: the workers stop
}

}  // namespace
}  // namespace minconv::platform
