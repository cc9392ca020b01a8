// Executing a flash bank in place: what fetches read in each mode, and which
// changes the bank reports (the address space drops translations on them),
// through AddressSpace::add_rom_device as the board wires it.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>

#include "hw/block/pflash_cfi01.h"
#include "hw/core/memory.h"

namespace rwd {
namespace {

constexpr uint64_t kBase = 0x20000000;
constexpr uint64_t kSector = PflashCfi01::kSectorSize;

struct FetchFixture : ::testing::Test {
  AddressSpace as;
  PflashCfi01 bank{"flash", false, nullptr};
  std::set<uint64_t> dropped;  // pages whose translations were dropped
  int remaps = 0;
  FetchFixture() {
    std::memset(bank.data(), 0x13, PflashCfi01::kSize);
    as.add_rom_device(kBase, PflashCfi01::kSize, &bank);
    as.on_code_write = [this](uint64_t page) { dropped.insert(page); };
    as.on_fetch_remap = [this] { ++remaps; };
  }
  void cmd(uint64_t off, uint8_t c) { as.write(kBase + off, 4, 0x00010001u * c); }
  uint16_t fetch16(uint64_t off, bool* direct_out = nullptr) {
    bool direct = false;
    const uint8_t* p = as.rom_fetch_ptr(kBase + off, direct);
    if (direct_out) *direct_out = direct;
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
};

TEST_F(FetchFixture, ReadArrayFetchesTheContentsDirectly) {
  bool direct = false;
  EXPECT_EQ(fetch16(0x1234, &direct), 0x1313);
  EXPECT_TRUE(direct) << "the storage: the CPU may map it";
  bool d;
  EXPECT_EQ(as.rom_fetch_ptr(kBase + PflashCfi01::kSize, d), nullptr) << "past the bank: no ROM device";
}

TEST_F(FetchFixture, CommandModesFetchWhatLoadsRead) {
  fetch16(0);  // mapped
  cmd(0, 0x70);
  EXPECT_EQ(remaps, 1) << "leaving read array unmaps the bank from the fetch TLB";
  bool direct = true;
  EXPECT_EQ(fetch16(0x1ff0, &direct), 0x0080);
  EXPECT_FALSE(direct) << "an answer, not the storage";
  cmd(0, 0x90);
  EXPECT_EQ(fetch16(0), 0x0089);
  EXPECT_EQ(fetch16(2), 0x0089) << "both halves of bus word 0";
  EXPECT_EQ(fetch16(4), 0x0018);
  EXPECT_EQ(fetch16(8), 0x0000);
  EXPECT_EQ(fetch16(0x40000), 0x0089) << "the identifier repeats every 1 KiB";
  cmd(0, 0x98);
  EXPECT_EQ(fetch16(0x40), 'Q');
  cmd(0, 0xff);
  EXPECT_EQ(fetch16(0), 0x1313);
  EXPECT_EQ(remaps, 1) << "nothing was mapped since";
}

TEST_F(FetchFixture, TranslatedPagesAreDroppedWhenWhatTheyFetchChanges) {
  as.mark_rom_code_page(kBase + 0x1000);
  as.mark_rom_code_page(kBase + kSector + 0x3000);
  // A word program: the mode changes (everything goes), then back.
  cmd(0x1000, 0x40);
  EXPECT_EQ(dropped, (std::set<uint64_t>{kBase + 0x1000, kBase + kSector + 0x3000}));
  as.write(kBase + 0x1000, 4, 0x00300513);
  cmd(0, 0xff);
  dropped.clear();
  // Translated again in read-array mode: a program elsewhere leaves it.
  as.mark_rom_code_page(kBase + 0x1000);
  as.mark_rom_code_page(kBase + 0x5000);
  cmd(0x5000, 0x40);  // a word program: leaving read array drops both
  EXPECT_EQ(dropped.size(), 2u);
  cmd(0, 0xff);
  dropped.clear();
  // An erase drops its sector's pages (and the mode change, all of them).
  as.mark_rom_code_page(kBase + kSector + 0x3000);
  cmd(kSector, 0x20);
  EXPECT_TRUE(dropped.count(kBase + kSector + 0x3000));
  EXPECT_EQ(fetch16(kSector + 0x3000), 0x0080) << "status while the erase completes";
  cmd(kSector, 0xd0);
  cmd(0, 0xff);
  EXPECT_EQ(fetch16(kSector + 0x3000), 0xffff) << "erased";
}

TEST_F(FetchFixture, StatusChangesOutsideReadArrayAreReported) {
  cmd(0, 0x70);
  as.mark_rom_code_page(kBase);  // code made of the status answer
  cmd(0, 0x50);                  // clear status: back to read array
  EXPECT_TRUE(dropped.count(kBase));
  dropped.clear();
  cmd(0, 0x70);
  as.mark_rom_code_page(kBase);
  cmd(0, 0x70);  // the same answer: nothing to drop
  EXPECT_TRUE(dropped.empty());
}

TEST_F(FetchFixture, LoadResetAndRandomWritesKeepFetchesEqualToLoads) {
  ByteWriter w;
  bank.save(w);
  std::vector<uint8_t> saved = w.data();
  std::mt19937_64 rng(17);
  const uint8_t cmds[] = {0x00, 0x10, 0x20, 0x40, 0x50, 0x60, 0x70, 0x90, 0x98, 0xd0, 0xe8, 0xff, 0x01};
  for (int i = 0; i < 20000; ++i) {
    uint64_t off = (rng() % (PflashCfi01::kSize / 4)) * 4;
    if (rng() % 3) as.write(kBase + off, 4, 0x00010001u * cmds[rng() % sizeof cmds]);
    else as.write(kBase + off, 4, rng());
    uint64_t at = (rng() % (PflashCfi01::kSize / 2)) * 2;
    uint64_t load = 0;
    ASSERT_TRUE(as.read(kBase + at, 2, load));
    ASSERT_EQ(fetch16(at), load) << "at " << at << " step " << i;
  }
  as.mark_rom_code_page(kBase + 0x7000);
  ByteReader r(saved);
  bank.load(r);
  EXPECT_TRUE(dropped.count(kBase + 0x7000)) << "a loaded state drops the bank's translations";
  EXPECT_EQ(fetch16(0x7000), 0x1313);
  as.mark_rom_code_page(kBase + 0x7000);
  dropped.clear();
  bank.reset();
  EXPECT_TRUE(dropped.count(kBase + 0x7000)) << "and so does a reset";
}

}  // namespace
}  // namespace rwd
