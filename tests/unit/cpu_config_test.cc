// Tests for -cpu properties (target/riscv/cpu_config.h) and what switching
// an extension off removes: its instructions at decode (illegal-instruction),
// its misa bit, its CSRs and mstatus/mie fields, and without C the IALIGN=32
// jump rules; the record/replay fingerprint names -cpu.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "replay/replay_config.h"
#include "target/riscv/cpu_config.h"
#include "target/riscv/decode.h"
#include "target/riscv/insn_handlers.h"
#include "test_machine.h"

namespace rwd::riscv {
namespace {

using namespace test;

CpuConfig parse_ok(const std::string& arg, std::vector<std::string>* warnings = nullptr) {
  CpuConfig c;
  std::string err;
  std::vector<std::string> w;
  EXPECT_TRUE(parse_cpu_option(arg, c, err, w)) << arg << ": " << err;
  if (warnings) *warnings = w;
  return c;
}

std::string parse_err(const std::string& arg) {
  CpuConfig c;
  std::string err;
  std::vector<std::string> w;
  EXPECT_FALSE(parse_cpu_option(arg, c, err, w)) << arg;
  return err;
}

constexpr uint64_t bit(char l) { return 1ull << (l - 'A'); }

// ---------------------------------------------------------------- parsing

TEST(CpuOption, DefaultsAreRv64gcWithZbaZbbZbcZbsSstc) {
  CpuConfig c = parse_ok("rv64");
  EXPECT_EQ(c, CpuConfig{});
  EXPECT_EQ(c.misa(), kMisaValue);
  EXPECT_EQ(c.isa_string(), "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");
  EXPECT_TRUE(c.sstc);
  EXPECT_EQ(c.canonical(), "rv64");
  EXPECT_TRUE(c.mmu);
  EXPECT_TRUE(c.pmp);
}

TEST(CpuOption, SwitchingOffRemovesFromMisaAndIsaString) {
  CpuConfig c = parse_ok("rv64,c=off,m=no,zba=false,Zifencei=off,Zihintpause=n");
  EXPECT_EQ(c.misa(), kMisaValue & ~bit('C') & ~bit('M'));
  EXPECT_EQ(c.isa_string(), "rv64iafd_zicsr_zbb_zbc_zbs_sstc");
  EXPECT_EQ(c.canonical(), "rv64,m=off,c=off,Zifencei=off,zba=off,Zihintpause=off");
  EXPECT_EQ(parse_ok("rv64,s=off,u=off").misa(), kMisaValue & ~bit('S') & ~bit('U'));
  EXPECT_EQ(parse_ok("rv64,f=off,d=off").isa_string(), "rv64imac_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");
  CpuConfig no_sstc = parse_ok("rv64,sstc=off");
  EXPECT_FALSE(no_sstc.sstc);
  EXPECT_EQ(no_sstc.isa_string(), "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs");
  EXPECT_EQ(no_sstc.canonical(), "rv64,sstc=off");
  EXPECT_EQ(parse_ok("rv64,sstc=off,sstc=on"), CpuConfig{});
  EXPECT_EQ(parse_ok("rv64,short-isa-string=on").isa_string(), "rv64imafdc");
}

TEST(CpuOption, QemuSpellingsAndLastValueWins) {
  EXPECT_FALSE(parse_ok("rv64,zicsr=on,Zicsr=off,f=off,d=off").has(Ext::Zicsr)) << "7.2's Zicsr and newer zicsr";
  EXPECT_FALSE(parse_ok("rv64,zifencei=off").has(Ext::Zifencei));
  EXPECT_TRUE(parse_ok("rv64,c=off,c=on").has(Ext::C));
  for (const char* v : {"on", "yes", "true", "y"}) EXPECT_TRUE(parse_ok(std::string("rv64,c=off,c=") + v).has(Ext::C));
  for (const char* v : {"off", "no", "false", "n"}) EXPECT_FALSE(parse_ok(std::string("rv64,c=") + v).has(Ext::C));
  // What rewind does not implement may be switched off (QEMU's rv64 has H
  // on by default).
  EXPECT_EQ(parse_ok("rv64,h=off,v=off,e=off,zicond=off"), CpuConfig{});
  // The debug triggers are on by default, as on QEMU 7.2, and may be removed.
  EXPECT_TRUE(CpuConfig{}.debug);
  EXPECT_FALSE(parse_ok("rv64,debug=off").debug);
  EXPECT_EQ(parse_ok("rv64,debug=off").canonical(), "rv64,debug=off");
  EXPECT_EQ(parse_ok("rv64,debug=on"), CpuConfig{});
  EXPECT_FALSE(parse_ok("rv64,zbc=off").has(Ext::Zbc));
  CpuConfig ids = parse_ok("rv64,mvendorid=0x489,marchid=5,mimpid=0x10,resetvec=0x80000000");
  EXPECT_EQ(ids.mvendorid, 0x489u);
  EXPECT_EQ(ids.marchid, 5u);
  EXPECT_EQ(ids.mimpid, 0x10u);
  EXPECT_EQ(ids.resetvec, 0x80000000u);
  EXPECT_EQ(ids.canonical(), "rv64,mvendorid=0x489,marchid=0x5,mimpid=0x10,resetvec=0x80000000");
}

TEST(CpuOption, GSetsImafdZicsrZifenceiAsQemu) {
  std::vector<std::string> w;
  CpuConfig c = parse_ok("rv64,m=off,f=off,d=off,g=on", &w);
  EXPECT_EQ(c, CpuConfig{});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], "Setting G will also set IMAFD_Zicsr_Zifencei");
}

TEST(CpuOption, ZmmulIsTheMultiplyHalfOfM) {
  CpuConfig c = parse_ok("rv64,m=off,zmmul=on");
  EXPECT_FALSE(c.misa() & bit('M'));
  EXPECT_TRUE(c.decode_set() & ext_bit(Ext::Zmmul));
  EXPECT_TRUE(CpuConfig{}.decode_set() & ext_bit(Ext::Zmmul)) << "M brings it";
  EXPECT_FALSE(parse_ok("rv64,m=off").decode_set() & ext_bit(Ext::Zmmul));
}

TEST(CpuOption, OlderPrivSpecDropsLaterExtensionsWithQemusWarning) {
  std::vector<std::string> w;
  CpuConfig c = parse_ok("rv64,priv_spec=v1.11.0,zbb=off", &w);
  EXPECT_EQ(c.priv_spec, PrivSpec::v1_11_0);
  EXPECT_FALSE(c.has(Ext::Zba) || c.has(Ext::Zbb) || c.has(Ext::Zbc) || c.has(Ext::Zbs) || c.sstc);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0], "disabling zba extension for hart 0x0 because privilege spec version does not match");
  EXPECT_EQ(w[3], "disabling sstc extension for hart 0x0 because privilege spec version does not match");
  EXPECT_EQ(c.isa_string(), "rv64imafdc_zicsr_zifencei_zihintpause");
  EXPECT_EQ(parse_ok("rv64,priv_spec=v1.10.0").priv_spec, PrivSpec::v1_10_0);
}

TEST(CpuOption, AnyIsQemus72AnyWithoutSupervisorMode) {
  CpuConfig c = parse_ok("any");
  EXPECT_EQ(c.misa(), kMisaValue & ~bit('S'));
  EXPECT_EQ(c.isa_string(), "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");
  EXPECT_EQ(c.canonical(), "any");
  EXPECT_EQ(parse_ok("any,zba=off").canonical(), "any,zba=off");
}

TEST(CpuOption, RefusalsAreOneLineAndNameTheProperty) {
  const std::pair<const char*, const char*> cases[] = {
      {"rv64,v=true", "-cpu rv64,v=true: the vector extension (V) is not implemented by rewind"},
      {"rv64,h=on", "-cpu rv64,h=on: the hypervisor extension (H) is not implemented by rewind"},
      {"rv64,zicond=true", "-cpu rv64,zicond=true: the zicond extension is not implemented by rewind"},
      {"rv64,Zfh=on", "-cpu rv64,Zfh=on: half-precision floating point (Zfh) is not implemented by rewind"},
      {"rv64,foo=1", "-cpu rv64,foo=1: unknown CPU property 'foo'"},
      {"rv64,sv48=on", "-cpu rv64,sv48=on: unknown CPU property 'sv48'"},
      {"rv64,C=off", "-cpu rv64,C=off: unknown CPU property 'C'"},
      {"rv64,c=1", "-cpu rv64,c=1: 'c' expects on or off"},
      {"rv64,c=", "-cpu rv64,c=: 'c' expects on or off"},
      {"rv64,c", "-cpu rv64,c: expected key=value format"},
      {"rv64,i=off", "-cpu rv64,i=off: rewind needs the I base ISA"},
      {"rv64,f=off", "-cpu rv64,f=off: D extension requires F extension"},
      {"rv64,u=off", "-cpu rv64,u=off: setting S extension without U extension is illegal"},
      {"rv64,Zicsr=off", "-cpu rv64,Zicsr=off: F extension requires Zicsr"},
      {"rv64,priv_spec=1.12", "-cpu rv64,priv_spec=1.12: unsupported privilege spec version '1.12'"},
      {"rv64,mvendorid=0x100000000", "-cpu rv64,mvendorid=0x100000000: 'mvendorid' expects a 32-bit"},
      {"rv64,pmu-num=4", "-cpu rv64,pmu-num=4: rewind implements 16 programmable counters"},
      {"rv64,vlen=128", "-cpu rv64,vlen=128: 'vlen' configures the vector extension (V)"},
      {"rv64,c=off,resetvec=0x1002", "-cpu rv64,c=off,resetvec=0x1002: resetvec must be 4-byte aligned"},
      {"max", "-cpu max: unsupported CPU model 'max'"},
      {"rv32", "-cpu rv32: unsupported CPU model 'rv32'"},
      {"any,c=off", "-cpu any,c=off: QEMU 7.2's 'any' CPU has a fixed misa"},
  };
  for (auto [arg, want] : cases) {
    std::string err = parse_err(arg);
    EXPECT_EQ(err.rfind(want, 0), 0u) << arg << " -> " << err;
    EXPECT_EQ(err.find('\n'), std::string::npos) << arg << " -> " << err;
  }
}

TEST(CpuOption, HelpListsModelsAndProperties) {
  EXPECT_EQ(parse_err("help"), "any\nrv64");
  EXPECT_EQ(parse_err("?"), "any\nrv64");
  std::string props = parse_err("rv64,help");
  EXPECT_NE(props.find("\n  c=<bool>"), std::string::npos) << props;
  EXPECT_NE(props.find("\n  Zicsr (or zicsr)=<bool>"), std::string::npos) << props;
  EXPECT_NE(props.find("\n  pmp=<bool>"), std::string::npos) << props;
  EXPECT_NE(props.find("\n  h: the hypervisor extension (H)"), std::string::npos) << props;
}

// ---------------------------------------------------------------- decoding

ExtSet without(std::initializer_list<Ext> gone) {
  ExtSet s = CpuConfig{}.decode_set();
  for (Ext e : gone) s &= ~ext_bit(e);
  return s;
}

bool decodes(uint32_t raw, ExtSet exts, uint64_t pc = 0x80000000) {
  Op op;
  const InsnDesc* d = decode(raw, pc, op, exts);
  EXPECT_EQ(d == nullptr, op.fn == op_illegal) << std::hex << raw;
  return d != nullptr;
}

TEST(DecodeExtensions, InstructionsOfAMissingExtensionAreIllegal) {
  struct Case {
    uint32_t raw;
    Ext ext;
  };
  const Case cases[] = {
      {0x02c58533, Ext::Zmmul},    // mul a0,a1,a2
      {0x02c5c533, Ext::M},        // div a0,a1,a2
      {0x00b1352f, Ext::A},        // amoadd.d a0,a1,(sp)
      {0x003170d3, Ext::F},        // fadd.s
      {0x023170d3, Ext::D},        // fadd.d
      {0x20c5a533, Ext::Zba},      // sh1add
      {0x40c5f533, Ext::Zbb},      // andn
      {0x28c59533, Ext::Zbs},      // bset
      {0x0ac59533, Ext::Zbc},      // clmul a0,a1,a2
      {0x0ac5b533, Ext::Zbc},      // clmulh
      {0x0ac5a533, Ext::Zbc},      // clmulr
      {0x0000100f, Ext::Zifencei}, // fence.i
      {0x30002573, Ext::Zicsr},    // csrr a0,mstatus
      {0x10200073, Ext::S},        // sret
      {0x12000073, Ext::S},        // sfence.vma
  };
  for (const Case& c : cases) {
    EXPECT_TRUE(decodes(c.raw, kAllExts)) << std::hex << c.raw;
    EXPECT_FALSE(decodes(c.raw, without({c.ext}))) << std::hex << c.raw;
  }
  EXPECT_TRUE(decodes(0x02c58533, without({Ext::M}))) << "mul: Zmmul still there";
  EXPECT_FALSE(decodes(0x02c58533, without({Ext::M, Ext::Zmmul})));
  EXPECT_TRUE(decodes(0x00000013, ext_bit(Ext::I))) << "nop needs only I";
}

TEST(DecodeExtensions, CompressedNeedsCAndTheExtensionOfItsExpansion) {
  EXPECT_TRUE(decodes(0x0505, kAllExts));             // c.addi a0,1
  EXPECT_FALSE(decodes(0x0505, without({Ext::C})));
  EXPECT_TRUE(decodes(0x2000, kAllExts));             // c.fld fs0,0(s0)
  EXPECT_FALSE(decodes(0x2000, without({Ext::D})));
  Op op;
  decode(0x0505, 0x80000000, op, without({Ext::C}));
  EXPECT_EQ(op.len, 2u) << "still 16 bits: the trap reports the parcel";
  EXPECT_EQ(op.raw, 0x0505u);
}

TEST(DecodeExtensions, WithoutCJumpsToMisalignedTargetsGetCheckingHandlers) {
  const ExtSet no_c = without({Ext::C});
  Op op;
  decode(0x0060006f, 0x80000000, op, no_c);  // jal zero, .+6
  EXPECT_EQ(op.fn, op_jal_misaligned);
  decode(0x0060006f, 0x80000000, op, kAllExts);
  EXPECT_EQ(op.fn, op_jal);
  decode(0x0080006f, 0x80000000, op, no_c);  // jal zero, .+8
  EXPECT_EQ(op.fn, op_jal) << "an aligned target needs no check";
  decode(0x00000363, 0x80000000, op, no_c);  // beq zero,zero,.+6
  EXPECT_EQ(op.fn, op_branch_misaligned);
  decode(0x00000363, 0x80000002, op, no_c);  // from pc+2 the target is aligned
  EXPECT_EQ(op.fn, op_beq);
  decode(0x002287e7, 0x80000000, op, no_c);  // jalr a5,2(t0): target known at run time
  EXPECT_EQ(op.fn, op_jalr_ialign32);
  decode(0x002287e7, 0x80000000, op, kAllExts);
  EXPECT_EQ(op.fn, op_jalr);
}

// ---------------------------------------------------------------- execution

class CpuConfigTest : public testing::Test {
 protected:
  static constexpr uint64_t kHandler = kRamBase + 0x100;
  const uint8_t kSpin[4] = {0x6f, 0x00, 0x00, 0x00};  // jal zero, .

  // A new machine with the hart -cpu ARG describes. (A hart is configured
  // before anything runs: translations are not keyed by the extensions.)
  void configure(const std::string& arg) {
    machine = std::make_unique<TestMachine>();
    m().cpu.configure(parse_ok(arg));
    m().cpu.reset(kRamBase);
    m().cpu.s.mtvec = kHandler;
    m().load(kHandler, kSpin);
  }
  void load_words(std::initializer_list<uint32_t> words) {
    std::vector<uint32_t> v(words);
    m().load(kRamBase, v.data(), v.size() * 4);
  }
  // Runs the program until it traps into the spinning handler.
  void run_to_trap() {
    for (int i = 0; i < 100 && m().cpu.s.pc != kHandler; ++i) m().engine.run(m().cpu.s.icount + 1);
    ASSERT_EQ(m().cpu.s.pc, kHandler);
  }
  uint64_t rd(uint16_t num) { return m().cpu.csr_read(num); }
  void wr(uint16_t num, uint64_t v) { m().cpu.csr_write(num, v); }
  bool exists(uint16_t num) {
    try {
      m().cpu.csr_read(num);
      return true;
    } catch (const GuestTrap& t) {
      EXPECT_EQ(static_cast<uint64_t>(t.cause), static_cast<uint64_t>(Cause::kIllegalInsn));
      return false;
    }
  }

  TestMachine& m() { return *machine; }
  std::unique_ptr<TestMachine> machine = std::make_unique<TestMachine>();
};

TEST_F(CpuConfigTest, MisaReflectsTheExtensionsAndIsReadOnly) {
  configure("rv64,c=off,f=off,d=off");
  EXPECT_EQ(rd(csr::kMisa), kMisaValue & ~bit('C') & ~bit('F') & ~bit('D'));
  wr(csr::kMisa, kMisaValue);
  EXPECT_EQ(rd(csr::kMisa), kMisaValue & ~bit('C') & ~bit('F') & ~bit('D'));
}

TEST_F(CpuConfigTest, ACompressedInstructionWithoutCIsIllegal) {
  configure("rv64,c=off");
  m().load(kRamBase, std::vector<uint8_t>{0x05, 0x05, 0x05, 0x05}.data(), 4);  // c.addi a0,1 twice
  run_to_trap();
  EXPECT_EQ(m().cpu.s.mcause, static_cast<uint64_t>(Cause::kIllegalInsn));
  EXPECT_EQ(m().cpu.s.mepc, kRamBase);
  EXPECT_EQ(m().cpu.s.mtval, 0x0505u);
  EXPECT_EQ(m().cpu.s.x[kA0], 0u);
}

TEST_F(CpuConfigTest, MulWithoutMIsIllegalAndWithZmmulIsNot) {
  configure("rv64,m=off");
  load_words({0x02c58533});  // mul a0,a1,a2
  run_to_trap();
  EXPECT_EQ(m().cpu.s.mcause, static_cast<uint64_t>(Cause::kIllegalInsn));
  EXPECT_EQ(m().cpu.s.mtval, 0x02c58533u);

  configure("rv64,m=off,zmmul=on");
  load_words({0x02c58533, 0x02c5c533});  // mul; div
  m().cpu.s.x[kA1] = 6;
  m().cpu.s.x[kA2] = 7;
  run_to_trap();
  EXPECT_EQ(m().cpu.s.x[kA0], 42u);
  EXPECT_EQ(m().cpu.s.mepc, kRamBase + 4) << "div is M's";
}

TEST_F(CpuConfigTest, WithoutCAMisalignedJalrTrapsWithTheTargetAndWritesNothing) {
  configure("rv64,c=off");
  load_words({0x00000297, 0x12300793, 0x002287e7});  // auipc t0,0; li a5,0x123; jalr a5,2(t0)
  run_to_trap();
  EXPECT_EQ(m().cpu.s.mcause, static_cast<uint64_t>(Cause::kInsnMisaligned));
  EXPECT_EQ(m().cpu.s.mepc, kRamBase + 8);
  EXPECT_EQ(m().cpu.s.mtval, kRamBase + 2);
  EXPECT_EQ(m().cpu.s.x[kA5], 0x123u);
  EXPECT_EQ(m().cpu.s.icount, 3u) << "counted, as ecall";
}

TEST_F(CpuConfigTest, WithoutCAMisalignedJalOrTakenBranchTraps) {
  configure("rv64,c=off");
  load_words({0x00001363, 0x00000363});  // bne zero,zero,.+6 (not taken); beq zero,zero,.+6
  run_to_trap();
  EXPECT_EQ(m().cpu.s.mcause, static_cast<uint64_t>(Cause::kInsnMisaligned));
  EXPECT_EQ(m().cpu.s.mepc, kRamBase + 4);
  EXPECT_EQ(m().cpu.s.mtval, kRamBase + 10);

  configure("rv64,c=off");
  load_words({0x0060006f});  // jal zero,.+6
  run_to_trap();
  EXPECT_EQ(m().cpu.s.mcause, static_cast<uint64_t>(Cause::kInsnMisaligned));
  EXPECT_EQ(m().cpu.s.mtval, kRamBase + 6);
}

TEST_F(CpuConfigTest, WithoutCEpcsAreFourByteAligned) {
  configure("rv64,c=off");
  wr(csr::kMepc, 0x80000006);
  EXPECT_EQ(rd(csr::kMepc), 0x80000004u);
  wr(csr::kSepc, 0x80000007);
  EXPECT_EQ(rd(csr::kSepc), 0x80000004u);
  configure("rv64");
  wr(csr::kMepc, 0x80000006);
  EXPECT_EQ(rd(csr::kMepc), 0x80000006u);
}

TEST_F(CpuConfigTest, WithoutFTheFpCsrsAndMstatusFsAreGone) {
  configure("rv64,f=off,d=off");
  wr(csr::kMstatus, rd(csr::kMstatus) | mstatus::kFS);
  EXPECT_EQ(rd(csr::kMstatus) & mstatus::kFS, 0u) << "FS is read-only 0";
  EXPECT_FALSE(m().cpu.fp_enabled());
  EXPECT_FALSE(exists(csr::kFflags));
  EXPECT_FALSE(exists(csr::kFrm));
  EXPECT_FALSE(exists(csr::kFcsr));
  configure("rv64");
  wr(csr::kMstatus, rd(csr::kMstatus) | mstatus::kFS);
  EXPECT_TRUE(exists(csr::kFcsr));
}

TEST_F(CpuConfigTest, WithoutSTheSupervisorCsrsFieldsAndInterruptsAreGone) {
  configure("rv64,s=off");
  for (uint16_t n : {csr::kSstatus, csr::kSie, csr::kStvec, csr::kScounteren, csr::kSenvcfg, csr::kSscratch,
                     csr::kSepc, csr::kScause, csr::kStval, csr::kSip, csr::kSatp, csr::kMedeleg, csr::kMideleg})
    EXPECT_FALSE(exists(n)) << std::hex << n;
  EXPECT_THROW(wr(csr::kSscratch, 1), GuestTrap);
  const uint64_t s_fields = mstatus::kSIE | mstatus::kSPIE | mstatus::kSPP | mstatus::kSUM | mstatus::kMXR |
                            mstatus::kTVM | mstatus::kTSR;
  wr(csr::kMstatus, rd(csr::kMstatus) | s_fields);
  EXPECT_EQ(rd(csr::kMstatus) & s_fields, 0u);
  EXPECT_EQ(rd(csr::kMstatus) & mstatus::kSXL, 0u) << "SXL is read-only 0";
  wr(csr::kMie, irq::kAll);
  EXPECT_EQ(rd(csr::kMie), irq::kAll & ~irq::kSMask);
  m().cpu.set_mip_bit(irq::kSEIP, true);  // a PLIC's S-mode context
  EXPECT_EQ(rd(csr::kMip) & irq::kSEIP, 0u);
  // MPP takes M and U, not S.
  wr(csr::kMstatus, (rd(csr::kMstatus) & ~mstatus::kMPP) | (1ull << mstatus::kMPPShift));
  EXPECT_NE((rd(csr::kMstatus) & mstatus::kMPP) >> mstatus::kMPPShift, 1u);
  wr(csr::kMstatus, rd(csr::kMstatus) & ~mstatus::kMPP);
  EXPECT_EQ(rd(csr::kMstatus) & mstatus::kMPP, 0u);
  EXPECT_TRUE(exists(csr::kMcounteren)) << "U is there";
}

TEST_F(CpuConfigTest, SretAndSfenceVmaWithoutSAreIllegal) {
  configure("rv64,s=off");
  load_words({0x10200073});  // sret
  run_to_trap();
  EXPECT_EQ(m().cpu.s.mcause, static_cast<uint64_t>(Cause::kIllegalInsn));
  configure("rv64,s=off");
  load_words({0x12000073});  // sfence.vma
  run_to_trap();
  EXPECT_EQ(m().cpu.s.mcause, static_cast<uint64_t>(Cause::kIllegalInsn));
}

TEST_F(CpuConfigTest, WithoutUMppIsMachineOnly) {
  configure("rv64,s=off,u=off");
  EXPECT_EQ(rd(csr::kMstatus) & mstatus::kMPP, mstatus::kMPP) << "reset: MPP = M";
  EXPECT_EQ(rd(csr::kMstatus) & (mstatus::kUXL | mstatus::kSXL), 0u);
  wr(csr::kMstatus, rd(csr::kMstatus) & ~mstatus::kMPP);
  EXPECT_EQ(rd(csr::kMstatus) & mstatus::kMPP, mstatus::kMPP) << "U is not a mode here";
  wr(csr::kMstatus, rd(csr::kMstatus) | mstatus::kMPRV | mstatus::kTW);
  EXPECT_EQ(rd(csr::kMstatus) & (mstatus::kMPRV | mstatus::kTW), 0u);
  EXPECT_FALSE(exists(csr::kMcounteren));
  EXPECT_FALSE(exists(csr::kMenvcfg));
  m().cpu.s.mepc = kRamBase + 0x40;
  m().cpu.mret();
  EXPECT_EQ(m().cpu.s.priv, Priv::M);
  EXPECT_EQ(m().cpu.s.mstatus & mstatus::kMPP, mstatus::kMPP) << "mret leaves MPP = M, the least mode";
}

TEST_F(CpuConfigTest, PmpOffRemovesThePmpCsrs) {
  configure("rv64,pmp=off");
  EXPECT_FALSE(exists(csr::kPmpcfg0));
  EXPECT_FALSE(exists(csr::kPmpcfg0 + 2));
  EXPECT_FALSE(exists(csr::kPmpaddr0));
  EXPECT_FALSE(exists(csr::kPmpaddr15));
  EXPECT_THROW(wr(csr::kPmpaddr0, 1), GuestTrap);
  configure("rv64");
  EXPECT_TRUE(exists(csr::kPmpaddr15));
}

TEST_F(CpuConfigTest, MmuOffLeavesSatpBare) {
  configure("rv64,mmu=off");
  wr(csr::kSatp, (satp::kModeSv39 << satp::kModeShift) | 0x1234);
  EXPECT_EQ(rd(csr::kSatp), 0u);
  configure("rv64");
  wr(csr::kSatp, (satp::kModeSv39 << satp::kModeShift) | 0x1234);
  EXPECT_EQ(rd(csr::kSatp), (satp::kModeSv39 << satp::kModeShift) | 0x1234);
}

TEST_F(CpuConfigTest, PrivSpecGatesTheLaterCsrs) {
  configure("rv64,priv_spec=v1.11.0");
  EXPECT_FALSE(exists(csr::kMenvcfg));
  EXPECT_FALSE(exists(csr::kSenvcfg));
  EXPECT_FALSE(exists(csr::kMconfigptr));
  EXPECT_TRUE(exists(csr::kMcountinhibit));
  configure("rv64,priv_spec=v1.10.0");
  EXPECT_FALSE(exists(csr::kMcountinhibit));
  configure("rv64");
  EXPECT_TRUE(exists(csr::kMenvcfg));
  EXPECT_TRUE(exists(csr::kMconfigptr));
}

TEST_F(CpuConfigTest, IdRegistersFollowTheProperties) {
  configure("rv64,mvendorid=0x489,marchid=7,mimpid=9");
  EXPECT_EQ(rd(csr::kMvendorid), 0x489u);
  EXPECT_EQ(rd(csr::kMarchid), 7u);
  EXPECT_EQ(rd(csr::kMimpid), 9u);
}

// ---------------------------------------------------------------- fingerprint

TEST(CpuFingerprint, ReplayWithOtherCpuPropertiesIsRefusedNamingCpu) {
  Options rec, cur;
  cur.cpu = parse_ok("rv64,c=off");
  const std::string recorded = machine_fingerprint(rec);
  EXPECT_NE(recorded.find("\ncpu=rv64\n"), std::string::npos) << recorded;
  try {
    check_machine(recorded, machine_fingerprint(cur));
    ADD_FAILURE() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "replay refused: this machine differs from the recording's: -cpu is rv64,c=off here, rv64 in the "
                 "recording");
  }
  EXPECT_NO_THROW(check_machine(recorded, machine_fingerprint(rec)));
  Options same;
  same.cpu = parse_ok("rv64,h=off,c=on,zbc=on");
  EXPECT_NO_THROW(check_machine(recorded, machine_fingerprint(same))) << "the same hart, spelled otherwise";
}

TEST(CpuFingerprint, RecordingsFromBeforeCpuPropertiesHadTheDefaultHart) {
  Options o;
  std::string legacy = machine_fingerprint(o);
  legacy.erase(legacy.find("cpu=rv64\n"), 9);
  EXPECT_NO_THROW(check_machine(legacy, machine_fingerprint(o)));
  o.cpu = parse_ok("rv64,pmp=off");
  EXPECT_THROW(check_machine(legacy, machine_fingerprint(o)), std::runtime_error);
}

// Recordings made while Sstc was off by default have no cpu-isa line: their
// "cpu=rv64" hart had no Sstc, so a default replay is refused, naming the
// -cpu that replays them; with it, they are accepted.
TEST(CpuFingerprint, RecordingsFromBeforeSstcNeedSstcOff) {
  Options with_sstc, without;
  without.cpu = parse_ok("rv64,sstc=off");
  std::string old = machine_fingerprint(with_sstc);
  const size_t isa = old.find("cpu-isa=");
  ASSERT_NE(isa, std::string::npos) << old;
  old.erase(isa, old.find('\n', isa) + 1 - isa);
  EXPECT_NE(machine_fingerprint(with_sstc).find("\ncpu-isa=rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc\n"),
            std::string::npos);
  try {
    check_machine(old, machine_fingerprint(with_sstc));
    ADD_FAILURE() << "an old recording replayed on a hart with Sstc";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "replay refused: this machine differs from the recording's: -cpu is rv64 here, rv64,sstc=off in the "
                 "recording");
  }
  EXPECT_NO_THROW(check_machine(old, machine_fingerprint(without)));
  // Its other properties are kept: an old "rv64,c=off" needs "rv64,c=off,sstc=off".
  Options old_c;
  old_c.cpu = parse_ok("rv64,c=off,sstc=off");
  std::string old2 = machine_fingerprint(old_c);
  old2.erase(old2.find("cpu-isa="), old2.find('\n', old2.find("cpu-isa=")) + 1 - old2.find("cpu-isa="));
  old2.replace(old2.find("cpu=rv64,c=off,sstc=off"), 23, "cpu=rv64,c=off");
  EXPECT_NO_THROW(check_machine(old2, machine_fingerprint(old_c)));
  // A new recording without Sstc is not taken for an old one.
  EXPECT_THROW(check_machine(machine_fingerprint(without), machine_fingerprint(with_sstc)), std::runtime_error);
}

}  // namespace
}  // namespace rwd::riscv
