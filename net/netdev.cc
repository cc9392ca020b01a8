#include "net/netdev.h"

#include "util/host_loop.h"

namespace rwd {

void NetBackend::to_guest(const uint8_t* data, size_t len) {
  if (link_) link_->from_backend(data, len);
}

void Netdev::set_backend(std::unique_ptr<NetBackend> b) {
  backend_ = std::move(b);
  if (backend_) backend_->set_link(this);
}

void Netdev::add_filter(std::unique_ptr<NetFilter> f, bool at_head) {
  if (at_head) filters_.insert(filters_.begin(), std::move(f));
  else filters_.push_back(std::move(f));
}

void Netdev::from_backend(const uint8_t* data, size_t len) {
  if (len == 0 || len > kMaxFrame) {
    ++dropped_;
    return;
  }
  // A backend answering inside the guest's own send (slirp replies to ARP
  // and to pings of its gateway at once) must not reach the guest in the
  // middle of an instruction: the frame waits for the host loop.
  if (!queue_.empty() || !guest_ready() || in_guest_send_) {
    if (queue_.size() >= kQueueFrames) {
      ++dropped_;
      return;
    }
    queue_.emplace_back(data, data + len);
    if (in_guest_send_) kick();
    return;
  }
  pass_on(data, len, 0);
}

void Netdev::pass_on(const uint8_t* data, size_t len, size_t position) {
  for (size_t i = position; i < filters_.size(); ++i)
    if (filters_[i]->sees(NetDirection::kToGuest) && !filters_[i]->filter(NetDirection::kToGuest, data, len, i)) return;
  if (nic_ && nic_->can_take_frame()) nic_->take_frame(data, len);
  else ++dropped_;
}

void Netdev::from_guest(const uint8_t* data, size_t len) {
  if (len == 0 || len > kMaxFrame) return;
  for (size_t i = filters_.size(); i-- > 0;)
    if (filters_[i]->sees(NetDirection::kFromGuest) && !filters_[i]->filter(NetDirection::kFromGuest, data, len, i))
      return;
  if (!backend_) return;
  in_guest_send_ = true;
  backend_->receive(data, len);
  in_guest_send_ = false;
}

void Netdev::kick() {
  if (flush_pending_) return;
  flush_pending_ = true;
  std::weak_ptr<bool> alive = alive_;
  loop_.call_soon([this, alive] {
    if (alive.expired()) return;
    flush_pending_ = false;
    flush();
  });
  loop_.request_service();
}

void Netdev::flush() {
  while (!queue_.empty() && guest_ready()) {
    Frame f = std::move(queue_.front());
    queue_.pop_front();
    pass_on(f.data(), f.size(), 0);
  }
  if (backend_ && guest_ready()) backend_->guest_ready();
}

std::string Netdev::info() const {
  std::string s = id_ + ": index=0,type=" + (backend_ ? backend_->type() + "," + backend_->info() : "none");
  for (const auto& f : filters_) s += "\n  filter " + f->id + ": type=" + f->type() + (f->enabled ? "" : ",status=off") + f->info();
  s += "\n  \\ " + (nic_ ? nic_->info() : std::string("(no NIC)"));
  if (dropped_ || !queue_.empty())
    s += "\n  queued " + std::to_string(queue_.size()) + " frames, dropped " + std::to_string(dropped_);
  return s;
}

}  // namespace rwd
