// QMP send-key and input-send-event: their arguments (QEMU's KeyValue and
// InputEvent unions) checked and turned into calls on InputCommands.
#pragma once
#include <string>

#include "util/json.h"

namespace rwd {

class InputCommands;

// Each returns "" when done, else the error's desc (QAPI's wording).
std::string qmp_send_key(InputCommands& in, const Json& args);
std::string qmp_input_send_event(InputCommands& in, const Json& args);

}  // namespace rwd
