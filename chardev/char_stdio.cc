#include "chardev/char_stdio.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace rwd {

FdBackend::FdBackend(int in_fd, int out_fd, bool owns_out)
    : in_fd_(in_fd), out_fd_(out_fd), owns_out_(owns_out) {
  if (in_fd_ >= 0) fcntl(in_fd_, F_SETFL, fcntl(in_fd_, F_GETFL) | O_NONBLOCK);
}

FdBackend::~FdBackend() {
  flush();
  if (in_fd_ >= 0) fcntl(in_fd_, F_SETFL, fcntl(in_fd_, F_GETFL) & ~O_NONBLOCK);
  if (owns_out_ && out_fd_ >= 0) close(out_fd_);
}

void FdBackend::write(const uint8_t* data, size_t len) {
  if (out_fd_ < 0) return;
  out_buf_.append(reinterpret_cast<const char*>(data), len);
  if (out_buf_.size() >= 4096) flush();
}

void FdBackend::flush() {
  size_t done = 0;
  while (done < out_buf_.size()) {
    ssize_t n = ::write(out_fd_, out_buf_.data() + done, out_buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the reader went away: drop output rather than block forever
    done += static_cast<size_t>(n);
  }
  out_buf_.clear();
}

bool FdBackend::poll_input() {
  if (in_fd_ < 0 || in_eof_) return false;
  char buf[256];
  while (pending_in_.size() < 4096) {
    ssize_t n = read(in_fd_, buf, sizeof buf);
    if (n > 0) {
      pending_in_.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) in_eof_ = true;
    break;
  }
  // Hand over only what the device can take now; keep the rest for later.
  while (!pending_in_.empty() && on_input) {
    size_t room = can_accept ? can_accept() : pending_in_.size();
    if (room == 0) break;
    size_t n = std::min(room, pending_in_.size());
    on_input(reinterpret_cast<const uint8_t*>(pending_in_.data()), n);
    pending_in_.erase(0, n);
  }
  return !in_eof_;
}

}  // namespace rwd
