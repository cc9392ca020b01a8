#include "tools/diverge/last_input.h"

#include "replay/event_codec.h"
#include "replay/events.h"

namespace rwd {

std::optional<RecordedInput> last_input_at_or_before(const RrReader& rr, uint64_t icount) {
  std::optional<RecordedInput> last;
  for (size_t b = 0; b < rr.blocks().size() && rr.blocks()[b].first_icount <= icount; ++b) {
    std::vector<uint8_t> raw = rr.read_block(b);
    RrEventCursor cur(raw, rr.blocks()[b]);
    uint8_t kb;
    uint64_t at;
    std::vector<uint8_t> payload;
    while (cur.next(kb, at, payload) && at <= icount) {
      Event e = decode_event(kb, at, payload);
      if (e.spec().family != EventFamily::kInput) continue;
      RecordedInput in;
      in.icount = at;
      in.kind = e.spec().name;
      in.source = e.source();
      in.bytes = e.data().size();
      in.text = escape_text(std::string(e.data().begin(), e.data().end()), 48);
      last = in;
    }
  }
  return last;
}

}  // namespace rwd
