// How many bytes the next client message of an RFB connection takes, from
// the bytes already waiting: libvncserver reads a message to its end with
// blocking reads, so the server hands it a client only once the whole
// message is there (a client that sends half a message and waits then
// costs the emulator nothing).
#pragma once
#include <cstddef>
#include <cstdint>

namespace rwd {

enum class RfbPhase { kVersion, kSecurity, kClientInit, kNormal, kOther };

// The size of the message starting at `head` (`avail` bytes waiting), or 0
// when it cannot tell (an unknown type: the library decides). A size larger
// than `avail` means "wait for more"; it is at least the header's size.
size_t rfb_message_size(RfbPhase phase, const uint8_t* head, size_t avail);

}  // namespace rwd
