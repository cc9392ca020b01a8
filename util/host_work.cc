#include "util/host_work.h"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

namespace rwd {

HostWorkPool::HostWorkPool(HostLoop& loop, unsigned threads) : loop_(loop), watch_(&loop) {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("host work: cannot create a pipe");
  watch_.set(wake_[0], kIoIn, [this](unsigned) {
    char buf[64];
    while (read(wake_[0], buf, sizeof buf) > 0) {
    }
    run_done();
  });
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { worker(); });
}

HostWorkPool::~HostWorkPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_work_.notify_all();
  for (std::thread& t : threads_) t.join();
  watch_.clear();
  close(wake_[0]);
  close(wake_[1]);
}

HostWorkPool::Ticket HostWorkPool::submit(std::function<void()> work, std::function<void()> done) {
  Ticket t;
  {
    std::lock_guard<std::mutex> lock(mu_);
    t = next_++;
    jobs_[t] = Job{std::move(work), std::move(done)};
    queue_.push_back(t);
  }
  cv_work_.notify_one();
  return t;
}

void HostWorkPool::worker() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Ticket t = queue_.front();
    queue_.pop_front();
    std::function<void()> work = std::move(jobs_[t].work);
    lock.unlock();
    work();
    lock.lock();
    jobs_[t].finished = true;
    cv_done_.notify_all();
    char byte = 1;
    if (write(wake_[1], &byte, 1) < 0) {
      // The pipe is full: the host loop has wake-ups pending already.
    }
  }
}

void HostWorkPool::finish(Ticket t) {
  std::function<void()> done;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto it = jobs_.find(t);
    if (it == jobs_.end()) return;  // its done ran already
    cv_done_.wait(lock, [&] { return it->second.finished; });
    done = std::move(it->second.done);
    jobs_.erase(it);
  }
  if (done) done();
}

void HostWorkPool::run_done() {
  for (;;) {
    std::function<void()> done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = jobs_.begin();
      while (it != jobs_.end() && !it->second.finished) ++it;
      if (it == jobs_.end()) return;
      done = std::move(it->second.done);
      jobs_.erase(it);
    }
    if (done) done();
  }
}

void HostWorkPool::drain() {
  std::vector<Ticket> tickets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [t, job] : jobs_) tickets.push_back(t);
  }
  for (Ticket t : tickets) finish(t);
}

size_t HostWorkPool::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.size();
}

}  // namespace rwd
