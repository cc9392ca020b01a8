// -chardev pty: a new pseudo-terminal; the guest's side is the master, the
// user opens the printed /dev/pts/N. Output nobody reads is dropped.
#pragma once
#include <string>

#include "chardev/char_fd.h"

namespace rwd {

class PtyChardev : public FdChardev {
 public:
  // Prints "char device redirected to /dev/pts/N (label LABEL)" to stderr,
  // as QEMU does. Throws ChardevError.
  PtyChardev(HostLoop& loop, const std::string& label);
  ~PtyChardev() override;
  const std::string& path() const { return path_; }

 private:
  int slave_ = -1;  // held open so the master never hangs up between users
  std::string path_;
};

}  // namespace rwd
