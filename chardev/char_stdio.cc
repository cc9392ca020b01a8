#include "chardev/char_stdio.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

namespace rwd {

namespace {

struct SavedTerminal {
  termios tio{};
  volatile std::sig_atomic_t raw = 0;
  int in_flags = -1, out_flags = -1;
};
SavedTerminal g_saved;

void restore_and_reraise(int sig) {
  restore_stdio_terminal();
  std::signal(sig, SIG_DFL);
  raise(sig);
}

void install_restore_handlers() {
  static bool done = false;
  if (done) return;
  done = true;
  std::atexit(restore_stdio_terminal);
  struct sigaction sa{};
  sa.sa_handler = restore_and_reraise;
  sa.sa_flags = SA_RESETHAND;
  // The machine's run loop installs its own SIGINT/SIGTERM/SIGHUP handlers
  // later (it quits cleanly, and the destructors restore the terminal);
  // these cover the time before and every fatal signal.
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
    sigaction(sig, &sa, nullptr);
}

}  // namespace

void restore_stdio_terminal() {
  if (g_saved.raw) {
    tcsetattr(STDIN_FILENO, TCSANOW, &g_saved.tio);
    g_saved.raw = 0;
  }
  if (g_saved.in_flags >= 0) fcntl(STDIN_FILENO, F_SETFL, g_saved.in_flags);
  if (g_saved.out_flags >= 0) fcntl(STDOUT_FILENO, F_SETFL, g_saved.out_flags);
}

StdioChardev::StdioChardev(HostLoop& loop, bool allow_signals) : FdChardev(loop, WhenFull::kBlock) {
  g_saved.in_flags = fcntl(STDIN_FILENO, F_GETFL);
  g_saved.out_flags = fcntl(STDOUT_FILENO, F_GETFL);
  install_restore_handlers();
  if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &g_saved.tio) == 0) {
    termios raw = g_saved.tio;
    raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_oflag |= OPOST;  // the guest's "\n" still shows as a new line
    raw.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!allow_signals) raw.c_lflag &= ~ISIG;
    raw.c_cflag &= ~(CSIZE | PARENB);
    raw.c_cflag |= CS8;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) g_saved.raw = 1;
  }
  attach(STDIN_FILENO, STDOUT_FILENO, false);
}

StdioChardev::~StdioChardev() {
  drain(5000);
  detach();
  restore_stdio_terminal();
}

}  // namespace rwd
