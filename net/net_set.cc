#include "net/net_set.h"

#include <cstdio>
#include <stdexcept>

#include "net/filter_dump.h"
#include "net/filter_replay.h"
#include "net/slirp_backend.h"
#include "net/socket_backend.h"
#include "replay/input.h"

namespace rwd {

namespace {

// A replay's stand-in for every backend: frames from the guest end here.
class DisconnectedBackend : public NetBackend {
 public:
  explicit DisconnectedBackend(std::string type) : type_(std::move(type)) {}
  std::string type() const override { return type_; }
  void receive(const uint8_t*, size_t) override {}
  std::string info() const override { return "replay: not connected"; }

 private:
  std::string type_;
};

std::unique_ptr<NetBackend> make_backend(const NetdevSpec& s, HostLoop& loop, SocketHubs& hubs, CharRegistry* chardevs) {
  if (s.type == "user") return std::make_unique<SlirpBackend>(s, loop, chardevs);
  if (s.type == "socket") return make_socket_backend(s, loop);
  if (s.type == "hubport") return hubs.port(s, loop);
  if (s.type == "tap") return make_tap_backend(s, loop);
  throw std::runtime_error("-netdev " + s.type + ": unknown backend");
}

NetFilter::Queue queue_of(const std::string& q) {
  return q == "rx" ? NetFilter::Queue::kRx : q == "tx" ? NetFilter::Queue::kTx : NetFilter::Queue::kAll;
}

}  // namespace

NetSet::NetSet(const NetConfig& cfg, Mode mode, HostLoop& loop, InputPath& input, std::function<uint64_t()> now_ns,
               CharRegistry* chardevs)
    : nics_(cfg.nics) {
  if (cfg.netdevs.size() > 255) throw std::runtime_error("more than 255 netdevs");
  hubs_ = std::make_unique<SocketHubs>();
  for (size_t i = 0; i < cfg.netdevs.size(); ++i) {
    const NetdevSpec& s = cfg.netdevs[i];
    auto nd = std::make_unique<Netdev>(s.id, loop);
    if (mode == Mode::kReplay) nd->set_backend(std::make_unique<DisconnectedBackend>(s.type));
    else nd->set_backend(make_backend(s, loop, *hubs_, chardevs));
    bool has_replay = false;
    for (const NetFilterSpec& f : cfg.filters) {
      if (f.netdev != s.id) continue;
      std::unique_ptr<NetFilter> filter;
      if (f.type == "filter-replay") {
        // Without record/replay it passes frames on, as QEMU's.
        if (has_replay) throw std::runtime_error("-object filter-replay,id=" + f.id + ": netdev '" + s.id + "' has one already");
        filter = std::make_unique<FilterReplay>(*nd, input, static_cast<uint8_t>(i));
        has_replay = true;
      } else {
        filter = std::make_unique<FilterDump>(f.file, f.maxlen, now_ns);
      }
      filter->id = f.id;
      filter->queue = queue_of(f.queue);
      filter->enabled = f.enabled;
      if (f.type == "filter-replay" && mode != Mode::kPlain && (filter->queue != NetFilter::Queue::kAll || !f.enabled))
        throw std::runtime_error("-object filter-replay,id=" + f.id + ": under record/replay it must see every frame (queue=all, status=on)");
      nd->add_filter(std::move(filter));
    }
    if (mode != Mode::kPlain && !has_replay) {
      auto filter = std::make_unique<FilterReplay>(*nd, input, static_cast<uint8_t>(i));
      filter->id = "replay-" + s.id;
      nd->add_filter(std::move(filter), true);
      std::fprintf(stderr, "rewind: note: netdev '%s' records through an implicit filter-replay\n", s.id.c_str());
    }
    netdevs_.push_back(std::move(nd));
  }
}

NetSet::~NetSet() = default;

Netdev* NetSet::find(const std::string& id) {
  for (auto& n : netdevs_)
    if (n->id() == id) return n.get();
  return nullptr;
}

std::string NetSet::info_text() const {
  std::string s;
  for (const auto& n : netdevs_) s += n->info() + "\n";
  return s.empty() ? "(no network)\n" : s;
}

}  // namespace rwd
