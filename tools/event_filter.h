// Which events rewind-dump looks at: an instruction-count range (--from N,
// --to M, both inclusive) and a set of kinds (--kind NAME[,NAME...], names
// from the event registry). The listing, --json, --stats, --pcap and
// --timeline all see the same selection.
#pragma once
#include <bitset>
#include <cstdint>
#include <string>

#include "replay/events.h"
#include "replay/rrfile.h"

namespace rwd {

class EventFilter {
 public:
  // "clock,char-input": every name must be a registered kind; false and a
  // one-line `err` naming the unknown one (and the known ones) otherwise.
  bool set_kinds(const std::string& list, std::string& err);
  void set_from(uint64_t n) { from_ = n; }
  void set_to(uint64_t n) { to_ = n; }
  uint64_t from() const { return from_; }
  uint64_t to() const { return to_; }
  bool all_kinds() const { return kinds_.none(); }

  bool wants(EventKind k, uint64_t icount) const {
    return icount >= from_ && icount <= to_ && (kinds_.none() || kinds_.test(static_cast<size_t>(k)));
  }
  // False when no event of the block can be in the range (the block index
  // has each block's first and last instruction count): such blocks are
  // not even decompressed.
  bool may_match(const RrBlockInfo& b) const { return b.last_icount >= from_ && b.first_icount <= to_; }
  bool selects_everything() const { return from_ == 0 && to_ == UINT64_MAX && kinds_.none(); }
  // "instructions 100..200, kinds clock,entropy" (empty when everything).
  std::string describe() const;

 private:
  uint64_t from_ = 0, to_ = UINT64_MAX;
  std::bitset<kEventKindCount> kinds_;  // none set: every kind
};

}  // namespace rwd
