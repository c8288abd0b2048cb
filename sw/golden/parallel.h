#pragma once
// A fork-join loop for the golden model's independent work items (images of a calibration set, rows of a
// convolution's output). Each item's result must not depend on which thread computes it, so a run gives the
// same results with any number of threads.
#include <cstddef>
#include <functional>

namespace minconv::golden {

// Calls fn(begin, end) on min(threads, n) contiguous parts of [0, n) that cover it in order, the first part
// on the calling thread and the others on threads of their own; returns when every part has finished, and
// then rethrows the exception of the first part (in index order) that threw. threads <= 1: fn(0, n).
void parallel_for(std::size_t n, int threads, const std::function<void(std::size_t, std::size_t)>& fn);

// The default number of threads: the cores of this machine (at least 1).
int hardware_threads();

}  // namespace minconv::golden
