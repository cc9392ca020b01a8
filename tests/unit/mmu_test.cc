// Tests for the MMU (target/riscv/mmu.h) and PMP: Sv39/Sv48 walks over page
// tables built in guest RAM, A/D updates, page faults with their cause and
// tval, the software TLB (hits, staleness until a flush, per-context entries),
// the code-write slow path and PMP checks.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "target/riscv/pmp.h"
#include "test_machine.h"

namespace rwd::riscv {
namespace {

using test::TestMachine;

constexpr uint64_t kTablePool = 0x80100000;  // page tables are allocated from here
constexpr uint64_t kData = 0x80400000;       // 4 KiB data pages
constexpr uint64_t kMega = 0x80200000;       // 2 MiB-aligned physical region

uint64_t cause_num(Cause c) { return static_cast<uint64_t>(c); }

template <typename F>
void expect_trap(F&& f, Cause cause, uint64_t tval, const char* what) {
  try {
    f();
    ADD_FAILURE() << what << ": no trap";
  } catch (const GuestTrap& t) {
    EXPECT_EQ(cause_num(t.cause), cause_num(cause)) << what;
    EXPECT_EQ(t.tval, tval) << what << std::hex << " tval=0x" << t.tval;
  }
}

class MmuTest : public testing::Test {
 protected:
  MmuTest() : m(8 << 20) {}

  // Enables translation with a fresh, empty root table.
  void enable(uint64_t mode) {
    mode_ = mode;
    root_ = alloc_table();
    csrw(csr::kSatp, (mode << satp::kModeShift) | (root_ >> 12));
    ASSERT_EQ(cpu().s.satp >> satp::kModeShift, mode);
  }
  uint64_t alloc_table() {
    uint64_t t = next_table_;
    next_table_ += 4096;
    std::vector<uint8_t> zero(4096, 0);
    m.as.write_bytes(t, zero.data(), zero.size());
    return t;
  }
  // Installs a leaf for `va` at `level` (0: 4 KiB, 1: 2 MiB, 2: 1 GiB, 3: 512 GiB, 4: 256 TiB),
  // creating intermediate tables. Returns the leaf PTE's physical address.
  uint64_t map(uint64_t va, uint64_t pa, int level, uint64_t flags) {
    int levels = satp::levels(mode_);
    uint64_t table = root_;
    for (int l = levels - 1; l > level; --l) {
      uint64_t pte_addr = table + ((va >> (12 + 9 * l)) & 0x1ff) * 8;
      uint64_t pte = m.read64(pte_addr);
      if (!(pte & pte::kV)) {
        pte = ((alloc_table() >> 12) << 10) | pte::kV;
        m.write64(pte_addr, pte);
      }
      table = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
    }
    uint64_t pte_addr = table + ((va >> (12 + 9 * level)) & 0x1ff) * 8;
    m.write64(pte_addr, ((pa >> 12) << 10) | flags);
    return pte_addr;
  }
  // CSR write with M-mode rights, whatever the current privilege.
  void csrw(uint16_t num, uint64_t v) {
    Priv p = cpu().s.priv;
    cpu().s.priv = Priv::M;
    cpu().csr_write(num, v);
    set_priv(p);
  }
  void set_priv(Priv p) {
    cpu().s.priv = p;
    cpu().update_mmu_context();
  }
  Cpu& cpu() { return m.cpu; }
  Mmu& mmu() { return m.cpu.mmu; }

  TestMachine m;
  uint64_t mode_ = 0;
  uint64_t root_ = 0;
  uint64_t next_table_ = kTablePool;
};

constexpr uint64_t kRWX = pte::kV | pte::kR | pte::kW | pte::kX;
constexpr uint64_t kRW = pte::kV | pte::kR | pte::kW;
constexpr uint64_t kAD = pte::kA | pte::kD;

// ------------------------------------------------------------ translation

TEST_F(MmuTest, Sv39MapsPagesOfEverySize) {
  enable(satp::kModeSv39);
  map(0x1000, kData, 0, kRWX | kAD);
  map(0x200000, kMega, 1, kRWX | kAD);
  map(0x40000000, 0x80000000, 2, kRWX | kAD);
  map(0xffffffffc0000000, 0x80000000, 2, kRW | kAD);  // top of the upper half
  map(0xffffffc000001000, kData + 0x1000, 0, kRW | kAD);  // bottom of the upper half

  EXPECT_EQ(mmu().translate(0x1000, AccessType::kRead, kIdxS), kData);
  EXPECT_EQ(mmu().translate(0x1ffc, AccessType::kWrite, kIdxS), kData + 0xffc);
  EXPECT_EQ(mmu().translate(0x1002, AccessType::kFetch, kIdxS), kData + 2);
  EXPECT_EQ(mmu().translate(0x212345, AccessType::kRead, kIdxS), kMega + 0x12345);
  EXPECT_EQ(mmu().translate(0x3ffff8, AccessType::kWrite, kIdxS), kMega + 0x1ffff8);
  EXPECT_EQ(mmu().translate(0x40123456, AccessType::kRead, kIdxS), 0x80123456u);
  EXPECT_EQ(mmu().translate(0x7ffffff0, AccessType::kFetch, kIdxS), 0xbffffff0u);
  EXPECT_EQ(mmu().translate(0xffffffffc0000010, AccessType::kRead, kIdxS), 0x80000010u);
  EXPECT_EQ(mmu().translate(0xffffffc000001008, AccessType::kRead, kIdxS), kData + 0x1008);
  // M-mode is never translated.
  EXPECT_EQ(mmu().translate(0x1000, AccessType::kRead, kIdxM), 0x1000u);

  // Loads and stores go through the same mapping.
  set_priv(Priv::S);
  mmu().store<uint64_t>(0x1008, 0x1122334455667788ull);
  EXPECT_EQ(m.read64(kData + 8), 0x1122334455667788ull);
  EXPECT_EQ(mmu().load<uint32_t>(0x40000000 + (kData + 8 - 0x80000000)), 0x55667788u);
  mmu().store<uint16_t>(0x200010, 0xbeef);
  EXPECT_EQ(mmu().load<uint16_t>(0x200010), 0xbeef);
  EXPECT_EQ(m.read32(kMega + 0x10) & 0xffff, 0xbeefu);
}

TEST_F(MmuTest, Sv48MapsPagesOfEverySize) {
  enable(satp::kModeSv48);
  const uint64_t va4k = 0x0000008000001000;  // bit 39 set: not canonical under Sv39
  map(va4k, kData, 0, kRW | kAD);
  map(0x0000008000200000, kMega, 1, kRW | kAD);
  map(0x0000008040000000, 0x80000000, 2, kRW | kAD);
  map(0x0000010000000000, 0, 3, kRW | kAD);  // a 512 GiB page
  map(0xffff800000000000, kData + 0x2000, 0, kRW | kAD);

  EXPECT_EQ(mmu().translate(va4k + 0x10, AccessType::kRead, kIdxS), kData + 0x10);
  EXPECT_EQ(mmu().translate(0x00000080002abcde, AccessType::kRead, kIdxS), kMega + 0xabcde);
  EXPECT_EQ(mmu().translate(0x0000008040000008, AccessType::kWrite, kIdxS), 0x80000008u);
  EXPECT_EQ(mmu().translate(0x0000017f12345678, AccessType::kRead, kIdxS), 0x7f12345678u);
  EXPECT_EQ(mmu().translate(0xffff800000000ff8, AccessType::kRead, kIdxS), kData + 0x2ff8);
  // Non-canonical for Sv48: bit 47 set but upper bits clear, and vice versa.
  expect_trap([&] { mmu().translate(0x0000800000000000, AccessType::kRead, kIdxS); },
              Cause::kLoadPageFault, 0x0000800000000000, "sv48 non-canonical");
  expect_trap([&] { mmu().translate(0xfff0000000001000, AccessType::kWrite, kIdxS); },
              Cause::kStorePageFault, 0xfff0000000001000, "sv48 non-canonical (high)");

  set_priv(Priv::S);
  mmu().store<uint32_t>(va4k + 4, 0xcafef00d);
  EXPECT_EQ(m.read32(kData + 4), 0xcafef00du);
}

TEST_F(MmuTest, Sv57MapsPagesOfEverySize) {
  enable(satp::kModeSv57);
  const uint64_t va4k = 0x0001000000001000;  // bit 48 set: not canonical under Sv48
  map(va4k, kData, 0, kRW | kAD);
  map(0x0001000000200000, kMega, 1, kRW | kAD);
  map(0x0002000000000000, 0, 4, kRW | kAD);  // a 256 TiB page
  map(0xff00000000000000, kData + 0x2000, 0, kRW | kAD);  // bottom of the upper half

  EXPECT_EQ(mmu().translate(va4k + 0x10, AccessType::kRead, kIdxS), kData + 0x10);
  EXPECT_EQ(mmu().translate(0x0001000000212345, AccessType::kWrite, kIdxS), kMega + 0x12345);
  EXPECT_EQ(mmu().translate(0x0002000080001234, AccessType::kRead, kIdxS), 0x80001234u);
  EXPECT_EQ(mmu().translate(0xff00000000000008, AccessType::kRead, kIdxS), kData + 0x2008);
  // Not sign-extended from bit 56: a page fault, not a walk.
  EXPECT_THROW(mmu().translate(0x0100000000001000, AccessType::kRead, kIdxS), GuestTrap);
  // A misaligned superpage (256 TiB leaf whose PPN has low bits set) faults.
  map(0x0003000000000000, 0x1000, 4, kRW | kAD);
  EXPECT_THROW(mmu().translate(0x0003000000000000, AccessType::kRead, kIdxS), GuestTrap);
}

TEST_F(MmuTest, WalkerSetsAccessedOnReadAndDirtyOnWrite) {
  enable(satp::kModeSv39);
  uint64_t p4k = map(0x1000, kData, 0, kRWX);
  uint64_t p2m = map(0x200000, kMega, 1, kRW);
  uint64_t pfetch = map(0x2000, kData + 0x1000, 0, pte::kV | pte::kX | pte::kR);

  // A side-effect-free debug walk changes nothing.
  set_priv(Priv::S);
  uint64_t pa = 0;
  EXPECT_TRUE(mmu().debug_translate(0x1000, pa));
  EXPECT_EQ(pa, kData);
  EXPECT_EQ(m.read64(p4k) & kAD, 0u);

  mmu().translate(0x1000, AccessType::kRead, kIdxS);
  EXPECT_EQ(m.read64(p4k) & kAD, pte::kA);
  mmu().translate(0x1000, AccessType::kWrite, kIdxS);
  EXPECT_EQ(m.read64(p4k) & kAD, kAD);

  // A write as the first access sets both.
  mmu().store<uint8_t>(0x200123, 1);
  EXPECT_EQ(m.read64(p2m) & kAD, kAD);

  mmu().translate(0x2000, AccessType::kFetch, kIdxS);
  EXPECT_EQ(m.read64(pfetch) & kAD, pte::kA);

  // A write after a read that filled the TLB still walks and sets D.
  uint64_t p3 = map(0x3000, kData + 0x2000, 0, kRW);
  EXPECT_EQ(mmu().load<uint32_t>(0x3000), 0u);
  EXPECT_EQ(m.read64(p3) & kAD, pte::kA);
  mmu().store<uint32_t>(0x3000, 7);
  EXPECT_EQ(m.read64(p3) & kAD, kAD);
  // The rest of the PTE is untouched.
  EXPECT_EQ(m.read64(p3), (((kData + 0x2000) >> 12) << 10) | kRW | kAD);
}

// ------------------------------------------------------------ page faults

TEST_F(MmuTest, PageFaultsCarryCauseAndAddress) {
  enable(satp::kModeSv39);
  map(0x1000, kData, 0, pte::kR | pte::kW | kAD);                    // V clear
  map(0x2000, kData, 0, pte::kV | pte::kW | kAD);                    // W without R
  map(0x3000, kData, 0, pte::kV | pte::kR | pte::kW | pte::kU | kAD);  // user page
  map(0x4000, kData, 0, kRW | kAD);                                  // supervisor page
  uint64_t ro = map(0x5000, kData, 0, pte::kV | pte::kR);            // read-only, A/D clear
  map(0x6000, kData, 0, pte::kV | pte::kX | pte::kA);                // execute-only
  map(0x200000, kMega + 0x1000, 1, kRW | kAD);                       // misaligned 2M leaf
  map(0x40000000, kMega, 2, kRW | kAD);                              // misaligned 1G leaf
  map(0x7000, kData, 0, kRW | kAD | (1ull << 61));                   // PBMT bits set
  // A pointer PTE at level 0 (no R/W/X) is not a leaf and there is no level below.
  map(0x8000, kData, 0, pte::kV);

  struct Case {
    uint64_t va;
    AccessType type;
    int idx;
    Cause cause;
    const char* what;
  } cases[] = {
      {0x1008, AccessType::kRead, kIdxS, Cause::kLoadPageFault, "invalid PTE, load"},
      {0x1008, AccessType::kWrite, kIdxS, Cause::kStorePageFault, "invalid PTE, store"},
      {0x1008, AccessType::kFetch, kIdxS, Cause::kInsnPageFault, "invalid PTE, fetch"},
      {0x9000, AccessType::kRead, kIdxS, Cause::kLoadPageFault, "nothing mapped"},
      {0x2010, AccessType::kRead, kIdxS, Cause::kLoadPageFault, "W without R, load"},
      {0x2010, AccessType::kWrite, kIdxS, Cause::kStorePageFault, "W without R, store"},
      {0x3000, AccessType::kRead, kIdxS, Cause::kLoadPageFault, "U page from S without SUM"},
      {0x3000, AccessType::kWrite, kIdxS, Cause::kStorePageFault, "U page store from S without SUM"},
      {0x3000, AccessType::kFetch, kIdxS, Cause::kInsnPageFault, "U page fetch from S"},
      {0x3000, AccessType::kFetch, kIdxSSum, Cause::kInsnPageFault, "U page fetch from S, even with SUM"},
      {0x4000, AccessType::kRead, kIdxU, Cause::kLoadPageFault, "S page from U"},
      {0x4000, AccessType::kFetch, kIdxU, Cause::kInsnPageFault, "S page fetch from U"},
      {0x5ff0, AccessType::kWrite, kIdxS, Cause::kStorePageFault, "store to read-only page"},
      {0x5ff0, AccessType::kFetch, kIdxS, Cause::kInsnPageFault, "execute without X"},
      {0x6000, AccessType::kRead, kIdxS, Cause::kLoadPageFault, "read of execute-only without MXR"},
      {0x200000, AccessType::kRead, kIdxS, Cause::kLoadPageFault, "misaligned 2M superpage"},
      {0x40000000, AccessType::kRead, kIdxS, Cause::kLoadPageFault, "misaligned 1G superpage"},
      {0x7000, AccessType::kRead, kIdxS, Cause::kLoadPageFault, "reserved PTE bits"},
      {0x8000, AccessType::kRead, kIdxS, Cause::kLoadPageFault, "non-leaf PTE at level 0"},
      {0x0000004000000000, AccessType::kRead, kIdxS, Cause::kLoadPageFault, "non-canonical (bit 38 only)"},
      {0x8000000000001000, AccessType::kWrite, kIdxS, Cause::kStorePageFault, "non-canonical (bit 63 only)"},
      {0xffffff0000000000, AccessType::kFetch, kIdxS, Cause::kInsnPageFault, "non-canonical (high)"},
  };
  for (const Case& c : cases) {
    expect_trap([&] { mmu().translate(c.va, c.type, c.idx); }, c.cause, c.va, c.what);
  }
  // Faulting walks set no A/D bits.
  EXPECT_EQ(m.read64(ro) & kAD, 0u);

  // Allowed counterparts of the cases above.
  EXPECT_EQ(mmu().translate(0x3000, AccessType::kRead, kIdxSSum), kData);
  EXPECT_EQ(mmu().translate(0x3000, AccessType::kWrite, kIdxSSum), kData);
  EXPECT_EQ(mmu().translate(0x3000, AccessType::kRead, kIdxU), kData);
  EXPECT_EQ(mmu().translate(0x5ff0, AccessType::kRead, kIdxS), kData + 0xff0);
  EXPECT_EQ(mmu().translate(0x6000, AccessType::kFetch, kIdxS), kData);
}

TEST_F(MmuTest, MxrMakesExecutableReadable) {
  enable(satp::kModeSv39);
  map(0x6000, kData, 0, pte::kV | pte::kX | pte::kA);
  m.write32(kData + 0x40, 0x600dc0de);
  set_priv(Priv::S);
  expect_trap([&] { mmu().load<uint32_t>(0x6040); }, Cause::kLoadPageFault, 0x6040, "no MXR");
  csrw(csr::kMstatus, cpu().s.mstatus | mstatus::kMXR);
  EXPECT_EQ(mmu().load<uint32_t>(0x6040), 0x600dc0deu);
  // MXR does not make it writable.
  expect_trap([&] { mmu().store<uint32_t>(0x6040, 1); }, Cause::kStorePageFault, 0x6040, "MXR store");
  // Clearing MXR again must not leave a stale readable TLB entry.
  csrw(csr::kMstatus, cpu().s.mstatus & ~mstatus::kMXR);
  expect_trap([&] { mmu().load<uint32_t>(0x6040); }, Cause::kLoadPageFault, 0x6040, "MXR cleared");
}

TEST_F(MmuTest, LoadsAndStoresRaiseTheWalkersFaults) {
  enable(satp::kModeSv39);
  map(0x1000, kData, 0, kRW | kAD);
  set_priv(Priv::S);
  expect_trap([&] { mmu().load<uint64_t>(0x5008); }, Cause::kLoadPageFault, 0x5008, "load");
  expect_trap([&] { mmu().store<uint8_t>(0x5009, 1); }, Cause::kStorePageFault, 0x5009, "store");
  // A store that crosses into an unmapped page faults and changes nothing.
  m.write64(kData + 0xff8, 0);
  expect_trap([&] { mmu().store<uint64_t>(0x1ffc, ~0ull); }, Cause::kStorePageFault, 0x2000,
              "page-crossing store");
  EXPECT_EQ(m.read64(kData + 0xff8), 0u);
  // Unmapped physical memory behind a valid PTE: access fault, not page fault.
  map(0x9000, 0x10000000, 0, kRW | kAD);
  expect_trap([&] { mmu().load<uint32_t>(0x9010); }, Cause::kLoadAccessFault, 0x9010, "no RAM");
}

// ------------------------------------------------------------ the TLB

TEST_F(MmuTest, TlbHitsUntilFlushed) {
  enable(satp::kModeSv39);
  uint64_t pte_addr = map(0x1000, kData, 0, kRW | kAD);
  m.write32(kData, 0x11111111);
  m.write32(kData + 0x1000, 0x22222222);
  set_priv(Priv::S);
  EXPECT_EQ(mmu().load<uint32_t>(0x1000), 0x11111111u);

  // Retarget the PTE without sfence.vma: the TLB keeps the old translation.
  m.write64(pte_addr, (((kData + 0x1000) >> 12) << 10) | kRW | kAD);
  EXPECT_EQ(mmu().load<uint32_t>(0x1000), 0x11111111u) << "second access must hit the TLB";
  mmu().flush();
  EXPECT_EQ(mmu().load<uint32_t>(0x1000), 0x22222222u);

  // Invalidate the PTE: still cached until a flush (here through a satp write).
  m.write64(pte_addr, 0);
  EXPECT_EQ(mmu().load<uint32_t>(0x1000), 0x22222222u);
  uint64_t generation = mmu().mapping_generation();
  csrw(csr::kSatp, cpu().s.satp);
  EXPECT_GT(mmu().mapping_generation(), generation);
  expect_trap([&] { mmu().load<uint32_t>(0x1000); }, Cause::kLoadPageFault, 0x1000, "after flush");
}

// sfence.vma with an address (Mmu::flush_page) drops only that page; other
// pages stay cached (stale here on purpose, to make the difference visible),
// unless a superpage may cover the address, when everything goes.
TEST_F(MmuTest, PageFlushDropsOnlyThatPageUnlessASuperpageCoversIt) {
  enable(satp::kModeSv39);
  uint64_t pte_a = map(0x1000, kData, 0, kRW | kAD);
  uint64_t pte_b = map(0x2000, kData + 0x1000, 0, kRW | kAD);
  m.write32(kData, 0xaaaaaaaa);
  m.write32(kData + 0x1000, 0xbbbbbbbb);
  m.write32(kData + 0x2000, 0xcccccccc);
  set_priv(Priv::S);
  EXPECT_EQ(mmu().load<uint32_t>(0x1000), 0xaaaaaaaau);
  EXPECT_EQ(mmu().load<uint32_t>(0x2000), 0xbbbbbbbbu);
  // Point both PTEs at the third page, then fence only the first.
  m.write64(pte_a, (((kData + 0x2000) >> 12) << 10) | kRW | kAD);
  m.write64(pte_b, (((kData + 0x2000) >> 12) << 10) | kRW | kAD);
  uint64_t generation = mmu().mapping_generation();
  mmu().flush_page(0x1234);
  EXPECT_GT(mmu().mapping_generation(), generation) << "the engine's block lookups re-check their mappings";
  EXPECT_EQ(mmu().load<uint32_t>(0x1000), 0xccccccccu) << "the fenced page is walked again";
  EXPECT_EQ(mmu().load<uint32_t>(0x2000), 0xbbbbbbbbu) << "the other page is still cached";

  // Once a superpage has been walked, fencing an address it covers flushes all.
  map(0x200000, kMega, 1, kRW | kAD);
  EXPECT_EQ(mmu().load<uint32_t>(0x200000), m.read32(kMega));
  mmu().flush_page(0x203000);
  EXPECT_EQ(mmu().load<uint32_t>(0x2000), 0xccccccccu) << "a superpage's fence flushes every page";
}

TEST_F(MmuTest, TlbEntriesAreKeptPerPrivilegeContext) {
  enable(satp::kModeSv39);
  map(0x3000, kData, 0, kRW | pte::kU | kAD);
  m.write32(kData, 0x5a5a5a5a);
  set_priv(Priv::S);
  csrw(csr::kMstatus, cpu().s.mstatus | mstatus::kSUM);
  EXPECT_EQ(mmu().data_idx(), kIdxSSum);
  EXPECT_EQ(mmu().load<uint32_t>(0x3000), 0x5a5a5a5au);
  // Clearing SUM must not let the cached entry grant access.
  csrw(csr::kMstatus, cpu().s.mstatus & ~mstatus::kSUM);
  EXPECT_EQ(mmu().data_idx(), kIdxS);
  expect_trap([&] { mmu().load<uint32_t>(0x3000); }, Cause::kLoadPageFault, 0x3000, "SUM cleared");
  // A read entry does not allow writes.
  map(0x4000, kData, 0, pte::kV | pte::kR | kAD);
  EXPECT_EQ(mmu().load<uint32_t>(0x4000), 0x5a5a5a5au);
  expect_trap([&] { mmu().store<uint32_t>(0x4000, 1); }, Cause::kStorePageFault, 0x4000, "read-only");
  // U mode uses its own entries: the page is accessible.
  set_priv(Priv::U);
  EXPECT_EQ(mmu().load<uint32_t>(0x3000), 0x5a5a5a5au);
  expect_trap([&] { mmu().load<uint32_t>(0x4000); }, Cause::kLoadPageFault, 0x4000, "S page from U");
}

TEST_F(MmuTest, MprvTranslatesMModeDataAccesses) {
  enable(satp::kModeSv39);
  map(0x1000, kData, 0, kRW | kAD);
  m.write32(kData + 0x20, 0x13579bdf);
  ASSERT_EQ(cpu().s.priv, Priv::M);
  csrw(csr::kMstatus, (cpu().s.mstatus & ~mstatus::kMPP) | (1ull << mstatus::kMPPShift) |
                                     mstatus::kMPRV);
  EXPECT_EQ(mmu().data_idx(), kIdxS);
  EXPECT_EQ(mmu().fetch_idx(), kIdxM);
  EXPECT_EQ(mmu().load<uint32_t>(0x1020), 0x13579bdfu);
  csrw(csr::kMstatus, cpu().s.mstatus & ~mstatus::kMPRV);
  EXPECT_EQ(mmu().data_idx(), kIdxM);
  // Bare again: 0x1020 is unmapped physical memory.
  expect_trap([&] { mmu().load<uint32_t>(0x1020); }, Cause::kLoadAccessFault, 0x1020, "MPRV off");
}

// ------------------------------------------------- stores to translated code

TEST_F(MmuTest, StoresToCodePagesTakeTheSlowPath) {
  std::vector<uint64_t> written;
  m.as.on_code_write = [&](uint64_t page) { written.push_back(page); };
  ASSERT_EQ(cpu().s.priv, Priv::M);

  // A store fills the write TLB; the page then becomes a code page, as the
  // translator does it (mark + drop write entries).
  mmu().store<uint32_t>(kData + 0x10, 1);
  EXPECT_TRUE(written.empty());
  m.as.mark_code_page(*m.ram, kData);
  mmu().flush_page_writes(kData);
  mmu().store<uint32_t>(kData + 0x14, 2);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0], kData);
  EXPECT_EQ(m.read32(kData + 0x14), 2u);
  EXPECT_EQ(m.ram->code_page[(kData - m.ram->base) >> 12], 0) << "the page is no longer code";

  // Every store size and offset in the page is caught, once per marking.
  for (unsigned off : {0u, 0x7ffu, 0xff8u}) {
    written.clear();
    m.as.mark_code_page(*m.ram, kData);
    mmu().flush_page_writes(kData);
    mmu().store<uint8_t>(kData + off, 0xaa);
    mmu().store<uint8_t>(kData + off, 0xbb);
    EXPECT_EQ(written.size(), 1u) << off;
  }

  // Two virtual aliases of the page: both write entries are dropped.
  enable(satp::kModeSv39);
  map(0x1000, kData, 0, kRW | kAD);
  map(0x7000, kData, 0, kRW | kAD);
  set_priv(Priv::S);
  mmu().store<uint32_t>(0x1000, 3);
  mmu().store<uint32_t>(0x7000, 4);
  written.clear();
  m.as.mark_code_page(*m.ram, kData);
  mmu().flush_page_writes(kData);
  mmu().store<uint32_t>(0x7004, 5);
  EXPECT_EQ(written.size(), 1u) << "store through the second alias";
  m.as.mark_code_page(*m.ram, kData);
  mmu().flush_page_writes(kData);
  mmu().store<uint32_t>(0x1004, 6);
  EXPECT_EQ(written.size(), 2u) << "store through the first alias";

  // AMOs and DMA writes are caught too.
  m.as.mark_code_page(*m.ram, kData);
  mmu().flush_page_writes(kData);
  uint64_t pa = 0;
  mmu().amo_ptr(0x1008, 8, pa);
  EXPECT_EQ(pa, kData + 8);
  EXPECT_EQ(written.size(), 3u) << "AMO";
  m.as.mark_code_page(*m.ram, kData);
  uint32_t v = 9;
  EXPECT_TRUE(m.as.write_bytes(kData + 0x100, &v, 4));
  EXPECT_EQ(written.size(), 4u) << "DMA";
}

// ------------------------------------------------------------------- PMP

uint64_t napot(uint64_t base, uint64_t size) { return (base >> 2) | ((size >> 3) - 1); }
uint64_t cfg(uint8_t bits, int entry) {
  return static_cast<uint64_t>(bits) << (8 * entry);
}
constexpr uint8_t kNapot = pmpcfg::kNapot << pmpcfg::kAShift;

TEST_F(MmuTest, PmpDeniesSModeReadsAndMModeIgnoresUnlockedEntries) {
  set_priv(Priv::S);  // satp is Bare: physical = virtual
  m.write32(kData + 0x100, 0x12345678);
  EXPECT_EQ(mmu().load<uint32_t>(kData + 0x100), 0x12345678u) << "no PMP entry active: allowed";

  // Entry 0: 64 KiB at kData, write-only. Entry 1: everything, RWX.
  csrw(csr::kPmpaddr0, napot(kData, 0x10000));
  csrw(csr::kPmpaddr0 + 1, ~0ull >> 10);
  csrw(csr::kPmpcfg0, cfg(kNapot | pmpcfg::kW, 0) |
                                     cfg(kNapot | pmpcfg::kR | pmpcfg::kW | pmpcfg::kX, 1));
  set_priv(Priv::S);
  // The earlier load filled the TLB; the PMP write must have flushed it.
  expect_trap([&] { mmu().load<uint32_t>(kData + 0x100); }, Cause::kLoadAccessFault, kData + 0x100,
              "S read of a write-only region");
  expect_trap([&] { mmu().translate(kData + 0xfffc, AccessType::kFetch, kIdxS); },
              Cause::kInsnAccessFault, kData + 0xfffc, "S fetch");
  mmu().store<uint32_t>(kData + 0x104, 0xabcdef01);
  EXPECT_EQ(m.read32(kData + 0x104), 0xabcdef01u);
  EXPECT_EQ(mmu().load<uint32_t>(kData + 0x10000), 0u) << "past the entry: entry 1 allows";
  EXPECT_EQ(mmu().load<uint32_t>(kData - 4), 0u) << "before the entry";

  // M mode: unlocked entries do not apply.
  set_priv(Priv::M);
  EXPECT_EQ(mmu().load<uint32_t>(kData + 0x100), 0x12345678u);
  EXPECT_EQ(mmu().translate(kData, AccessType::kFetch, kIdxM), kData);

  // U mode with no matching entry is denied once any entry is active.
  csrw(csr::kPmpcfg0, cfg(kNapot | pmpcfg::kR, 0));
  set_priv(Priv::U);
  EXPECT_EQ(mmu().load<uint32_t>(kData + 0x100), 0x12345678u);
  expect_trap([&] { mmu().load<uint32_t>(kData + 0x10000); }, Cause::kLoadAccessFault, kData + 0x10000,
              "U access outside every entry");
  expect_trap([&] { mmu().store<uint32_t>(kData + 0x100, 0); }, Cause::kStoreAccessFault, kData + 0x100,
              "U store to a read-only region");
  set_priv(Priv::M);
  EXPECT_EQ(mmu().load<uint32_t>(kData + 0x10000), 0u) << "M with no matching entry is allowed";
}

TEST_F(MmuTest, LockedPmpEntriesBindMModeAndCannotBeChanged) {
  csrw(csr::kPmpaddr0, napot(kData, 0x1000));
  csrw(csr::kPmpcfg0, cfg(kNapot | pmpcfg::kR | pmpcfg::kL, 0));
  ASSERT_EQ(cpu().s.priv, Priv::M);
  EXPECT_EQ(mmu().load<uint32_t>(kData), 0u);
  expect_trap([&] { mmu().store<uint32_t>(kData + 8, 1); }, Cause::kStoreAccessFault, kData + 8,
              "M store to a locked read-only entry");
  expect_trap([&] { mmu().translate(kData, AccessType::kFetch, kIdxM); }, Cause::kInsnAccessFault, kData,
              "M fetch from a locked non-executable entry");
  EXPECT_EQ(mmu().load<uint32_t>(kData + 0x1000), 0u) << "outside the locked entry";
  // Writes to a locked entry are ignored.
  csrw(csr::kPmpcfg0, cfg(kNapot | pmpcfg::kR | pmpcfg::kW, 0));
  csrw(csr::kPmpaddr0, napot(kData + 0x10000, 0x1000));
  EXPECT_EQ(cpu().s.pmpcfg[0], kNapot | pmpcfg::kR | pmpcfg::kL);
  EXPECT_EQ(cpu().s.pmpaddr[0], napot(kData, 0x1000));
}

TEST_F(MmuTest, PmpChecksPageTableWalks) {
  enable(satp::kModeSv39);
  map(0x1000, kData, 0, kRW | kAD);
  // Entry 0 covers the page-table pool with no permissions; entry 1 allows the rest.
  csrw(csr::kPmpaddr0, napot(kTablePool, 0x100000));
  csrw(csr::kPmpaddr0 + 1, ~0ull >> 10);
  csrw(csr::kPmpcfg0, cfg(kNapot, 0) | cfg(kNapot | pmpcfg::kR | pmpcfg::kW | pmpcfg::kX, 1));
  set_priv(Priv::S);
  expect_trap([&] { mmu().load<uint32_t>(0x1000); }, Cause::kLoadAccessFault, 0x1000, "walk load");
  expect_trap([&] { mmu().store<uint32_t>(0x1000, 0); }, Cause::kStoreAccessFault, 0x1000, "walk store");
  expect_trap([&] { mmu().translate(0x1000, AccessType::kFetch, kIdxS); }, Cause::kInsnAccessFault, 0x1000,
              "walk fetch");
}

}  // namespace
}  // namespace rwd::riscv
