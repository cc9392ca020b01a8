// -chardev file,path=OUT[,input-path=IN][,append=on] and
// -chardev pipe,path=P (P.in and P.out, or P itself for both directions).
#pragma once
#include <memory>
#include <string>

#include "chardev/char_fd.h"

namespace rwd {

class FileChardev : public FdChardev {
 public:
  // Takes ownership of both fds (-1: none).
  FileChardev(HostLoop& loop, int in_fd, int out_fd) : FdChardev(loop, WhenFull::kBlock) {
    attach(in_fd, out_fd, true);
  }
};

// Both throw ChardevError.
std::unique_ptr<FileChardev> open_file_chardev(HostLoop& loop, const std::string& path,
                                               const std::string& input_path, bool append);
std::unique_ptr<FileChardev> open_pipe_chardev(HostLoop& loop, const std::string& path);

}  // namespace rwd
