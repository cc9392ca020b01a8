#include "hw/virtio/virtio_rng.h"

#include <algorithm>

namespace rwd {

void VirtioRng::notify(unsigned, VirtQueue& q) {
  VirtqElement e;
  // pop() takes at most the queue size's worth of requests per notify: the
  // driver cannot publish more than that at once.
  while (q.pop(e) == VirtQueue::Pop::kElement) {
    uint64_t want = std::min(e.in_bytes(), kMaxRequestBytes), done = 0;
    uint8_t chunk[4096];
    while (done < want) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof chunk, want - done));
      entropy_.fill(chunk, n);
      uint64_t copied = q.copy_to_guest(e, done, chunk, n);
      done += copied;
      if (copied < n) break;  // cannot happen: pop() checked the buffers
    }
    q.push(e, done);
  }
}

}  // namespace rwd
