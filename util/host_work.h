// Host work off the emulation thread (disk reads and writes, later other
// slow host calls): a small pool of threads runs each job, and its `done`
// callback runs back on the emulation thread, from the host loop, between
// CPU slices. Nothing here decides when the guest sees the result: devices
// hand completions to the input path (hw/core/async_requests.h), which pins
// them to an instruction count.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "util/host_loop.h"

namespace rwd {

class HostWorkPool {
 public:
  using Ticket = uint64_t;
  HostWorkPool(HostLoop& loop, unsigned threads = 4);
  ~HostWorkPool();  // waits for running jobs; queued ones are dropped
  HostWorkPool(const HostWorkPool&) = delete;
  HostWorkPool& operator=(const HostWorkPool&) = delete;

  // Queues `work` for a worker thread; `done` runs on the emulation thread
  // once `work` has returned (from the host loop, or from finish()).
  Ticket submit(std::function<void()> work, std::function<void()> done);
  // Emulation thread: waits until job `t` has run and runs its `done` now,
  // if it has not run yet. For a replay that must complete a request at a
  // recorded point however slow the host is.
  void finish(Ticket t);
  // Emulation thread: runs the `done` callbacks of finished jobs.
  void run_done();
  size_t in_flight() const;
  // Emulation thread: runs every job queued so far to its end (their `done`
  // callbacks included): nothing the guest asked for is lost at exit.
  void drain();

 private:
  struct Job {
    std::function<void()> work, done;
    bool finished = false;
  };
  void worker();

  HostLoop& loop_;
  int wake_[2] = {-1, -1};  // a pipe: workers write a byte when a job finished
  FdWatch watch_;
  mutable std::mutex mu_;
  std::condition_variable cv_work_, cv_done_;
  std::deque<Ticket> queue_;
  std::map<Ticket, Job> jobs_;
  Ticket next_ = 1;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace rwd
