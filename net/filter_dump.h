// -object filter-dump,id=ID,netdev=NETDEV,file=F[,maxlen=N]: every frame
// passing, both directions, into a pcap file (net/pcap_writer.h), cut to
// maxlen bytes (default 65536). Timestamps come from the clock it is given:
// host time in a live run, the virtual clock in a replay (which never reads
// the host's time).
#pragma once
#include <functional>

#include "net/netdev.h"
#include "net/pcap_writer.h"

namespace rwd {

class FilterDump : public NetFilter {
 public:
  FilterDump(const std::string& file, uint32_t maxlen, std::function<uint64_t()> now_ns)
      : file_(file), pcap_(file, maxlen), now_ns_(std::move(now_ns)) {}
  std::string type() const override { return "filter-dump"; }
  bool filter(NetDirection, const uint8_t* data, size_t len, size_t) override {
    pcap_.write(now_ns_(), data, len);
    pcap_.flush();
    return true;
  }
  std::string info() const override { return ",file=" + file_; }

 private:
  std::string file_;
  PcapWriter pcap_;
  std::function<uint64_t()> now_ns_;
};

}  // namespace rwd
