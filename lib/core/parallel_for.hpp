#pragma once
// for_each_concurrently: runs a job for every index on a few threads, for work that waits more
// than it computes (reading many instances' state).

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace li {

/// Calls job(i) for every i in [0, count) on up to max_threads threads (the caller's among them)
/// and returns once all are done. The first exception a job throws is rethrown here, after the
/// other jobs finished; the jobs not yet started then are skipped.
template <typename Job>
void for_each_concurrently(size_t count, size_t max_threads, Job&& job) {
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&] {
        for (size_t i; !failed && (i = next++) < count;) {
            try {
                job(i);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!error) error = std::current_exception();
                failed = true;
            }
        }
    };
    size_t helpers = std::min(max_threads, count) > 1 ? std::min(max_threads, count) - 1 : 0;
    std::vector<std::thread> threads;
    threads.reserve(helpers);
    for (size_t t = 0; t < helpers; ++t) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace li
