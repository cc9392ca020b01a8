// Tests for replay/state_hash.{h,cc}: the incremental RAM hash must see a
// write through every path that can change RAM — DMA (write_bytes), the MMU
// store slow path, stores through a TLB write entry (the fast path), AMOs,
// and guest code run by the engine — and quick_check/checkpoints must say
// which part of the state differs.
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include <algorithm>

#include "hw/core/device.h"
#include "util/byte_codec.h"
#include "replay/state_hash.h"
#include "util/hash64.h"
#include "util/untouched_pages.h"
#include "test_machine.h"

namespace rwd {
namespace {

using test::kRamBase;
using test::TestMachine;

constexpr uint64_t kData = kRamBase + 0x10000;  // a data page, away from any code

class StateHashTest : public ::testing::Test {
 protected:
  TestMachine m;
  StateHasher h{m.as, m.cpu};

  uint8_t peek(uint64_t pa) {
    uint8_t v = 0;
    EXPECT_TRUE(m.as.read_bytes(pa, &v, 1));
    return v;
  }
  void poke(uint64_t pa, uint8_t v) { ASSERT_TRUE(m.as.write_bytes(pa, &v, 1)); }
  // Does a store of T at `va` hit a TLB write entry (the fast path)?
  template <typename T>
  bool write_entry(uint64_t va) {
    uintptr_t host;
    return m.cpu.mmu.write_hit<T>(va, host);
  }
};

TEST_F(StateHashTest, EnableHashesAllOfRam) {
  uint64_t before = 0;
  {
    StateHasher other(m.as, m.cpu);
    other.enable();
    before = other.ram_hash();
  }
  // Same contents, a fresh hasher: same hash, and nothing to rehash twice.
  h.enable();
  EXPECT_TRUE(h.enabled());
  EXPECT_EQ(h.ram_hash(), before);
  uint64_t rehashed = h.pages_rehashed();
  // The first hash reads only the pages the host backed: the rest are zero.
  std::vector<bool> untouched = untouched_pages(m.ram->host.get(), m.ram->size);
  uint64_t backed = static_cast<uint64_t>(std::count(untouched.begin(), untouched.end(), false));
  EXPECT_EQ(rehashed, backed);
  EXPECT_EQ(h.ram_hash(), before);
  EXPECT_EQ(h.pages_rehashed(), rehashed);  // nothing dirty

  // Reading every page makes the host back them all; a hash of all of RAM
  // must agree with the one that skipped pages.
  volatile uint8_t sink = 0;
  for (uint64_t off = 0; off < m.ram->size; off += 4096) sink = sink + m.ram->host[off];
  StateHasher all(m.as, m.cpu);
  all.enable();
  EXPECT_EQ(all.ram_hash(), before);
  EXPECT_EQ(all.pages_rehashed(), (2u << 20) / 4096);
}

TEST_F(StateHashTest, DmaWriteChangesHash) {
  h.enable();
  const uint64_t h0 = h.ram_hash();
  const uint64_t pa = kData + 0x123;
  uint8_t old = peek(pa);
  poke(pa, static_cast<uint8_t>(old ^ 0x5a));
  uint64_t r0 = h.pages_rehashed();
  const uint64_t h1 = h.ram_hash();
  EXPECT_NE(h1, h0);
  EXPECT_EQ(h.pages_rehashed() - r0, 1u);  // only the written page
  poke(pa, old);
  EXPECT_EQ(h.ram_hash(), h0);
  // load_image (loaders) is tracked too.
  uint8_t v = static_cast<uint8_t>(old ^ 1);
  ASSERT_TRUE(m.as.load_image(pa, &v, 1));
  EXPECT_NE(h.ram_hash(), h0);
  poke(pa, old);
  EXPECT_EQ(h.ram_hash(), h0);
}

TEST_F(StateHashTest, StoreSlowPathChangesHash) {
  h.enable();
  const uint64_t h0 = h.ram_hash();
  const uint64_t va = kData + 0x200;  // M mode, satp = 0: va = pa
  ASSERT_FALSE(write_entry<uint32_t>(va));
  m.cpu.mmu.store_slow(va, 4, 0xdeadbeef);
  EXPECT_NE(h.ram_hash(), h0);
  m.cpu.mmu.store_slow(va, 4, 0);
  EXPECT_EQ(h.ram_hash(), h0);
  // Through the AddressSpace::write used by the slow path for any size.
  ASSERT_TRUE(m.as.write(va + 6, 2, 0x1234));
  EXPECT_NE(h.ram_hash(), h0);
  ASSERT_TRUE(m.as.write(va + 6, 2, 0));
  EXPECT_EQ(h.ram_hash(), h0);
}

// While tracking, a clean page gets no TLB write entry; the first store
// (slow path) marks it dirty and installs one; later stores take the fast
// path; hashing drops the entries so the next store is seen again.
TEST_F(StateHashTest, StoreFastPathChangesHash) {
  h.enable();
  const uint64_t h0 = h.ram_hash();
  const uint64_t va = kData + 0x800;
  ASSERT_FALSE(write_entry<uint64_t>(va));
  m.cpu.mmu.store<uint8_t>(va, 0x11);  // slow path: marks the page, installs the entry
  ASSERT_TRUE(write_entry<uint64_t>(va + 8)) << "a dirty page gets a TLB write entry";
  m.cpu.mmu.store<uint64_t>(va + 8, 0x0102030405060708ull);  // fast path
  // The translated-code way: write_hit's host pointer, written directly.
  uintptr_t host;
  ASSERT_TRUE(m.cpu.mmu.write_hit<uint32_t>(va + 16, host));
  uint32_t word = 0xcafef00d;
  std::memcpy(reinterpret_cast<void*>(host), &word, 4);
  const uint64_t h1 = h.ram_hash();
  EXPECT_NE(h1, h0);
  // Hashing made the page clean again: its write entry is gone.
  EXPECT_FALSE(write_entry<uint64_t>(va + 8));
  // Undo the slow-path byte: the fast-path bytes still count.
  poke(va, 0);
  const uint64_t h2 = h.ram_hash();
  EXPECT_NE(h2, h0);
  EXPECT_NE(h2, h1);
  // A store after the hash goes through the slow path again and is seen.
  m.cpu.mmu.store<uint64_t>(va + 8, 0);
  EXPECT_NE(h.ram_hash(), h2);
  m.cpu.mmu.store<uint32_t>(va + 16, 0);
  EXPECT_EQ(h.ram_hash(), h0);

  // Fast-path stores between two hashes, to a page dirtied before the
  // first: the entry must not outlive the hash.
  m.cpu.mmu.store<uint8_t>(va, 1);
  ASSERT_TRUE(write_entry<uint8_t>(va + 1));
  const uint64_t h3 = h.ram_hash();
  m.cpu.mmu.store<uint8_t>(va + 1, 1);
  EXPECT_NE(h.ram_hash(), h3);
  m.cpu.mmu.store<uint8_t>(va, 0);
  m.cpu.mmu.store<uint8_t>(va + 1, 0);
  EXPECT_EQ(h.ram_hash(), h0);
}

TEST_F(StateHashTest, AmoChangesHash) {
  h.enable();
  const uint64_t h0 = h.ram_hash();
  uint64_t pa = 0;
  uint8_t* p = m.cpu.mmu.amo_ptr(kData + 0x40, 4, pa);
  ASSERT_EQ(pa, kData + 0x40);
  uint32_t v;
  std::memcpy(&v, p, 4);
  uint32_t nv = v + 1;  // amoadd.w
  std::memcpy(p, &nv, 4);
  EXPECT_NE(h.ram_hash(), h0);
  p = m.cpu.mmu.amo_ptr(kData + 0x40, 4, pa);
  std::memcpy(p, &v, 4);
  EXPECT_EQ(h.ram_hash(), h0);
}

// Guest code run by the engine: two stores to one page, hashed in between,
// so the second goes through the TLB entry the first installed unless the
// hash dropped it.
TEST_F(StateHashTest, GuestStoresChangeHash) {
  const uint32_t prog[] = {
      0x00010317,  // auipc t1,0x10      t1 = kRamBase + 0x10000 = kData
      0x00533023,  // sd t0,0(t1)
      0x00533423,  // sd t0,8(t1)
      0x0000006f,  // j .
  };
  m.load(kRamBase, prog, sizeof prog);
  m.cpu.s.x[5] = 0x1122334455667788ull;
  h.enable();
  const uint64_t h0 = h.ram_hash();
  ASSERT_EQ(m.engine.run(2), StopReason::kLimit);
  ASSERT_EQ(m.cpu.s.pc, kRamBase + 8);
  const uint64_t h1 = h.ram_hash();
  EXPECT_NE(h1, h0);
  ASSERT_EQ(m.engine.run(3), StopReason::kLimit);
  ASSERT_EQ(m.cpu.s.pc, kRamBase + 12);
  const uint64_t h2 = h.ram_hash();
  EXPECT_NE(h2, h1);
  // The same bytes written by DMA on an identical machine hash the same.
  TestMachine ref;
  ref.load(kRamBase, prog, sizeof prog);
  StateHasher rh(ref.as, ref.cpu);
  rh.enable();
  EXPECT_EQ(rh.ram_hash(), h0);
  ref.write64(kData, 0x1122334455667788ull);
  ref.write64(kData + 8, 0x1122334455667788ull);
  EXPECT_EQ(rh.ram_hash(), h2);
}

// A device whose third read runs `on_third_read` (a state check hashing RAM
// in the middle of a device access, as a recording's events do).
class HashingDevice : public MmioDevice {
 public:
  std::function<void()> on_third_read;
  std::string name() const override { return "hashing-device"; }
  uint64_t read(uint64_t, unsigned) override {
    if (++reads_ == 3) on_third_read();
    return 0;
  }
  void write(uint64_t, unsigned, uint64_t) override {}
  void save(ByteWriter&) const override {}
  void load(ByteReader&) override {}

 private:
  int reads_ = 0;
};

TEST_F(StateHashTest, LoopStoresAfterAHashInsideTheLoopChangeHash) {
  // A loop compiled to keep its registers, whose store remembers its page
  // between iterations (jit_x86_64.cc, page memos). In the third iteration
  // the device read hashes RAM, which cleans the data page and drops the
  // TLB's write entries: the stores after it must be seen again.
  const uint32_t prog[] = {
      0x00010317,  // auipc t1,0x10      t1 = kData
      0x10000e37,  // lui t3,0x10000     the device
      0x00400293,  // addi t0,zero,4
      0x00000393,  // addi t2,zero,0
      0x000e2503,  // loop: lw a0,0(t3)
      0x00138393,  // addi t2,t2,1
      0x00733023,  // sd t2,0(t1)
      0xfff28293,  // addi t0,t0,-1
      0xfe0298e3,  // bne t0,zero,loop
      0x0000006f,  // j .
  };
  HashingDevice device;
  m.as.add_mmio(0x10000000, 0x1000, &device);
  device.on_third_read = [this] { h.ram_hash(); };
  m.load(kRamBase, prog, sizeof prog);
  h.enable();
  h.ram_hash();
  ASSERT_EQ(m.engine.run(100), StopReason::kLimit);
  ASSERT_EQ(m.read64(kData), 4u);
  // The same bytes on an identical machine, written by DMA.
  TestMachine ref;
  ref.load(kRamBase, prog, sizeof prog);
  StateHasher rh(ref.as, ref.cpu);
  rh.enable();
  ref.write64(kData, 4);
  EXPECT_EQ(h.ram_hash(), rh.ram_hash());
}

TEST_F(StateHashTest, QuickCheckSaysWhichHalfDiffers) {
  h.enable();
  const uint64_t pc = m.cpu.s.pc;
  const uint32_t q0 = h.quick_check(pc, 0);
  EXPECT_EQ(h.quick_check(pc, 0), q0);

  m.cpu.s.x[5] ^= 0x10;
  const uint32_t q1 = h.quick_check(pc, 0);
  EXPECT_TRUE(StateHasher::cpu_part_differs(q0, q1));
  EXPECT_FALSE(StateHasher::ram_part_differs(q0, q1));
  m.cpu.s.x[5] ^= 0x10;
  EXPECT_EQ(h.quick_check(pc, 0), q0);

  EXPECT_TRUE(StateHasher::cpu_part_differs(q0, h.quick_check(pc + 4, 0))) << "the pc is part of the CPU half";

  uint8_t old = peek(kData + 7);
  poke(kData + 7, static_cast<uint8_t>(old + 1));
  const uint32_t q2 = h.quick_check(pc, 0);
  EXPECT_FALSE(StateHasher::cpu_part_differs(q0, q2));
  EXPECT_TRUE(StateHasher::ram_part_differs(q0, q2));
  poke(kData + 7, old);
  EXPECT_EQ(h.quick_check(pc, 0), q0);
}

// With a RAM check interval, a check repeats the RAM half hashed at the
// last fresh check until `interval` instructions have passed; the CPU half
// is always current. The state goes with navigation's tracking.
TEST_F(StateHashTest, QuickCheckHashesRamAtMostOncePerInterval) {
  h.enable();
  h.set_ram_check_interval(1000);
  const uint64_t pc = m.cpu.s.pc;
  const uint32_t q0 = h.quick_check(pc, 5000);  // the first check is fresh
  uint8_t old = peek(kData + 7);
  poke(kData + 7, static_cast<uint8_t>(old + 1));
  EXPECT_EQ(h.quick_check(pc, 5999), q0) << "999 instructions later: the RAM half is the one hashed at 5000";
  const StateHasher::Tracking t = h.tracking();
  m.cpu.s.x[5] ^= 0x10;
  EXPECT_TRUE(StateHasher::cpu_part_differs(q0, h.quick_check(pc, 5999))) << "the CPU half is always current";
  m.cpu.s.x[5] ^= 0x10;
  const uint32_t q1 = h.quick_check(pc, 6000);
  EXPECT_TRUE(StateHasher::ram_part_differs(q0, q1)) << "1000 instructions later: RAM hashed afresh";
  poke(kData + 7, old);
  EXPECT_EQ(h.quick_check(pc, 6999), q1) << "the interval counts from the last fresh hash";
  EXPECT_EQ(h.quick_check(pc, 7000), q0) << "and ends 1000 after it";
  poke(kData + 7, static_cast<uint8_t>(old + 1));
  EXPECT_EQ(h.quick_check(pc, 7001), q0);
  EXPECT_EQ(h.quick_check(pc, 7002, true), q1) << "fresh (trail points, checkpoints): hashed now";

  // Back to the tracking taken at 5999 (as a replay seek does, with RAM as
  // it was then): the next check within the interval repeats the 5000 value.
  std::vector<std::vector<uint64_t>> hashes;
  h.ram_hash();
  for (size_t b = 0; b < h.block_count(); ++b) hashes.push_back(h.page_hashes(b));
  h.restore(hashes, t);
  EXPECT_EQ(h.quick_check(pc, 5999), q0);

  h.set_ram_check_interval(0);
  EXPECT_EQ(h.quick_check(pc, 5999), q1) << "interval 0: every check hashes RAM";
}

TEST_F(StateHashTest, CheckpointOfSameStateMatches) {
  h.enable();
  poke(kData, 0x42);  // a non-zero page for the first checkpoint to list
  const NamedValues extra = {{"vclock", 12345}, {"plic", 0xabcdef}};
  for (int round = 0; round < 3; ++round) {
    ByteWriter w;
    h.take_checkpoint(extra).encode(w);
    ByteReader r(w.buffer());
    EXPECT_EQ(h.compare_checkpoint(Checkpoint::decode(r), extra).report, "") << "round " << round;
    EXPECT_TRUE(r.at_end());
    poke(kData + 0x1000 * round, static_cast<uint8_t>(round + 7));
  }
}

TEST_F(StateHashTest, CheckpointReportNamesDifferences) {
  h.enable();
  const NamedValues extra = {{"vclock", 12345}};
  ByteWriter w;
  h.take_checkpoint(extra).encode(w);

  m.cpu.s.x[5] += 1;
  const uint64_t pa = kData + 0x3000 + 0x10;
  poke(pa, static_cast<uint8_t>(peek(pa) ^ 0xff));
  ByteReader r(w.buffer());
  CheckpointDiff diff = h.compare_checkpoint(Checkpoint::decode(r), {{"vclock", 12346}});
  EXPECT_TRUE(diff.cpu_or_values);
  EXPECT_TRUE(diff.ram);
  const std::string& report = diff.report;
  EXPECT_NE(report.find("x5 (t0)"), std::string::npos) << report;
  EXPECT_EQ(report.find("x6 (t1)"), std::string::npos) << report;
  EXPECT_NE(report.find("0x80013000"), std::string::npos) << report;  // the page, not the byte
  EXPECT_NE(report.find("vclock"), std::string::npos) << report;
}

// The recording changed a page the replay did not: the recorded page hash
// list names it.
TEST_F(StateHashTest, CheckpointReportNamesPagesChangedOnlyInRecording) {
  TestMachine other;
  StateHasher oh(other.as, other.cpu);
  h.enable();
  oh.enable();
  m.write64(kData + 0x5000, 0x77);
  ByteWriter w;
  h.take_checkpoint({}).encode(w);
  ByteReader r(w.buffer());
  CheckpointDiff diff = oh.compare_checkpoint(Checkpoint::decode(r), {});
  EXPECT_FALSE(diff.cpu_or_values);
  EXPECT_TRUE(diff.ram);
  const std::string& report = diff.report;
  EXPECT_NE(report.find("0x80015000"), std::string::npos) << report;
  EXPECT_EQ(report.find("x5 (t0)"), std::string::npos) << report;
}

TEST_F(StateHashTest, MalformedCheckpointThrows) {
  h.enable();
  ByteWriter w;
  h.take_checkpoint({}).encode(w);
  std::vector<uint8_t>& buf = w.buffer();
  for (size_t len = 0; len < buf.size(); ++len) {
    ByteReader r(buf.data(), len);
    EXPECT_THROW(Checkpoint::decode(r), DecodeError) << "cut at " << len;
  }
}

// Replay navigation puts RAM back behind the hasher's back and hands it the
// page hashes and bookkeeping it had then: hashes and checkpoints go on as
// if the state had never left.
TEST_F(StateHashTest, RestoreAdoptsSavedHashesAndTracking) {
  h.enable();
  std::vector<std::pair<std::string, uint64_t>> extra = {{"vclock", 1}};
  h.take_checkpoint(extra);
  poke(kData, 0x11);  // written since the checkpoint
  uint64_t saved_hash = h.ram_hash();
  std::vector<std::vector<uint64_t>> saved;
  for (size_t b = 0; b < h.block_count(); ++b) saved.push_back(h.page_hashes(b));
  StateHasher::Tracking t = h.tracking();
  ASSERT_FALSE(t.since_checkpoint.empty());
  std::vector<uint8_t> page(4096);
  ASSERT_TRUE(m.as.read_bytes(kData, page.data(), page.size()));
  // Move on: more writes and a checkpoint, then put the page back.
  poke(kData, 0x22);
  poke(kData + 0x3000, 0x33);
  h.take_checkpoint(extra);
  EXPECT_NE(h.ram_hash(), saved_hash);
  ASSERT_TRUE(m.as.write_bytes(kData, page.data(), page.size()));
  uint8_t zero = 0;
  ASSERT_TRUE(m.as.write_bytes(kData + 0x3000, &zero, 1));
  h.restore(saved, t);
  EXPECT_EQ(h.ram_hash(), saved_hash);
  // The restored tracking lists the page written since the first checkpoint:
  // a checkpoint now lists exactly it.
  Checkpoint c = h.take_checkpoint(extra);
  size_t listed = 0;
  for (auto& pages : c.pages) listed += pages.size();
  EXPECT_EQ(listed, 1u);
  // Stores after the restore are seen again (pages are clean, TLB dropped).
  poke(kData + 8, 0x44);
  EXPECT_NE(h.ram_hash(), saved_hash);
}

}  // namespace
}  // namespace rwd

namespace rwd {
namespace {

// The debug triggers came after rrfile version 1 froze the checkpoint's CPU
// values: the state hash covers them once they leave their reset values,
// and is the version-1 hash while they are there.
TEST_F(StateHashTest, DebugTriggersCountOnceArmed) {
  const uint64_t pc = m.cpu.s.pc;
  const uint64_t at_reset = h.cpu_hash(pc);
  std::vector<uint64_t> values(cpu_value_count());
  cpu_values(m.cpu.s, pc, values.data());
  EXPECT_EQ(at_reset, hash_bytes(values.data(), values.size() * 8)) << "version-1 hash at reset";
  m.cpu.s.tdata2[1] = 0x80001000;
  const uint64_t moved = h.cpu_hash(pc);
  EXPECT_NE(moved, at_reset);
  m.cpu.s.tdata1[1] = riscv::trigger::write_tdata1(m.cpu.s.tdata1[1], (2ull << 60) | 0x41);
  EXPECT_NE(h.cpu_hash(pc), moved);
  m.cpu.s.tselect = 1;
  EXPECT_NE(late_cpu_value(m.cpu.s), late_cpu_value(riscv::CpuState{}));
  m.cpu.s.tselect = 0;
  m.cpu.s.tdata1[1] = riscv::trigger::kTdata1Reset;
  m.cpu.s.tdata2[1] = 0;
  EXPECT_EQ(h.cpu_hash(pc), at_reset);
}

}  // namespace
}  // namespace rwd
