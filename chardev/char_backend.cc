#include "chardev/char_backend.h"

#include <algorithm>

namespace rwd {

void CharBackend::set_frontend(CharReceiver* frontend) {
  frontend_ = frontend;
  relink();
}

void CharBackend::add_filter(CharFilter* filter) {
  // Stable by stage: filters of one stage keep the order they came in.
  auto at = std::upper_bound(filters_.begin(), filters_.end(), filter,
                             [](const CharFilter* a, const CharFilter* b) { return a->stage() < b->stage(); });
  filters_.insert(at, filter);
  relink();
}

void CharBackend::remove_filter(CharFilter* filter) {
  filters_.erase(std::remove(filters_.begin(), filters_.end(), filter), filters_.end());
  filter->next_ = nullptr;
  relink();
}

void CharBackend::relink() {
  for (size_t i = 0; i < filters_.size(); ++i)
    filters_[i]->next_ = i + 1 < filters_.size() ? filters_[i + 1] : frontend_;
}

CharReceiver* CharBackend::chain_head() const { return filters_.empty() ? frontend_ : filters_.front(); }

size_t CharBackend::deliver(const uint8_t* data, size_t len) {
  CharReceiver* head = chain_head();
  size_t done = 0;
  while (head && done < len) {
    size_t n = std::min(head->can_receive(), len - done);
    if (n == 0) break;
    head->receive(data + done, n);
    done += n;
  }
  return done;
}

}  // namespace rwd
