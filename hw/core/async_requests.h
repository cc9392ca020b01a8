// Requests a device hands to host work and finishes later (ARCHITECTURE.md:
// "Anything [the host side] produces for the guest is an asynchronous
// event"). The device starts a request with the work to do off the
// emulation thread (it returns what the completion needs: the data read,
// say) and what to do when the guest is to see it finished (fill buffers,
// update the used ring, raise the interrupt). When that happens is the input
// path's choice (replay/input.h), as for any host input:
//  - a plain run completes it at the first service step after the work ends;
//  - a recording does the same and logs the request's number, pinned to the
//    instruction count (a `completion` event);
//  - a replay ignores when the host finishes, and completes the request at
//    the recorded count, waiting for its work if the host is slower now.
// With a ResultCodec the results themselves go into the recording too
// (rrdisk=embed): a replay then completes from the log and runs no work at
// all — no image needed.
// Request numbers count the device's start() calls, which the guest's
// actions decide, so they are the same in record and replay.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "replay/input.h"
#include "util/byte_codec.h"
#include "util/host_work.h"

namespace rwd {

using AsyncResult = std::vector<uint8_t>;

// Encodes results into a recording and back (with whatever state it keeps
// across requests, e.g. deduplication). Both sides see the same sequence.
class ResultCodec {
 public:
  virtual ~ResultCodec() = default;
  virtual void encode(const AsyncResult& result, ByteWriter& w) = 0;
  virtual AsyncResult decode(ByteReader& r) = 0;  // throws DecodeError
};

class AsyncRequests : private InputReceiver {
 public:
  // `source` names this device among the completion sources (its input
  // source number). `embed`: log results (see above); may be null.
  AsyncRequests(HostWorkPool& pool, InputPath& path, uint8_t source, ResultCodec* embed = nullptr);
  ~AsyncRequests() override;

  // Emulation thread. `work` runs on a host thread; `complete` on the
  // emulation thread, between blocks, at the completion point.
  void start(std::function<AsyncResult()> work, std::function<void(const AsyncResult&)> complete);
  size_t in_flight() const { return pending_.size(); }
  // Device reset: requests not completed yet are forgotten (their work
  // still runs to its end; its completion is dropped).
  void cancel_all();

  // Snapshots and checkpoints: the request counter and the requests in
  // flight. A state saved with requests in flight does not load (DecodeError).
  void save(ByteWriter& w) const;
  void load(ByteReader& r);

 private:
  struct Pending {
    HostWorkPool::Ticket ticket = 0;  // 0: no host work (replaying embedded results)
    bool work_done = false;
    std::shared_ptr<AsyncResult> result = std::make_shared<AsyncResult>();
    std::function<void(const AsyncResult&)> complete;
  };
  void work_finished(uint64_t id);
  void receive_input(const uint8_t* data, size_t len) override;
  bool replaying_embedded() const { return embed_ && !channel_->live(); }

  HostWorkPool& pool_;
  std::unique_ptr<InputChannel> channel_;
  ResultCodec* embed_;
  uint64_t next_id_ = 0;
  std::map<uint64_t, Pending> pending_;
  // Work that finished after its request was cancelled belongs to no one.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rwd
