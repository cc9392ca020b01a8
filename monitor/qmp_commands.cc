#include "monitor/qmp_commands.h"

#include <cstdlib>

#include "monitor/qmp_input.h"
#include "ui/input_commands.h"
#include "util/version.h"

namespace rwd {

struct QmpCommands::Result {
  Json value;            // the return value when error_class is empty
  std::string error_class;
  std::string desc;
  static Result ok(Json v = Json::object()) { return {std::move(v), "", ""}; }
  static Result fail(std::string desc, std::string cls = "GenericError") {
    // MonitorTarget's messages are lines; a QMP desc is not.
    while (!desc.empty() && desc.back() == '\n') desc.pop_back();
    return {Json(), std::move(cls), std::move(desc)};
  }
};

namespace {

enum class ArgType { kStr, kInt, kUint, kStrList, kList };

struct Arg {
  const char* name;
  ArgType type;
  bool required;
};

struct Context {
  MonitorTarget& target;
  const std::function<std::string(const std::string&)>& hmp;
  bool& negotiated;
};

using Result = QmpCommands::Result;

uint64_t uint_arg(const Json& args, const char* name) {
  uint64_t v = 0;
  if (const Json* j = args.find(name)) j->get_uint64(v);
  return v;
}

Result replay_reply(const std::string& message) { return message.empty() ? Result::ok() : Result::fail(message); }

}  // namespace

struct QmpCommands::Command {
  const char* name;
  std::vector<Arg> args;
  Result (*run)(Context& c, const Json& args);
};

namespace {

const std::vector<QmpCommands::Command>& table() {
  static const std::vector<QmpCommands::Command> commands = {
      {"qmp_capabilities", {{"enable", ArgType::kStrList, false}},
       [](Context& c, const Json& args) {
         if (c.negotiated)
           return Result::fail("Capabilities negotiation is already complete, command ignored", "CommandNotFound");
         if (const Json* enable = args.find("enable"))
           for (const Json& cap : enable->items())
             return Result::fail("Capability '" + cap.as_string() + "' not available");
         c.negotiated = true;
         return Result::ok();
       }},
      {"query-status", {},
       [](Context& c, const Json&) {
         std::string state = c.target.run_state();
         Json r = Json::object();
         r.set("running", state == "running");
         r.set("singlestep", c.target.singlestep());
         r.set("status", state);
         return Result::ok(r);
       }},
      {"stop", {},
       [](Context& c, const Json&) {
         c.target.pause();
         return Result::ok();
       }},
      {"cont", {},
       [](Context& c, const Json&) {
         if (c.target.run_state() == "shutdown") return Result::fail("Resetting the Virtual Machine is required");
         c.target.resume();
         return Result::ok();
       }},
      {"system_reset", {},
       [](Context& c, const Json&) {
         std::string why = c.target.request_reset();
         return why.empty() ? Result::ok() : Result::fail("system_reset: " + why);
       }},
      {"quit", {},
       [](Context& c, const Json&) {
         c.target.request_quit();
         return Result::ok();
       }},
      {"query-version", {}, [](Context&, const Json&) { return Result::ok(QmpCommands::version()); }},
      {"query-commands", {},
       [](Context&, const Json&) {
         Json list = Json::array();
         for (const std::string& n : QmpCommands::names()) {
           Json o = Json::object();
           o.set("name", n);
           list.push(o);
         }
         return Result::ok(list);
       }},
      {"query-name", {},
       [](Context& c, const Json&) {
         Json r = Json::object();
         if (!c.target.vm_name().empty()) r.set("name", c.target.vm_name());
         return Result::ok(r);
       }},
      {"query-replay", {},
       [](Context& c, const Json&) {
         MonitorTarget::ReplayStatus s = c.target.replay_status();
         Json r = Json::object();
         r.set("mode", s.mode);
         if (s.mode != "none") r.set("filename", s.filename);
         r.set("icount", s.icount);
         return Result::ok(r);
       }},
      {"replay-break", {{"icount", ArgType::kUint, true}},
       [](Context& c, const Json& args) { return replay_reply(c.target.replay_break(uint_arg(args, "icount"))); }},
      {"replay-delete-break", {}, [](Context& c, const Json&) { return replay_reply(c.target.replay_delete_break()); }},
      {"replay-seek", {{"icount", ArgType::kUint, true}},
       [](Context& c, const Json& args) { return replay_reply(c.target.replay_seek(uint_arg(args, "icount"))); }},
      // Input (ui/input_commands.h); the items are checked in monitor/qmp_input.cc.
      {"send-key", {{"keys", ArgType::kList, true}, {"hold-time", ArgType::kInt, false}},
       [](Context& c, const Json& args) {
         InputCommands* in = c.target.input_commands();
         return in ? replay_reply(qmp_send_key(*in, args)) : Result::ok();
       }},
      {"input-send-event",
       {{"device", ArgType::kStr, false}, {"head", ArgType::kInt, false}, {"events", ArgType::kList, true}},
       [](Context& c, const Json& args) {
         if (args.find("device"))
           return Result::fail("input-send-event: device= is not supported (events go to the first device "
                               "that takes them)");
         InputCommands* in = c.target.input_commands();
         return in ? replay_reply(qmp_input_send_event(*in, args)) : Result::ok();
       }},
      {"screendump",
       {{"filename", ArgType::kStr, true},
        {"device", ArgType::kStr, false},
        {"head", ArgType::kInt, false},
        {"format", ArgType::kStr, false}},
       [](Context& c, const Json& args) {
         auto str = [&args](const char* name) {
           const Json* j = args.find(name);
           return j ? j->as_string() : std::string();
         };
         int64_t head = 0;
         if (const Json* j = args.find("head")) j->get_int64(head);
         std::string error_class;
         std::string err = c.target.screendump(str("filename"), str("device"), head, str("format"), error_class);
         return err.empty() ? Result::ok() : Result::fail(err, error_class.empty() ? "GenericError" : error_class);
       }},
      {"human-monitor-command", {{"command-line", ArgType::kStr, true}, {"cpu-index", ArgType::kInt, false}},
       [](Context& c, const Json& args) {
         int64_t cpu = 0;
         if (const Json* j = args.find("cpu-index")) j->get_int64(cpu);
         if (cpu != 0) return Result::fail("Invalid CPU index");  // one hart
         // Lines end in "\r\n", as QEMU returns HMP text.
         std::string text;
         for (char ch : c.hmp(args.find("command-line")->as_string())) {
           if (ch == '\n') text += '\r';
           text += ch;
         }
         return Result::ok(Json(text));
       }},
  };
  return commands;
}

const char* type_name(ArgType t) {
  switch (t) {
    case ArgType::kStr: return "string";
    case ArgType::kInt: return "integer";
    case ArgType::kUint: return "non-negative integer";
    case ArgType::kStrList: return "array of strings";
    case ArgType::kList: return "array";
  }
  return "";
}

bool type_fits(ArgType t, const Json& v) {
  uint64_t u;
  int64_t i;
  switch (t) {
    case ArgType::kStr: return v.is_string();
    case ArgType::kInt: return v.get_int64(i);
    case ArgType::kUint: return v.get_uint64(u);
    case ArgType::kList: return v.is_array();
    case ArgType::kStrList:
      if (!v.is_array()) return false;
      for (const Json& item : v.items())
        if (!item.is_string()) return false;
      return true;
  }
  return false;
}

// The arguments against the table: every member known and of its type,
// every required one there. Returns the complaint ("" when they are fine).
std::string check_args(const QmpCommands::Command& c, const Json& args) {
  for (const Json::Member& m : args.members()) {
    const Arg* spec = nullptr;
    for (const Arg& a : c.args)
      if (m.first == a.name) spec = &a;
    if (!spec) return "Parameter '" + m.first + "' is unexpected";
    if (!type_fits(spec->type, m.second))
      return "Invalid parameter type for '" + m.first + "', expected: " + type_name(spec->type);
  }
  for (const Arg& a : c.args)
    if (a.required && !args.find(a.name)) return std::string("Parameter '") + a.name + "' is missing";
  return "";
}

}  // namespace

QmpCommands::QmpCommands(MonitorTarget& target, std::function<std::string(const std::string&)> hmp)
    : target_(target), hmp_(std::move(hmp)) {}

Json QmpCommands::error(const std::string& error_class, const std::string& desc) {
  Json e = Json::object();
  e.set("class", error_class);
  e.set("desc", desc);
  Json reply = Json::object();
  reply.set("error", e);
  return reply;
}

std::vector<std::string> QmpCommands::names() {
  std::vector<std::string> out;
  for (const Command& c : table()) out.push_back(c.name);
  return out;
}

Json QmpCommands::version() {
  // "MAJOR.MINOR.MICRO" from meson.build.
  const char* p = kRewindVersion;
  char* end = nullptr;
  long major = std::strtol(p, &end, 10);
  long minor = *end == '.' ? std::strtol(end + 1, &end, 10) : 0;
  long micro = *end == '.' ? std::strtol(end + 1, &end, 10) : 0;
  Json q = Json::object();
  q.set("micro", static_cast<int64_t>(micro));
  q.set("minor", static_cast<int64_t>(minor));
  q.set("major", static_cast<int64_t>(major));
  Json v = Json::object();
  v.set("qemu", q);
  v.set("package", std::string("rewind ") + kRewindVersion);
  return v;
}

QmpCommands::Result QmpCommands::run(const Command& c, const Json& args, bool& negotiated) {
  Context ctx{target_, hmp_, negotiated};
  return c.run(ctx, args);
}

Json QmpCommands::handle(const Json& request, bool& negotiated) {
  auto reply_with_id = [&](Json reply) {
    if (request.is_object())
      if (const Json* id = request.find("id")) reply.set("id", *id);
    return reply;
  };
  auto fail = [&](const std::string& desc, const std::string& cls = "GenericError") {
    return reply_with_id(error(cls, desc));
  };
  if (!request.is_object()) return fail("QMP input must be a JSON object");
  const Json* execute = nullptr;
  const Json* args = nullptr;
  for (const Json::Member& m : request.members()) {
    if (m.first == "execute" || m.first == "exec-oob") {
      if (!m.second.is_string()) return fail("QMP input member '" + m.first + "' must be a string");
      if (m.first == "exec-oob") return fail("out-of-band execution is not supported (capability 'oob' is not offered)");
      execute = &m.second;
    } else if (m.first == "arguments") {
      if (!m.second.is_object()) return fail("QMP input member 'arguments' must be an object");
      args = &m.second;
    } else if (m.first != "id") {
      return fail("QMP input member '" + m.first + "' is unexpected");
    }
  }
  if (!execute) return fail("QMP input lacks member 'execute'");
  const std::string& name = execute->as_string();
  // Before negotiation only qmp_capabilities exists.
  if (!negotiated && name != "qmp_capabilities")
    return fail("Expecting capabilities negotiation with 'qmp_capabilities'", "CommandNotFound");
  const Command* cmd = nullptr;
  for (const Command& c : table())
    if (name == c.name) cmd = &c;
  if (!cmd) return fail("The command " + name + " has not been found", "CommandNotFound");
  static const Json kNoArgs = Json::object();
  const Json& a = args ? *args : kNoArgs;
  if (std::string bad = check_args(*cmd, a); !bad.empty()) return fail(bad);
  Result r = run(*cmd, a, negotiated);
  if (!r.error_class.empty()) return fail(r.desc, r.error_class);
  Json reply = Json::object();
  reply.set("return", r.value);
  return reply_with_id(reply);
}

}  // namespace rwd
