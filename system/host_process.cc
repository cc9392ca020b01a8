#include "system/host_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace rwd {

void set_process_name(const std::string& name) {
  // The kernel keeps 15 characters.
  if (prctl(PR_SET_NAME, name.substr(0, 15).c_str(), 0, 0, 0) != 0)
    throw std::runtime_error("-name process=" + name + ": " + std::strerror(errno));
}

PidFile::PidFile(const std::string& path) : path_(path) {
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("-pidfile " + path + ": " + std::strerror(errno));
  // Locked while this rewind runs, as QEMU does: a second one on the same
  // file is refused instead of overwriting the first one's pid.
  struct flock lock{};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (fcntl(fd_, F_SETLK, &lock) != 0) {
    close(fd_);
    fd_ = -1;
    throw std::runtime_error("-pidfile " + path + ": it is locked by another running process");
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd_, 0) != 0 || write(fd_, pid.data(), pid.size()) != static_cast<ssize_t>(pid.size()))
    throw std::runtime_error("-pidfile " + path + ": cannot write it");
}

PidFile::~PidFile() {
  if (fd_ < 0) return;
  unlink(path_.c_str());
  close(fd_);
}

Daemon::Daemon() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("-daemonize: ") + std::strerror(errno));
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("-daemonize: ") + std::strerror(errno));
  if (pid > 0) {  // the parent: the child's verdict is one byte (none: it failed)
    close(fds[1]);
    char ok = 0;
    ssize_t n;
    do n = read(fds[0], &ok, 1);
    while (n < 0 && errno == EINTR);
    _exit(n == 1 && ok == 1 ? 0 : 1);
  }
  close(fds[0]);
  pipe_ = fds[1];
  setsid();
}

void Daemon::started() {
  // Nothing of the terminal is used any more (stdio backends are refused
  // with -daemonize): the standard streams go to /dev/null.
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) close(null);
  }
  char ok = 1;
  if (write(pipe_, &ok, 1) != 1) {
    // The parent is gone: nobody waits for the verdict.
  }
  close(pipe_);
  pipe_ = -1;
}

Daemon::~Daemon() {
  if (pipe_ >= 0) close(pipe_);  // before started(): the parent reads EOF and exits 1
}

}  // namespace rwd
