// A character backend on host file descriptors, the common part of stdio,
// file, pipe, pty and socket connections: input is read when the host loop
// says the fd is readable and handed to the frontend as far as it accepts it;
// output goes into a bounded buffer written without blocking, with a watch
// for writability when the reader is slow.
#pragma once
#include <string>

#include "chardev/char_backend.h"
#include "util/host_loop.h"

namespace rwd {

class FdChardev : public CharBackend {
 public:
  // What to do when the output buffer is full: wait for the reader (stdio,
  // file, pipe: QEMU writes those synchronously) or drop the output (socket,
  // pty: nobody may be reading).
  enum class WhenFull { kBlock, kDrop };
  static constexpr size_t kOutLimit = 1 << 20;
  static constexpr size_t kInLimit = 4096;

  FdChardev(HostLoop& loop, WhenFull when_full);
  ~FdChardev() override;
  void write(const uint8_t* data, size_t len) override;
  using CharBackend::write;
  void flush() override;
  bool pump() override;
  size_t dropped() const { return dropped_; }

 protected:
  // Starts using the fds (either may be -1; both may be the same). Owned fds
  // are closed by detach(); others get their file status flags back.
  void attach(int in_fd, int out_fd, bool owned);
  void detach();
  bool attached() const { return in_fd_ >= 0 || out_fd_ >= 0; }
  bool input_pending() const override { return !pending_.empty(); }
  // Input reached end-of-file or the fd failed. Default: stop reading.
  virtual void on_input_closed();
  // Writing failed for good (EPIPE, ECONNRESET...). Default: drop output from now on.
  virtual void on_output_closed();
  // Writes everything queued, waiting at most `ms` milliseconds.
  void drain(int ms);
  HostLoop& loop_;

 private:
  void watch_input();
  void read_input();
  bool deliver_pending();
  void write_some();

  WhenFull when_full_;
  int in_fd_ = -1, out_fd_ = -1;
  int in_flags_ = -1, out_flags_ = -1;  // to restore on fds we do not own
  bool owned_ = false;
  std::string out_, pending_;
  FdWatch in_watch_, out_watch_;
  size_t dropped_ = 0;
};

}  // namespace rwd
