#include "chardev/char_pty.h"

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace rwd {

PtyChardev::PtyChardev(HostLoop& loop, const std::string& label) : FdChardev(loop, WhenFull::kDrop) {
  int master = -1;
  char name[256] = {};
  if (openpty(&master, &slave_, name, nullptr, nullptr) < 0)
    throw ChardevError(std::string("could not open a pseudo-terminal: ") + std::strerror(errno));
  fcntl(master, F_SETFD, FD_CLOEXEC);
  fcntl(slave_, F_SETFD, FD_CLOEXEC);
  // Raw on both sides: bytes pass unchanged, the terminal does not echo.
  termios tio;
  if (tcgetattr(slave_, &tio) == 0) {
    cfmakeraw(&tio);
    tcsetattr(slave_, TCSANOW, &tio);
  }
  path_ = name;
  std::fprintf(stderr, "char device redirected to %s (label %s)\n", name, label.c_str());
  attach(master, master, true);
}

PtyChardev::~PtyChardev() {
  detach();
  if (slave_ >= 0) close(slave_);
}

}  // namespace rwd
