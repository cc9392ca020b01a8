#include "net/filter_replay.h"

#include "net/frame_summary.h"

namespace rwd {

FilterReplay::FilterReplay(Netdev& link, InputPath& path, uint8_t source)
    : link_(link), path_(path), source_(source), channel_(path.open(EventKind::kNetFrame, source, *this)) {}

bool FilterReplay::filter(NetDirection dir, const uint8_t* data, size_t len, size_t) {
  if (dir == NetDirection::kFromGuest) {
    path_.guest_output(EventKind::kNetSent, source_, data, len, frame_summary);
    return true;
  }
  channel_->submit(data, len);  // passes it on through receive_input (not on replay)
  return false;
}

// A frame is one piece: all of it, or (no buffer posted) none.
size_t FilterReplay::input_room() { return link_.guest_ready() ? SIZE_MAX : 0; }

void FilterReplay::receive_input(const uint8_t* data, size_t len) {
  // Frames go on from the filter after this one.
  const auto& fs = link_.filters();
  size_t at = 0;
  while (at < fs.size() && fs[at].get() != this) ++at;
  link_.pass_on(data, len, at + 1);
}

}  // namespace rwd
