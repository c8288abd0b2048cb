#pragma once
// Internal to the workload readers (workload.cpp for YAML layers, workload_model.cpp for ONNX models): the
// checks of a network against the SoC's limits, shared so that both sources are held to the same rules.
// `fail(key, why)` throws; key is the YAML key of the layer the check concerns (ignored for ONNX).
#include <cstdint>
#include <functional>
#include <string>

#include "platform/soc/workload.h"

namespace minconv::platform::detail {

using Fail = std::function<void(const std::string& key, const std::string& why)>;

constexpr int kMaxPoolWindow = 16;  // pool window and stride, as the YAML reader accepts them

// Kernel and stride within the accelerator's, padding below the kernel, kernel fits the padded input.
void check_conv_limits(const Fail& fail, const golden::ConvGeometry& g, const golden::Shape& in,
                       const WorkloadLimits& lim);
// The accelerator must be able to run a conv/fc layer with a reduction of `fan_in` on a `in` input.
void check_accel_layer(const Fail& fail, const std::string& where_key, const golden::Shape& in, int kernel,
                       uint64_t fan_in, const WorkloadLimits& lim);
// Adds a layer's weights and output tensor to `dram_bytes` and fails beyond DRAM or the tools' tensor size.
void add_layer_bytes(const Fail& fail, uint64_t& dram_bytes, uint64_t weight_bytes, const golden::Shape& out,
                     const WorkloadLimits& lim);

}  // namespace minconv::platform::detail
