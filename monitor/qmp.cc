#include "monitor/qmp.h"

#include <ctime>

namespace rwd {

Qmp::Qmp(CharBackend& chr, MonitorTarget& target, bool pretty)
    : chr_(chr),
      target_(target),
      pretty_(pretty),
      hmp_(hmp_out_, target),
      commands_(target, [this](const std::string& line) { return hmp_.execute(line); }),
      stream_([this](const std::string& text, bool overflow) { request(text, overflow); }) {
  target_.add_event_listener(this);
  chr_.set_frontend(this);
  if (chr_.is_open()) start_session();
}

Qmp::~Qmp() {
  chr_.set_frontend(nullptr);
  target_.remove_event_listener(this);
}

Json Qmp::greeting() {
  Json qmp = Json::object();
  qmp.set("version", QmpCommands::version());
  qmp.set("capabilities", Json::array());  // no out-of-band execution
  Json g = Json::object();
  g.set("QMP", qmp);
  return g;
}

// Each client starts over: greeting, then negotiation.
void Qmp::start_session() {
  stream_.reset();
  negotiated_ = false;
  greeted_ = true;
  send(greeting());
}

void Qmp::char_event(CharEvent e) {
  switch (e) {
    case CharEvent::kOpened: start_session(); break;
    case CharEvent::kClosed:
      stream_.reset();
      negotiated_ = false;
      break;
    case CharEvent::kFocusIn:  // a mux port: greet when the input first comes here
      if (!greeted_) start_session();
      break;
    case CharEvent::kFocusOut: break;
  }
}

void Qmp::send(const Json& j) {
  chr_.write(j.dump(pretty_) + "\r\n");
  chr_.flush();
}

void Qmp::request(const std::string& text, bool overflow) {
  if (overflow) {
    send(QmpCommands::error("GenericError", "JSON parse error, request larger than " +
                                                std::to_string(JsonStream::kDefaultLimit) + " bytes"));
    return;
  }
  Json req;
  std::string err;
  if (!Json::parse(text, req, err)) {
    send(QmpCommands::error("GenericError", err));
    return;
  }
  send(commands_.handle(req, negotiated_));
}

Json Qmp::event_json(const MachineEvent& e, int64_t seconds, int64_t microseconds) {
  static const char* const kNames[] = {"STOP", "RESUME", "RESET", "SHUTDOWN"};
  Json ev = Json::object();
  ev.set("event", kNames[static_cast<int>(e.kind)]);
  if (e.kind == MachineEvent::Kind::kReset || e.kind == MachineEvent::Kind::kShutdown) {
    Json data = Json::object();
    data.set("guest", e.guest);
    data.set("reason", e.reason);
    ev.set("data", data);
  }
  Json ts = Json::object();
  ts.set("seconds", seconds);
  ts.set("microseconds", microseconds);
  ev.set("timestamp", ts);
  return ev;
}

// Events go to negotiated clients only. The timestamp is the host's wall
// clock: monitor output, never seen by the guest, so replay is unaffected.
void Qmp::machine_event(const MachineEvent& e) {
  if (!negotiated_ || !chr_.is_open()) return;
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  send(event_json(e, now.tv_sec, now.tv_nsec / 1000));
}

}  // namespace rwd
