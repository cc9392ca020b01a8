// Character backends on host file descriptors: stdio (console), a file
// (output only), or null. Output is buffered and flushed by the host loop.
#pragma once
#include <string>

#include "chardev/char_backend.h"

namespace rwd {

class FdBackend : public CharBackend {
 public:
  // `in_fd` < 0: no input. `out_fd` < 0: output discarded.
  FdBackend(int in_fd, int out_fd, bool owns_out);
  ~FdBackend() override;
  void write(const uint8_t* data, size_t len) override;
  void flush();
  // Reads available input (non-blocking) and hands it to the frontend.
  // Returns false once input reached end-of-file.
  bool poll_input();
  int input_fd() const { return in_eof_ ? -1 : in_fd_; }

 private:
  int in_fd_, out_fd_;
  bool owns_out_;
  bool in_eof_ = false;
  std::string out_buf_;
  std::string pending_in_;  // received but not yet accepted by the frontend
};

}  // namespace rwd
