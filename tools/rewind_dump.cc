// rewind-dump: prints an rrfile — its header, then every event with the
// instruction count it is pinned to and a summary of its payload (in the
// spirit of PANDA's rr_print and QEMU's replay-dump.py). --stats counts
// events and bytes per kind; --json prints the same as one JSON document.
// A damaged file gets the same one-line diagnosis rewind itself gives.
// Network frames (net-frame events) get a protocol summary; --pcap OUT
// writes them to a pcap file, stamped with the guest's virtual time
// (instructions << shift plus idle warps) after the recording's date.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/frame_summary.h"
#include "net/pcap_writer.h"
#include "replay/event_codec.h"
#include "replay/events.h"
#include "replay/rrfile.h"

using namespace rwd;

namespace {

int usage() {
  std::fprintf(stderr, "usage: rewind-dump [--stats] [--json] [--pcap OUT.pcap] FILE.rr\n");
  return 2;
}

// The guest's virtual time of events, for --pcap: the recording's start
// (its "created" date) plus instructions << shift plus the idle warps so far.
struct VirtualTime {
  int64_t start_ns = 0;
  unsigned shift = 0;
  uint64_t warps = 0;
  explicit VirtualTime(const RrHeader& h) {
    auto c = h.fields.find("created");
    std::tm tm{};
    if (c != h.fields.end() && strptime(c->second.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm))
      start_ns = static_cast<int64_t>(timegm(&tm)) * 1'000'000'000;
    auto cfg = h.fields.find("config");
    if (cfg != h.fields.end()) {
      auto at = cfg->second.find("icount-shift=");
      if (at != std::string::npos) shift = static_cast<unsigned>(std::strtoul(cfg->second.c_str() + at + 13, nullptr, 10));
      if (shift > 10) shift = 0;
    }
  }
  uint64_t at(uint64_t icount) const { return static_cast<uint64_t>(start_ns) + (icount << shift) + warps; }
};

}  // namespace

int main(int argc, char** argv) {
  bool stats = false, json = false;
  std::string path, pcap_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--pcap" && i + 1 < argc) pcap_path = argv[++i];
    else if (a == "--stats") stats = true;
    else if (a == "--json") json = true;
    else if (a == "-h" || a == "--help") return usage(), 0;
    else if (a[0] == '-' || !path.empty()) return usage();
    else path = a;
  }
  if (path.empty()) return usage();
  try {
    RrReader rr(path);
    // The same checks as a replay, before anything is printed.
    validate_recording_header(path, rr.header());
    check_recording_end(rr);
    uint64_t counts[kEventKindCount] = {}, bytes[kEventKindCount] = {}, raw_total = 0, comp_total = 0;
    // Everything read from the file is escaped before it reaches a terminal.
    if (json) {
      std::printf("{\"file\":\"%s\",\"version\":%u,\"header\":{", json_escape(path).c_str(), rr.header().version);
      bool first = true;
      for (auto& [k, v] : rr.header().fields) {
        std::printf("%s\"%s\":\"%s\"", first ? "" : ",", json_escape(k).c_str(), json_escape(v).c_str());
        first = false;
      }
      std::printf("},\"complete\":%s,\"final_icount\":%" PRIu64 ",\"events\":[", rr.truncation().empty() ? "true" : "false",
                  rr.final_icount());
    } else {
      std::printf("rrfile %s: format version %u, %" PRIu64 " bytes, %zu blocks, %s\n", escape_text(path).c_str(),
                  rr.header().version, rr.file_size(), rr.blocks().size(),
                  rr.truncation().empty() ? "complete" : ("INCOMPLETE: " + rr.truncation()).c_str());
      for (auto& [k, v] : rr.header().fields) {
        if (k == "config") {
          std::printf("  config:\n");
          size_t pos = 0, nl;
          while ((nl = v.find('\n', pos)) != std::string::npos) {
            std::printf("    %s\n", escape_text(v.substr(pos, nl - pos)).c_str());
            pos = nl + 1;
          }
        } else {
          std::printf("  %s: %s\n", escape_text(k).c_str(), escape_text(v).c_str());
        }
      }
      std::printf("  final instruction count: %" PRIu64 "\n", rr.final_icount());
    }
    std::unique_ptr<PcapWriter> pcap;
    if (!pcap_path.empty()) {
      try {
        pcap = std::make_unique<PcapWriter>(pcap_path, 65536);
      } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "rewind-dump: --pcap: %s\n", e.what());
        return 1;
      }
    }
    VirtualTime vtime(rr.header());
    uint64_t n = 0, frames = 0;
    for (size_t b = 0; b < rr.blocks().size(); ++b) {
      std::vector<uint8_t> raw = rr.read_block(b);
      raw_total += raw.size();
      comp_total += rr.blocks()[b].compressed_len;
      RrEventCursor cur(raw, rr.blocks()[b]);
      uint8_t kb;
      uint64_t icount;
      std::vector<uint8_t> payload;
      for (size_t index = 0;; ++index) {
        Event e;
        try {
          if (!cur.next(kb, icount, payload)) break;
          e = decode_event(kb, icount, payload);
        } catch (const DecodeError& err) {
          throw DecodeError("block " + std::to_string(b) + ", event " + std::to_string(index) + " (instruction " +
                            std::to_string(cur.icount()) + "): " + err.what());
        }
        const char* name = e.spec().name;
        std::string extra;
        if (e.kind == EventKind::kIdleWarp) vtime.warps += e.f[0].u;
        if (e.kind == EventKind::kNetFrame) {
          extra = "  " + escape_text(frame_summary(e.f[1].bytes.data(), e.f[1].bytes.size()));
          if (pcap) pcap->write(vtime.at(icount), e.f[1].bytes.data(), e.f[1].bytes.size());
          ++frames;
        }
        ++counts[static_cast<size_t>(e.kind)];
        bytes[static_cast<size_t>(e.kind)] += payload.size();
        if (stats || pcap) continue;
        if (json) {
          std::printf("%s\n{\"n\":%" PRIu64 ",\"icount\":%" PRIu64 ",\"kind\":\"%s\",\"batch_start\":%s,\"check\":%u,"
                      "\"fields\":{%s},\"summary\":\"%s\"}",
                      n ? "," : "", n, icount, name, e.batch_start ? "true" : "false", e.check,
                      event_json_fields(e).c_str(), json_escape(event_text(e) + extra).c_str());
        } else {
          std::printf("%8" PRIu64 " %14" PRIu64 " %c %-11s %s  [check %08x]%s\n", n, icount, e.batch_start ? '*' : ' ',
                      name, event_text(e).c_str(), e.check, extra.c_str());
        }
        ++n;
      }
    }
    if (json) {
      std::printf("%s],\"stats\":{", n ? "\n" : "");
      bool first = true;
      for_each_event_kind([&](EventKind k, const EventSpec& spec) {
        size_t i = static_cast<size_t>(k);
        std::printf("%s\"%s\":{\"count\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", first ? "" : ",", spec.name, counts[i],
                    bytes[i]);
        first = false;
      });
      std::printf("},\"raw_bytes\":%" PRIu64 ",\"compressed_bytes\":%" PRIu64 "}\n", raw_total, comp_total);
    } else if (stats) {
      std::printf("event stats:\n  %-11s %10s %12s\n", "kind", "count", "bytes");
      uint64_t total = 0;
      for_each_event_kind([&](EventKind k, const EventSpec& spec) {
        size_t i = static_cast<size_t>(k);
        total += counts[i];
        std::printf("  %-11s %10" PRIu64 " %12" PRIu64 "\n", spec.name, counts[i], bytes[i]);
      });
      std::printf("  %-11s %10" PRIu64 "\n  events uncompressed %" PRIu64 " bytes, compressed %" PRIu64 " bytes (%.1fx)\n",
                  "total", total, raw_total, comp_total, comp_total ? double(raw_total) / comp_total : 0.0);
    }
    if (pcap) std::fprintf(stderr, "rewind-dump: %" PRIu64 " frames written to %s\n", frames, pcap_path.c_str());
  } catch (const DecodeError& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "rewind-dump: %s\n", escape_text(e.what()).c_str());
    return 1;
  }
  return 0;
}
