// QMP's command side, apart from any connection: checks a request object as
// QEMU's QMP server does (execute, arguments, id; the capabilities
// negotiation first), checks the arguments against the command's table
// entry, runs it against MonitorTarget and builds the reply: {"return": ...}
// or {"error": {"class": ..., "desc": ...}}, with the request's id.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "monitor/monitor_target.h"
#include "util/json.h"

namespace rwd {

class QmpCommands {
 public:
  // `hmp` runs one HMP command line and returns its text (human-monitor-command).
  QmpCommands(MonitorTarget& target, std::function<std::string(const std::string&)> hmp);

  // One request. `negotiated` is the connection's state: false until
  // qmp_capabilities succeeds, which sets it.
  Json handle(const Json& request, bool& negotiated);

  // The reply to input that is not JSON or is too large.
  static Json error(const std::string& error_class, const std::string& desc);
  // Every command's name, in table order.
  static std::vector<std::string> names();
  // query-version's "qemu" numbers: rewind's own version.
  static Json version();

  struct Result;
  struct Command;

 private:
  Result run(const Command& c, const Json& args, bool& negotiated);

  MonitorTarget& target_;
  std::function<std::string(const std::string&)> hmp_;
};

}  // namespace rwd
