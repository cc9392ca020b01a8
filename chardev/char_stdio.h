// -chardev stdio[,signal=on|off]: the emulator's own stdin/stdout. When stdin
// is a terminal it is put in raw mode (QEMU's settings: no echo, no line
// editing, 8-bit; ^C still raises SIGINT unless signal=off) and restored at
// exit, on SIGINT/SIGTERM/SIGHUP and on fatal signals.
#pragma once
#include "chardev/char_fd.h"

namespace rwd {

class StdioChardev : public FdChardev {
 public:
  StdioChardev(HostLoop& loop, bool allow_signals);
  ~StdioChardev() override;
};

// Puts the terminal back as it was (idempotent, async-signal-safe).
void restore_stdio_terminal();

}  // namespace rwd
