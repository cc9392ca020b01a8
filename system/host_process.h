// What the command line asks of the rewind process itself, as QEMU does it:
// -name NAME,process=P (the thread name `ps`/`top` show), -pidfile FILE
// (written and locked while rewind runs, removed at exit) and -daemonize
// (detach from the terminal once the machine is built; errors before that
// still reach the user, and the parent's exit status says whether the
// daemon started).
#pragma once
#include <string>

#include "system/options.h"

namespace rwd {

// Throws std::runtime_error with a one-line message.
void set_process_name(const std::string& name);

class PidFile {
 public:
  explicit PidFile(const std::string& path);  // throws std::runtime_error
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

// -daemonize: fork now; the parent waits for the child's verdict and exits
// with it. The child carries on in a new session.
class Daemon {
 public:
  Daemon();  // forks (the parent never returns)
  // The child built its machine: tell the parent, let go of the terminal.
  void started();
  // The child failed before started(): the parent exits with 1.
  ~Daemon();

 private:
  int pipe_ = -1;
};

}  // namespace rwd
