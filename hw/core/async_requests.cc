#include "hw/core/async_requests.h"

#include <cstring>

namespace rwd {

AsyncRequests::AsyncRequests(HostWorkPool& pool, InputPath& path, uint8_t source, ResultCodec* embed)
    : pool_(pool), channel_(path.open(EventKind::kCompletion, source, *this)), embed_(embed) {}

AsyncRequests::~AsyncRequests() {
  *alive_ = false;
  // Work still running refers to buffers its device owns: let it end.
  for (auto& [id, p] : pending_)
    if (p.ticket) pool_.finish(p.ticket);
}

void AsyncRequests::start(std::function<AsyncResult()> work, std::function<void(const AsyncResult&)> complete) {
  uint64_t id = next_id_++;
  Pending& p = pending_[id];
  p.complete = std::move(complete);
  if (replaying_embedded()) return;  // the recording has the result
  std::shared_ptr<bool> alive = alive_;
  std::shared_ptr<AsyncResult> result = p.result;
  p.ticket = pool_.submit([result, work = std::move(work)] { *result = work(); },
                          [this, alive, id] {
                            if (*alive) work_finished(id);
                          });
}

// The host finished the work (emulation thread, from the host loop).
void AsyncRequests::work_finished(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // cancelled, or already completed by a replay
  it->second.work_done = true;
  // Plain run and record: completes now (a recording logs it first).
  // Replay: dropped; the recording says when.
  ByteWriter result;
  if (embed_) embed_->encode(*it->second.result, result);
  std::vector<uint8_t> payload(sizeof id);
  std::memcpy(payload.data(), &id, sizeof id);  // as ByteReader::u64 reads it
  payload.insert(payload.end(), result.data().begin(), result.data().end());
  channel_->submit(payload.data(), payload.size());
}

// The completion point of a request.
void AsyncRequests::receive_input(const uint8_t* data, size_t len) {
  ByteReader r(data, len);
  uint64_t id = r.u64();
  auto it = pending_.find(id);
  if (it == pending_.end())
    throw InputMismatch("the recording completes request " + std::to_string(id) + ", which this run has not started");
  Pending p = std::move(it->second);
  pending_.erase(it);
  if (replaying_embedded()) {
    AsyncResult result = embed_->decode(r);
    p.complete(result);
    return;
  }
  if (!p.work_done) pool_.finish(p.ticket);  // replay: the host is slower this time
  p.complete(*p.result);
}

void AsyncRequests::cancel_all() { pending_.clear(); }

// The requests the guest is waiting for are part of the device's state (a
// checkpoint hashes them); their host work is not, so a state with any in
// flight cannot be loaded: save a machine after its drives drained.
void AsyncRequests::save(ByteWriter& w) const {
  w.u64(next_id_);
  w.varint(pending_.size());
  for (auto& [id, p] : pending_) w.u64(id);
}

void AsyncRequests::load(ByteReader& r) {
  uint64_t next = r.u64();
  uint64_t in_flight = r.varint();
  if (in_flight) throw DecodeError("saved with " + std::to_string(in_flight) + " device requests in flight");
  pending_.clear();
  next_id_ = next;
}

}  // namespace rwd
