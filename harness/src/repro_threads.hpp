// plumb repro: real worker threads for the thread-count axis. Item i runs on
// thread i mod threads (static round robin); results are written by index,
// so the schedule never changes what is computed.
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

namespace plumb::harness::repro {

template <class F>
void parallel_for(size_t threads, size_t items, F&& f) {
  if (threads <= 1 || items <= 1) {
    for (size_t i = 0; i < items; ++i) f(i);
    return;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (size_t i = t; i < items; i += threads) f(i);
    });
  for (auto& th : pool) th.join();
}

}  // namespace plumb::harness::repro
