#include "chardev/char_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rwd {

namespace {
int open_or_throw(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags | O_CLOEXEC, 0666);
  if (fd < 0) throw ChardevError("could not open '" + path + "': " + std::strerror(errno));
  return fd;
}
}  // namespace

std::unique_ptr<FileChardev> open_file_chardev(HostLoop& loop, const std::string& path,
                                               const std::string& input_path, bool append) {
  if (path.empty()) throw ChardevError("chardev: file: no file name given");
  int out = open_or_throw(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC));
  int in = -1;
  if (!input_path.empty()) {
    try {
      in = open_or_throw(input_path, O_RDONLY);
    } catch (...) {
      close(out);
      throw;
    }
  }
  return std::make_unique<FileChardev>(loop, in, out);
}

// Opened read-write, as QEMU does: the open never waits for the other end of
// a FIFO, and input never sees end-of-file when a writer goes away.
std::unique_ptr<FileChardev> open_pipe_chardev(HostLoop& loop, const std::string& path) {
  if (path.empty()) throw ChardevError("chardev: pipe: no file name given");
  std::string in_path = path + ".in", out_path = path + ".out";
  if (access(in_path.c_str(), F_OK) == 0 && access(out_path.c_str(), F_OK) == 0) {
    int in = open_or_throw(in_path, O_RDWR);
    int out;
    try {
      out = open_or_throw(out_path, O_RDWR);
    } catch (...) {
      close(in);
      throw;
    }
    return std::make_unique<FileChardev>(loop, in, out);
  }
  int fd = open_or_throw(path, O_RDWR);
  return std::make_unique<FileChardev>(loop, fd, fd);
}

}  // namespace rwd
