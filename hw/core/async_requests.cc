#include "hw/core/async_requests.h"

#include <cstring>

namespace rwd {

AsyncRequests::AsyncRequests(HostWorkPool& pool, InputPath& path, uint8_t source)
    : pool_(pool), channel_(path.open(EventKind::kCompletion, source, *this)) {}

AsyncRequests::~AsyncRequests() {
  *alive_ = false;
  // Work still running refers to buffers its device owns: let it end.
  for (auto& [id, p] : pending_) pool_.finish(p.ticket);
}

void AsyncRequests::start(std::function<void()> work, std::function<void()> complete) {
  uint64_t id = next_id_++;
  Pending& p = pending_[id];
  p.complete = std::move(complete);
  std::shared_ptr<bool> alive = alive_;
  p.ticket = pool_.submit(std::move(work), [this, alive, id] {
    if (*alive) work_finished(id);
  });
}

// The host finished the work (emulation thread, from the host loop).
void AsyncRequests::work_finished(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // cancelled
  it->second.work_done = true;
  uint8_t bytes[8];
  std::memcpy(bytes, &id, 8);
  // Plain run and record: completes now (recording logs it first). Replay:
  // dropped; the recording says when.
  channel_->submit(bytes, sizeof bytes);
}

// The completion point of request `id`.
void AsyncRequests::receive_input(const uint8_t* data, size_t len) {
  uint64_t id = 0;
  if (len != sizeof id) return;
  std::memcpy(&id, data, sizeof id);
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // not started (or cancelled) in this run: nothing to complete
  Pending p = std::move(it->second);
  pending_.erase(it);
  if (!p.work_done) pool_.finish(p.ticket);  // replay: the host is slower this time
  p.complete();
}

void AsyncRequests::cancel_all() { pending_.clear(); }

void AsyncRequests::save(ByteWriter& w) const {
  if (!pending_.empty())
    throw DecodeError(std::to_string(pending_.size()) + " device requests are in flight; their host work cannot be saved");
  w.u64(next_id_);
}

void AsyncRequests::load(ByteReader& r) {
  pending_.clear();
  next_id_ = r.u64();
}

}  // namespace rwd
