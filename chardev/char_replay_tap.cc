#include "chardev/char_replay_tap.h"

namespace rwd {

CharReplayTap::CharReplayTap(InputPath& path, uint8_t port)
    : CharFilter(kReplayTap), channel_(path.open(EventKind::kCharInput, port, *this)) {}

// On replay live input is taken and dropped: holding it back would only stall
// the backend.
size_t CharReplayTap::can_receive() { return channel_->live() ? input_room() : SIZE_MAX; }

void CharReplayTap::receive(const uint8_t* data, size_t len) { channel_->submit(data, len); }

// Peers come and go live; on replay the guest must not see it.
void CharReplayTap::char_event(CharEvent e) {
  if (channel_->live()) CharFilter::char_event(e);
}

size_t CharReplayTap::input_room() { return CharFilter::can_receive(); }

void CharReplayTap::receive_input(const uint8_t* data, size_t len) { CharFilter::receive(data, len); }

}  // namespace rwd
