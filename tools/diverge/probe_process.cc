#include "tools/diverge/probe_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace rwd {

namespace {

// The fds the probe reads requests from and writes replies to.
constexpr int kRequestFd = 3, kReplyFd = 4;

[[noreturn]] void child_fail(const char* what) {
  std::fprintf(stderr, "rewind-diverge: %s: %s\n", what, std::strerror(errno));
  _exit(127);
}

}  // namespace

ProbeProcess::ProbeProcess(std::string name, std::vector<std::string> argv)
    : name_(std::move(name)), argv_(std::move(argv)) {
  argv_.push_back("-rr-probe");
  argv_.push_back(std::to_string(kRequestFd) + "," + std::to_string(kReplyFd));
  char tmpl[] = "/tmp/rewind-diverge-XXXXXX";
  int err_fd = mkstemp(tmpl);
  if (err_fd < 0) throw ProbeError(std::string("cannot create a temporary file: ") + std::strerror(errno));
  err_path_ = tmpl;
  int req[2], rep[2];
  if (pipe2(req, O_CLOEXEC) != 0 || pipe2(rep, O_CLOEXEC) != 0)
    throw ProbeError(std::string("cannot create pipes: ") + std::strerror(errno));
  pid_ = fork();
  if (pid_ < 0) throw ProbeError(std::string("cannot start a process: ") + std::strerror(errno));
  if (pid_ == 0) {
    // Out of the way of fds 0..4 first, then into place (dup2 clears
    // close-on-exec on the copies).
    int r = fcntl(req[0], F_DUPFD_CLOEXEC, 10), w = fcntl(rep[1], F_DUPFD_CLOEXEC, 10);
    int e = fcntl(err_fd, F_DUPFD_CLOEXEC, 10);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (r < 0 || w < 0 || e < 0 || null < 0) child_fail("fd setup");
    if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(e, 2) < 0 || dup2(r, kRequestFd) < 0 || dup2(w, kReplyFd) < 0)
      child_fail("fd setup");
    std::vector<char*> args;
    for (std::string& a : argv_) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    child_fail(argv_[0].c_str());
  }
  close(req[0]);
  close(rep[1]);
  close(err_fd);
  to_ = fdopen(req[1], "w");
  from_ = fdopen(rep[0], "r");
}

ProbeProcess::~ProbeProcess() {
  if (to_) {
    std::fputs("quit\n", to_);
    std::fclose(to_);
  }
  if (from_) std::fclose(from_);
  if (pid_ > 0) {
    // A probe still busy replaying (its side was not needed further) is
    // stopped rather than waited for.
    int status;
    for (int i = 0; i < 50 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(10000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  if (!err_path_.empty()) unlink(err_path_.c_str());
}

std::string ProbeProcess::command_line() const {
  std::string s;
  for (size_t i = 0; i + 2 < argv_.size(); ++i) s += (i ? " " : "") + argv_[i];
  return s;
}

void ProbeProcess::send(const std::string& request) {
  signal(SIGPIPE, SIG_IGN);
  if (std::fprintf(to_, "%s\n", request.c_str()) < 0 || std::fflush(to_) != 0)
    throw ProbeError("the " + name_ + " replay is gone: " + stderr_tail());
}

std::vector<std::string> ProbeProcess::receive() {
  std::vector<std::string> lines;
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&buf, &cap, from_)) > 0) {
    std::string line(buf, n);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    if (line == ".") {
      std::free(buf);
      for (const std::string& l : lines)
        if (l.rfind("error ", 0) == 0) throw ProbeError("the " + name_ + " replay: " + l.substr(6));
      return lines;
    }
    lines.push_back(std::move(line));
  }
  std::free(buf);
  throw ProbeError("the " + name_ + " replay stopped: " + stderr_tail());
}

// The replay's own last words (a refused option, a bad rrfile).
std::string ProbeProcess::stderr_tail() {
  int status = 0;
  if (pid_ > 0) {
    // Its reply pipe closed: it is ending; never wait on it for ever.
    pid_t done = 0;
    for (int i = 0; i < 200 && (done = waitpid(pid_, &status, WNOHANG)) == 0; ++i) usleep(10000);
    if (done == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  std::ifstream in(err_path_);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  if (last.empty()) last = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                               : "exit status " + std::to_string(WEXITSTATUS(status));
  return last;
}

}  // namespace rwd
