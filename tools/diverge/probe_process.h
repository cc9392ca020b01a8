// One side of a divergence search: a rewind replay started with -rr-probe,
// spoken to over two pipes (system/divergence_probe.h has the protocol).
#pragma once
#include <sys/types.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace rwd {

// The probe process ended or answered nonsense; what() names the side and
// quotes the last line of its stderr (the replay's own error).
class ProbeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ProbeProcess {
 public:
  // Starts `argv` (argv[0]: the rewind binary) with -rr-probe appended. The
  // guest's console output goes nowhere; the replay's stderr to a file kept
  // for error messages. `name`: "replay", "reference", "A", "B".
  ProbeProcess(std::string name, std::vector<std::string> argv);
  ~ProbeProcess();
  ProbeProcess(const ProbeProcess&) = delete;
  ProbeProcess& operator=(const ProbeProcess&) = delete;

  // A request, without waiting for its reply: two sides work at once.
  void send(const std::string& request);
  // The reply lines of the oldest request sent (without the final ".").
  // Throws ProbeError when the process died or replied "error ...".
  std::vector<std::string> receive();
  std::vector<std::string> ask(const std::string& request) {
    send(request);
    return receive();
  }
  const std::string& name() const { return name_; }
  std::string command_line() const;

 private:
  std::string stderr_tail();  // reaps the process
  std::string name_;
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
  std::string err_path_;
};

}  // namespace rwd
