#include "monitor/qmp_input.h"

#include <vector>

#include "ui/input_commands.h"
#include "ui/qcode_keymap.h"

namespace rwd {

namespace {

std::string missing(const std::string& path) { return "Parameter '" + path + "' is missing"; }
std::string bad_type(const std::string& path, const char* want) {
  return "Invalid parameter type for '" + path + "', expected: " + want;
}
// QEMU 7.2 names only the member for a bad enum value ("Parameter 'data'
// does not accept value 'nokey'"), the whole path otherwise.
std::string bad_value(const std::string& member, const std::string& v) {
  return "Parameter '" + member + "' does not accept value '" + v + "'";
}

// A member of `obj` that must be there and be a string naming one of `names`.
std::string enum_member(const Json& obj, const std::string& path, const char* key,
                        const std::vector<std::string>& names, size_t& index) {
  const Json* v = obj.find(key);
  if (!v) return missing(path + key);
  if (!v->is_string()) return bad_type(path + key, "string");
  for (index = 0; index < names.size(); ++index)
    if (names[index] == v->as_string()) return "";
  return bad_value(key, v->as_string());  // QAPI names just the member here
}

// KeyValue: {"type": "qcode", "data": NAME} or {"type": "number", "data": N}.
std::string key_value(const Json& kv, const std::string& path, uint16_t& code) {
  if (!kv.is_object()) return bad_type(path.substr(0, path.size() - 1), "object");
  size_t type;
  if (std::string e = enum_member(kv, path, "type", {"number", "qcode"}, type); !e.empty()) return e;
  const Json* data = kv.find("data");
  if (!data) return missing(path + "data");
  if (type == 0) {
    int64_t n;
    if (!data->get_int64(n)) return bad_type(path + "data", "integer");
    code = n >= 0 && n <= 0xffff ? qnum_to_linux(static_cast<uint32_t>(n)) : 0;
    return "";
  }
  if (!data->is_string()) return bad_type(path + "data", "string");
  code = qcode_to_linux(data->as_string());
  return code ? "" : bad_value("data", data->as_string());
}

std::string one_event(const Json& ev, const std::string& path, InputEvent& out, bool& usable) {
  if (!ev.is_object()) return bad_type(path.substr(0, path.size() - 1), "object");
  size_t type;
  if (std::string e = enum_member(ev, path, "type", {"key", "btn", "rel", "abs"}, type); !e.empty()) return e;
  const Json* data = ev.find("data");
  if (!data) return missing(path + "data");
  if (!data->is_object()) return bad_type(path + "data", "object");
  const std::string dp = path + "data.";
  usable = true;
  if (type <= 1) {
    const Json* down = data->find("down");
    if (!down) return missing(dp + "down");
    if (!down->is_bool()) return bad_type(dp + "down", "boolean");
    out.value = down->as_bool() ? 1 : 0;
    if (type == 0) {
      const Json* key = data->find("key");
      if (!key) return missing(dp + "key");
      out.type = InputEvent::kKey;
      if (std::string e = key_value(*key, dp + "key.", out.code); !e.empty()) return e;
      usable = out.code != 0;
      return "";
    }
    size_t b;
    if (std::string e = enum_member(*data, dp, "button",
                                    {"left", "middle", "right", "wheel-up", "wheel-down", "side", "extra"}, b);
        !e.empty())
      return e;
    out.type = InputEvent::kButton;
    out.code = static_cast<uint16_t>(b);  // the names in InputButton order
    return "";
  }
  size_t axis;
  if (std::string e = enum_member(*data, dp, "axis", {"x", "y"}, axis); !e.empty()) return e;
  const Json* value = data->find("value");
  if (!value) return missing(dp + "value");
  int64_t v;
  if (!value->get_int64(v) || v < INT32_MIN || v > INT32_MAX) return bad_type(dp + "value", "int32");
  out.type = type == 2 ? InputEvent::kRel : InputEvent::kAbs;
  out.code = static_cast<uint16_t>(axis);
  out.value = static_cast<int32_t>(v);
  return "";
}

}  // namespace

std::string qmp_send_key(InputCommands& in, const Json& args) {
  const Json* keys = args.find("keys");
  if (!keys) return missing("keys");
  if (!keys->is_array()) return bad_type("keys", "array");
  std::vector<uint16_t> codes;
  for (size_t i = 0; i < keys->items().size(); ++i) {
    uint16_t code = 0;
    std::string e = key_value(keys->items()[i], "keys[" + std::to_string(i) + "].", code);
    if (!e.empty()) return e;
    codes.push_back(code);
  }
  int64_t hold = InputCommands::kDefaultHoldMs;
  if (const Json* h = args.find("hold-time")) {
    if (!h->get_int64(hold) || hold < 0 || hold > INT32_MAX) return bad_type("hold-time", "int");
  }
  in.send_keys(codes, static_cast<unsigned>(hold));
  return "";
}

std::string qmp_input_send_event(InputCommands& in, const Json& args) {
  const Json* events = args.find("events");
  if (!events) return missing("events");
  if (!events->is_array()) return bad_type("events", "array");
  std::vector<InputEvent> batch;
  for (size_t i = 0; i < events->items().size(); ++i) {
    InputEvent e{InputEvent::kKey, 0, 0};
    bool usable = false;
    std::string err = one_event(events->items()[i], "events[" + std::to_string(i) + "].", e, usable);
    if (!err.empty()) return err;
    if (usable) batch.push_back(e);
  }
  in.send(batch);
  return "";
}

}  // namespace rwd
