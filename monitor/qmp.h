// The QMP monitor (QEMU's JSON machine protocol) on a character backend:
// each client gets the greeting, must negotiate with qmp_capabilities, then
// sends commands (monitor/qmp_commands.h runs them) and receives the
// machine's events (STOP, RESUME, RESET, SHUTDOWN) with a host timestamp.
// Input is split into JSON texts by monitor/json_stream.h and parsed
// strictly by util/json.h; whatever arrives, the answer is a reply or an
// error object, never a crash. Replies and events end in "\r\n", as QEMU's.
#pragma once
#include <string>

#include "chardev/char_backend.h"
#include "monitor/hmp.h"
#include "monitor/json_stream.h"
#include "monitor/machine_event.h"
#include "monitor/monitor_target.h"
#include "monitor/qmp_commands.h"
#include "util/json.h"

namespace rwd {

class Qmp : private CharReceiver, private MachineEventListener {
 public:
  Qmp(CharBackend& chr, MonitorTarget& target, bool pretty = false);
  ~Qmp() override;
  Qmp(const Qmp&) = delete;
  Qmp& operator=(const Qmp&) = delete;

  // Host input, as the backend delivers it (public for tests).
  void input(const uint8_t* data, size_t len) { stream_.feed(data, len); }
  static Json greeting();
  // An event object: {"event": NAME, "data": ..., "timestamp": {...}}.
  static Json event_json(const MachineEvent& e, int64_t seconds, int64_t microseconds);

 private:
  size_t can_receive() override { return 4096; }
  void receive(const uint8_t* data, size_t len) override { input(data, len); }
  void char_event(CharEvent e) override;
  void machine_event(const MachineEvent& e) override;
  void request(const std::string& text, bool overflow);
  void send(const Json& j);
  void start_session();

  CharBackend& chr_;
  MonitorTarget& target_;
  bool pretty_;
  NullChardev hmp_out_;  // human-monitor-command runs the HMP executor; its own output goes nowhere
  Hmp hmp_;
  QmpCommands commands_;
  JsonStream stream_;
  bool negotiated_ = false;
  bool greeted_ = false;
};

}  // namespace rwd
