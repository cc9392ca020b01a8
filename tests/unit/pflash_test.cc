// The CFI flash bank's command state machine: identifier, CFI query, status,
// word and buffered program, block erase, read-only banks, what reaches the
// backing file, garbage sequences, and saved state.
#include "hw/block/pflash_cfi01.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace rwd {
namespace {

constexpr uint64_t kSector = PflashCfi01::kSectorSize;

struct PflashFixture : ::testing::Test {
  std::vector<uint8_t> file = std::vector<uint8_t>(PflashCfi01::kSize, 0x22);
  int persists = 0;
  std::unique_ptr<PflashCfi01> make(bool read_only = false) {
    auto f = std::make_unique<PflashCfi01>("flash", read_only, [this](uint64_t off, const uint8_t* d, size_t n) {
      ++persists;
      std::copy(d, d + n, file.begin() + static_cast<long>(off));
    });
    std::copy(file.begin(), file.end(), f->data());
    return f;
  }
  static void cmd(PflashCfi01& f, uint64_t off, uint8_t c) { f.write(off, 4, 0x00010001u * c); }
};

TEST_F(PflashFixture, IdentifierAndQueryAnswerInBothLanes) {
  auto f = make();
  cmd(*f, 0, 0x90);
  EXPECT_EQ(f->read(0, 4), 0x00890089u);
  EXPECT_EQ(f->read(4, 4), 0x00180018u);
  EXPECT_EQ(f->read(8, 4), 0u);
  EXPECT_EQ(f->read(0, 2), 0x0089u) << "a 16-bit read is one lane";
  cmd(*f, 0, 0xff);
  cmd(*f, 0, 0x98);
  std::string qry;
  for (uint64_t i = 0x10; i < 0x13; ++i) qry += static_cast<char>(f->read(i * 4, 4) & 0xff);
  EXPECT_EQ(qry, "QRY");
  EXPECT_EQ(f->read(0x27 * 4, 4), 0x00180018u) << "16 MiB per device";
  EXPECT_EQ(f->read(0x2d * 4, 4), 0x007f007fu) << "128 blocks";
  EXPECT_EQ(f->read(0x30 * 4, 4), 0x00020002u) << "of 128 KiB per device";
  EXPECT_EQ(f->read(0x2a * 4, 4), 0x000b000bu) << "2 KiB write buffer";
  EXPECT_EQ(f->read(0x10 * 4, 8), 0x0051005100510051u) << "a 64-bit read: four lanes";
  cmd(*f, 0, 0x70);
  EXPECT_EQ(f->read(0x10 * 4, 4), 0x00510051u) << "query mode ignores other commands";
  cmd(*f, 0, 0xff);
  EXPECT_EQ(f->read(0, 4), 0x22222222u);
}

TEST_F(PflashFixture, ProgramAndEraseReachTheFile) {
  auto f = make();
  cmd(*f, kSector, 0x20);
  EXPECT_EQ(file[kSector], 0xff) << "erased by the setup write (as QEMU 7.2)";
  EXPECT_EQ(file[kSector - 1], 0x22);
  EXPECT_EQ(file[2 * kSector], 0x22);
  cmd(*f, kSector, 0xd0);
  EXPECT_EQ(f->read(kSector, 4), 0x00800080u) << "status after the confirm";
  cmd(*f, kSector + 0x10, 0x40);
  f->write(kSector + 0x10, 4, 0xcafef00d);
  EXPECT_EQ(f->read(0, 4), 0x00800080u);
  cmd(*f, 0, 0xff);
  EXPECT_EQ(f->read(kSector + 0x10, 4), 0xcafef00du);
  EXPECT_EQ(file[kSector + 0x10], 0x0d);
  // Buffered: count 3 -> four bus writes, then the confirm.
  cmd(*f, kSector + 0x100, 0xe8);
  EXPECT_EQ(f->read(kSector + 0x100, 4), 0x00800080u);
  f->write(kSector + 0x100, 4, 0x00030003);
  for (uint32_t i = 0; i < 4; ++i) f->write(kSector + 0x100 + 4 * i, 4, 0x01010101u * (i + 1));
  int before = persists;
  cmd(*f, kSector + 0x100, 0xd0);
  EXPECT_EQ(persists, before + 1) << "the buffer goes to the file once";
  cmd(*f, 0, 0xff);
  EXPECT_EQ(f->read(kSector + 0x108, 8), 0x0404040403030303u);
  EXPECT_EQ(file[kSector + 0x10f], 0x04);
  EXPECT_EQ(file[kSector + 0x110], 0xff);
}

TEST_F(PflashFixture, ReadOnlyBankReportsErrorBitsAndKeepsItsContents) {
  auto f = make(true);
  cmd(*f, 0, 0x20);
  cmd(*f, 0, 0xd0);
  EXPECT_EQ(f->read(0, 4) & 0xff, 0xa0u) << "erase error";
  cmd(*f, 0, 0x50);
  cmd(*f, 0, 0x40);
  f->write(0, 4, 0);
  EXPECT_EQ(f->read(0, 4) & 0xff, 0x90u) << "program error";
  cmd(*f, 0, 0xe8);
  f->write(0, 4, 0x00010001);
  f->write(0, 4, 0x12345678);
  EXPECT_EQ(f->read(0, 4), 0x22222222u) << "a buffered program gives up at its first data write";
  cmd(*f, 0, 0x70);
  EXPECT_EQ(f->read(0, 4) & 0xff, 0x90u) << "program error, still set";
  cmd(*f, 0, 0xff);
  EXPECT_EQ(f->read(0, 4), 0x22222222u);
  EXPECT_EQ(persists, 0);
}

TEST_F(PflashFixture, BadSequencesGoBackToReadArray) {
  auto f = make();
  cmd(*f, 0, 0x60);
  cmd(*f, 0, 0x55);
  EXPECT_EQ(f->read(4 * kSector, 4), 0x22222222u);
  cmd(*f, 0, 0x42);  // unknown command
  EXPECT_EQ(f->read(4 * kSector, 4), 0x22222222u);
  cmd(*f, 0, 0x60);
  cmd(*f, 0, 0x01);  // lock: accepted, nothing locks
  EXPECT_EQ(f->read(0, 4), 0x00800080u);
}

TEST_F(PflashFixture, RandomAccessesStayInsideTheBank) {
  auto f = make();
  std::mt19937_64 rng(11);
  const uint8_t cmds[] = {0x00, 0x10, 0x20, 0x40, 0x50, 0x60, 0x70, 0x90, 0x98, 0xd0, 0xe8, 0xff, 0x01, 0x33};
  for (int i = 0; i < 300000; ++i) {
    uint64_t off = rng() % (PflashCfi01::kSize + 64);  // some past the end
    unsigned size = 1u << (rng() % 4);
    if (rng() % 3 == 0)
      f->read(off, size);
    else
      f->write(off, size, rng() % 2 ? 0x00010001u * cmds[rng() % std::size(cmds)] : rng());
  }
  EXPECT_EQ(file.size(), PflashCfi01::kSize);
  // A buffered program still open keeps its bytes until the confirm or a reset.
  f->reset();
  EXPECT_TRUE(std::equal(file.begin(), file.end(), f->contents())) << "what the bank holds is what reached the file";
  // The saved state (pages summarised as they changed) brings it all back.
  ByteWriter w;
  f->save(w);
  auto g = std::make_unique<PflashCfi01>("other", false, nullptr);
  ByteReader r(w.data());
  g->load(r);
  EXPECT_TRUE(std::equal(f->contents(), f->contents() + PflashCfi01::kSize, g->contents()));
  ByteWriter w2;
  g->save(w2);
  EXPECT_EQ(w.data(), w2.data());
}

TEST_F(PflashFixture, SaveAndLoadRoundTripAndRefuseGarbage) {
  auto f = make();
  cmd(*f, 0, 0x40);
  f->write(0x1234, 4, 0x12345678);
  ByteWriter w;
  f->save(w);
  EXPECT_LT(w.size(), 3 * 8192u + 20000) << "uniform pages are two bytes";
  auto g = make();
  ByteReader r(w.data());
  g->load(r);
  EXPECT_TRUE(std::equal(f->contents(), f->contents() + PflashCfi01::kSize, g->contents()));
  EXPECT_EQ(g->read(0, 4), 0x00800080u) << "still reading status";
  std::vector<uint8_t> bad(w.data());
  bad[1] = 9;  // write cycle
  ByteReader rb(bad);
  EXPECT_THROW(g->load(rb), DecodeError);
  std::vector<uint8_t> cut(w.data().begin(), w.data().begin() + 100);
  ByteReader rc(cut);
  EXPECT_THROW(g->load(rc), DecodeError);
}

}  // namespace
}  // namespace rwd
