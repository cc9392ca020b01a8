#include "util/host_loop.h"

#include <glib-unix.h>
#include <glib.h>

#include <cassert>
#include <exception>
#include <utility>

namespace rwd {

namespace {

GIOCondition to_glib(unsigned cond) {
  unsigned g = G_IO_HUP | G_IO_ERR;
  if (cond & kIoIn) g |= G_IO_IN;
  if (cond & kIoOut) g |= G_IO_OUT;
  return static_cast<GIOCondition>(g);
}

unsigned from_glib(GIOCondition g) {
  unsigned c = 0;
  if (g & (G_IO_IN | G_IO_PRI)) c |= kIoIn;
  if (g & G_IO_OUT) c |= kIoOut;
  if (g & G_IO_HUP) c |= kIoHup;
  if (g & (G_IO_ERR | G_IO_NVAL)) c |= kIoErr;
  return c;
}

// An exception must not unwind through glib's C frames: the first one a
// callback throws is kept and rethrown by iterate() once glib is done.
thread_local std::exception_ptr t_pending;

gboolean dispatch_fd(gint, GIOCondition cond, gpointer data) {
  if (t_pending) return G_SOURCE_CONTINUE;
  try {
    (*static_cast<HostLoop::FdCallback*>(data))(from_glib(cond));
  } catch (...) {
    t_pending = std::current_exception();
  }
  return G_SOURCE_CONTINUE;
}

void free_callback(gpointer data) { delete static_cast<HostLoop::FdCallback*>(data); }

}  // namespace

HostLoop::HostLoop() : ctx_(g_main_context_new()), fds_(16) {}

HostLoop::~HostLoop() { g_main_context_unref(ctx_); }

bool HostLoop::iterate(int timeout_ms) {
  if (!g_main_context_acquire(ctx_)) return false;
  gint max_priority = 0, glib_timeout = -1;
  g_main_context_prepare(ctx_, &max_priority);
  int n;
  while ((n = g_main_context_query(ctx_, max_priority, &glib_timeout, fds_.data(), static_cast<gint>(fds_.size()))) >
         static_cast<int>(fds_.size()))
    fds_.resize(static_cast<size_t>(n));
  int timeout = timeout_ms;
  if (glib_timeout >= 0 && (timeout < 0 || glib_timeout < timeout)) timeout = glib_timeout;
  // EINTR (a signal) just ends the wait early: the run loop looks at it next.
  g_poll(fds_.data(), static_cast<guint>(n), timeout);
  bool ready = g_main_context_check(ctx_, max_priority, fds_.data(), n);
  if (ready) g_main_context_dispatch(ctx_);
  g_main_context_release(ctx_);
  if (t_pending) std::rethrow_exception(std::exchange(t_pending, nullptr));
  return ready;
}

unsigned HostLoop::watch_fd(int fd, unsigned cond, FdCallback cb) {
  assert(fd >= 0);
  GSource* src = g_unix_fd_source_new(fd, to_glib(cond));
  g_source_set_callback(src, reinterpret_cast<GSourceFunc>(reinterpret_cast<void (*)()>(dispatch_fd)),
                        new FdCallback(std::move(cb)), free_callback);
  unsigned id = g_source_attach(src, ctx_);
  g_source_unref(src);
  return id;
}

namespace {
gboolean dispatch_once(gpointer data) {
  if (!t_pending) {
    try {
      (*static_cast<std::function<void()>*>(data))();
    } catch (...) {
      t_pending = std::current_exception();
    }
  }
  return G_SOURCE_REMOVE;
}
void free_once(gpointer data) { delete static_cast<std::function<void()>*>(data); }
}  // namespace

void HostLoop::call_soon(std::function<void()> cb) {
  GSource* src = g_idle_source_new();
  g_source_set_callback(src, dispatch_once, new std::function<void()>(std::move(cb)), free_once);
  g_source_attach(src, ctx_);
  g_source_unref(src);
}

void HostLoop::call_after(unsigned ms, std::function<void()> cb) {
  GSource* src = g_timeout_source_new(ms);
  g_source_set_callback(src, dispatch_once, new std::function<void()>(std::move(cb)), free_once);
  g_source_attach(src, ctx_);
  g_source_unref(src);
}

void HostLoop::remove(unsigned id) {
  if (!id) return;
  if (GSource* src = g_main_context_find_source_by_id(ctx_, id)) g_source_destroy(src);
}

}  // namespace rwd
