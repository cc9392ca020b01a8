// The host side of the machine's event loop: a glib GMainContext owned by the
// machine. Backends watch their file descriptors here; the machine runs the
// CPU in slices and calls iterate() between them (and with a timeout while
// the guest idles), so every callback runs on the emulator thread at a point
// between translation blocks, never in the middle of guest code.
#pragma once
#include <functional>
#include <vector>

typedef struct _GMainContext GMainContext;
typedef struct _GPollFD GPollFD;

namespace rwd {

// Conditions of an fd watch (the subset of GIOCondition backends use).
enum IoCond : unsigned { kIoIn = 1u << 0, kIoOut = 1u << 1, kIoHup = 1u << 2, kIoErr = 1u << 3 };

class HostLoop {
 public:
  HostLoop();
  ~HostLoop();
  HostLoop(const HostLoop&) = delete;
  HostLoop& operator=(const HostLoop&) = delete;

  // One non-recursive iteration: waits up to `timeout_ms` (0: only polls,
  // < 0: until something happens) and dispatches what is ready. Returns true
  // when a callback ran. An exception a callback throws comes out of here,
  // after glib has finished dispatching.
  bool iterate(int timeout_ms);

  // Calls `cb(conditions)` whenever `fd` meets one of `cond` (IoCond bits).
  // Returns a non-zero id for remove(). Hang-up and error always wake it.
  using FdCallback = std::function<void(unsigned cond)>;
  unsigned watch_fd(int fd, unsigned cond, FdCallback cb);
  // Removes a watch; safe from inside its own callback and with id 0.
  void remove(unsigned id);
  // Runs `cb` once, at the next iterate().
  void call_soon(std::function<void()> cb);
  // Runs `cb` once, at the first iterate() `ms` milliseconds of host time
  // from now (host-side timing only: what it does to the guest goes through
  // the replay input path).
  void call_after(unsigned ms, std::function<void()> cb);

  GMainContext* context() const { return ctx_; }

  // Emulation thread only. Something on the host side can move input into
  // the guest right now (the guest made room for it): the run loop should
  // come back for a service step at the next point between blocks instead
  // of waiting for its next poll. The run loop installs the hook that stops
  // the engine.
  void request_service() {
    service_requested_ = true;
    if (service_hook_) service_hook_();
  }
  bool take_service_request() {
    bool r = service_requested_;
    service_requested_ = false;
    return r;
  }
  void set_service_hook(std::function<void()> hook) { service_hook_ = std::move(hook); }

 private:
  GMainContext* ctx_;
  bool service_requested_ = false;
  std::function<void()> service_hook_;
  std::vector<GPollFD> fds_;
};

// A watch that removes itself: the usual way for a backend to hold one.
class FdWatch {
 public:
  explicit FdWatch(HostLoop* loop = nullptr) : loop_(loop) {}
  ~FdWatch() { clear(); }
  FdWatch(const FdWatch&) = delete;
  FdWatch& operator=(const FdWatch&) = delete;
  void bind(HostLoop* loop) { loop_ = loop; }
  void set(int fd, unsigned cond, HostLoop::FdCallback cb) {
    clear();
    if (loop_ && fd >= 0) id_ = loop_->watch_fd(fd, cond, std::move(cb));
  }
  void clear() {
    if (loop_ && id_) loop_->remove(id_);
    id_ = 0;
  }
  bool active() const { return id_ != 0; }

 private:
  HostLoop* loop_;
  unsigned id_ = 0;
};

}  // namespace rwd
