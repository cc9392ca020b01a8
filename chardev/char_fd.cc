#include "chardev/char_fd.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace rwd {

namespace {
int set_nonblock(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  return flags;
}
}  // namespace

FdChardev::FdChardev(HostLoop& loop, WhenFull when_full)
    : loop_(loop), when_full_(when_full), in_watch_(&loop), out_watch_(&loop) {}

FdChardev::~FdChardev() {
  drain(when_full_ == WhenFull::kBlock ? 5000 : 0);
  detach();
}

void FdChardev::attach(int in_fd, int out_fd, bool owned) {
  detach();
  in_fd_ = in_fd;
  out_fd_ = out_fd;
  owned_ = owned;
  if (in_fd_ >= 0) in_flags_ = set_nonblock(in_fd_);
  if (out_fd_ >= 0) out_flags_ = out_fd_ == in_fd_ ? in_flags_ : set_nonblock(out_fd_);
  watch_input();
  if (!out_.empty()) write_some();
}

void FdChardev::detach() {
  in_watch_.clear();
  out_watch_.clear();
  pending_.clear();
  out_.clear();
  for (int* fd : {&in_fd_, &out_fd_}) {
    if (*fd < 0) continue;
    int& flags = fd == &in_fd_ ? in_flags_ : out_flags_;
    if (owned_) {
      if (fd == &in_fd_ || out_fd_ != in_fd_) close(*fd);
    } else if (flags >= 0) {
      fcntl(*fd, F_SETFL, flags);
    }
    flags = -1;
  }
  in_fd_ = out_fd_ = -1;
}

void FdChardev::watch_input() {
  if (in_fd_ >= 0 && !in_watch_.active() && pending_.size() < kInLimit)
    in_watch_.set(in_fd_, kIoIn, [this](unsigned) { read_input(); });
}

void FdChardev::read_input() {
  char buf[kInLimit];
  while (in_fd_ >= 0 && pending_.size() < kInLimit) {
    ssize_t n = read(in_fd_, buf, kInLimit - pending_.size());
    if (n > 0) {
      pending_.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
      deliver_pending();
      in_watch_.clear();
      on_input_closed();
      return;
    }
    break;
  }
  deliver_pending();
  // A full buffer stops reading until the frontend takes some (pump()).
  if (pending_.size() >= kInLimit) in_watch_.clear();
}

bool FdChardev::deliver_pending() {
  size_t n = deliver(reinterpret_cast<const uint8_t*>(pending_.data()), pending_.size());
  pending_.erase(0, n);
  return n > 0;
}

bool FdChardev::pump() {
  if (pending_.empty()) return false;
  bool moved = deliver_pending();
  watch_input();
  return moved;
}

void FdChardev::on_input_closed() {
  if (in_fd_ == out_fd_) return;  // still writable: keep the fd for output
  if (owned_) close(in_fd_);
  else if (in_flags_ >= 0) fcntl(in_fd_, F_SETFL, in_flags_);
  in_fd_ = -1;
}

void FdChardev::on_output_closed() {
  out_watch_.clear();
  out_.clear();
}

void FdChardev::write(const uint8_t* data, size_t len) {
  if (out_fd_ < 0) {
    dropped_ += len;
    return;
  }
  out_.append(reinterpret_cast<const char*>(data), len);
  if (out_.size() >= 4096) write_some();
  if (out_.size() > kOutLimit) {
    if (when_full_ == WhenFull::kBlock) {
      drain(-1);
    } else {
      dropped_ += out_.size() - kOutLimit;
      out_.resize(kOutLimit);
    }
  }
}

void FdChardev::flush() {
  if (!out_.empty()) write_some();
}

void FdChardev::write_some() {
  if (out_fd_ < 0) {
    dropped_ += out_.size();
    out_.clear();
    return;
  }
  size_t done = 0;
  while (done < out_.size()) {
    ssize_t n = ::write(out_fd_, out_.data() + done, out_.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    out_.erase(0, done);
    on_output_closed();
    return;
  }
  out_.erase(0, done);
  if (out_.empty()) {
    out_watch_.clear();
  } else if (!out_watch_.active()) {
    out_watch_.set(out_fd_, kIoOut, [this](unsigned) { write_some(); });
  }
}

void FdChardev::drain(int ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms < 0 ? 0 : ms);
  write_some();
  while (!out_.empty() && out_fd_ >= 0) {
    int left = -1;
    if (ms >= 0) {
      auto d = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (d.count() <= 0) break;
      left = static_cast<int>(d.count());
    }
    pollfd p{out_fd_, POLLOUT, 0};
    if (poll(&p, 1, left) == 0) break;
    write_some();
  }
}

}  // namespace rwd
