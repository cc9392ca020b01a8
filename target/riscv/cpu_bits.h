// Architectural constants of RV64 privileged and unprivileged specs: CSR numbers,
// status/interrupt bit positions and exception causes. Numbers only, no behaviour.
#pragma once
#include <cstdint>

namespace rwd::riscv {

enum class Priv : uint8_t { U = 0, S = 1, M = 3 };

namespace csr {
inline constexpr uint16_t kFflags = 0x001, kFrm = 0x002, kFcsr = 0x003;
inline constexpr uint16_t kCycle = 0xc00, kTime = 0xc01, kInstret = 0xc02;
inline constexpr uint16_t kHpmCounter3 = 0xc03, kHpmCounter31 = 0xc1f;
inline constexpr uint16_t kSstatus = 0x100, kSie = 0x104, kStvec = 0x105, kScounteren = 0x106;
inline constexpr uint16_t kSenvcfg = 0x10a;
inline constexpr uint16_t kSscratch = 0x140, kSepc = 0x141, kScause = 0x142, kStval = 0x143, kSip = 0x144;
inline constexpr uint16_t kSatp = 0x180;
inline constexpr uint16_t kStimecmp = 0x14d;  // Sstc
inline constexpr uint16_t kMvendorid = 0xf11, kMarchid = 0xf12, kMimpid = 0xf13, kMhartid = 0xf14;
inline constexpr uint16_t kMconfigptr = 0xf15;
inline constexpr uint16_t kMstatus = 0x300, kMisa = 0x301, kMedeleg = 0x302, kMideleg = 0x303;
inline constexpr uint16_t kMie = 0x304, kMtvec = 0x305, kMcounteren = 0x306, kMenvcfg = 0x30a;
inline constexpr uint16_t kMcountinhibit = 0x320, kMhpmevent3 = 0x323, kMhpmevent31 = 0x33f;
inline constexpr uint16_t kMscratch = 0x340, kMepc = 0x341, kMcause = 0x342, kMtval = 0x343, kMip = 0x344;
// QEMU 7.2's virt hart has 16 PMP entries: pmpcfg0/2 and pmpaddr0..15.
inline constexpr uint16_t kPmpcfg0 = 0x3a0, kPmpcfg3 = 0x3a3, kPmpaddr0 = 0x3b0, kPmpaddr15 = 0x3bf;
inline constexpr uint16_t kMcycle = 0xb00, kMinstret = 0xb02;
inline constexpr uint16_t kMhpmcounter3 = 0xb03, kMhpmcounter31 = 0xb1f;
}  // namespace csr

namespace mstatus {
inline constexpr uint64_t kSIE = 1ull << 1, kMIE = 1ull << 3, kSPIE = 1ull << 5, kUBE = 1ull << 6;
inline constexpr uint64_t kMPIE = 1ull << 7, kSPP = 1ull << 8;
inline constexpr int kMPPShift = 11;
inline constexpr uint64_t kMPP = 3ull << kMPPShift;
inline constexpr int kFSShift = 13;
inline constexpr uint64_t kFS = 3ull << kFSShift, kXS = 3ull << 15;
inline constexpr uint64_t kMPRV = 1ull << 17, kSUM = 1ull << 18, kMXR = 1ull << 19;
inline constexpr uint64_t kTVM = 1ull << 20, kTW = 1ull << 21, kTSR = 1ull << 22;
inline constexpr uint64_t kUXL = 3ull << 32, kSXL = 3ull << 34;
inline constexpr uint64_t kSD = 1ull << 63;
inline constexpr uint64_t kFSDirty = 3ull << kFSShift;
// Bits of mstatus visible through sstatus.
inline constexpr uint64_t kSstatusMask =
    kSIE | kSPIE | kUBE | kSPP | kFS | kXS | kSUM | kMXR | kUXL | kSD;
}  // namespace mstatus

// menvcfg fields. QEMU 7.2's rv64 keeps all of these when written (the
// cache-block and PBMT fields without implementing those extensions).
namespace menvcfg {
inline constexpr uint64_t kFIOM = 1, kCBIE = 3ull << 4, kCBCFE = 1ull << 6, kCBZE = 1ull << 7;
inline constexpr uint64_t kPBMTE = 1ull << 62, kSTCE = 1ull << 63;
}  // namespace menvcfg

// Counter-enable bits (mcounteren, scounteren).
namespace counteren {
inline constexpr uint64_t kTM = 1ull << 1;
}  // namespace counteren

// Interrupt numbers (bit positions in mip/mie) and their masks.
namespace irq {
inline constexpr int kSSI = 1, kMSI = 3, kSTI = 5, kMTI = 7, kSEI = 9, kMEI = 11;
inline constexpr uint64_t kSSIP = 1ull << kSSI, kMSIP = 1ull << kMSI, kSTIP = 1ull << kSTI;
inline constexpr uint64_t kMTIP = 1ull << kMTI, kSEIP = 1ull << kSEI, kMEIP = 1ull << kMEI;
inline constexpr uint64_t kSMask = kSSIP | kSTIP | kSEIP;
inline constexpr uint64_t kAll = kSMask | kMSIP | kMTIP | kMEIP;
}  // namespace irq

enum class Cause : uint64_t {
  kInsnMisaligned = 0,
  kInsnAccessFault = 1,
  kIllegalInsn = 2,
  kBreakpoint = 3,
  kLoadMisaligned = 4,
  kLoadAccessFault = 5,
  kStoreMisaligned = 6,
  kStoreAccessFault = 7,
  kEcallU = 8,
  kEcallS = 9,
  kEcallM = 11,
  kInsnPageFault = 12,
  kLoadPageFault = 13,
  kStorePageFault = 15,
};

inline constexpr uint64_t kInterruptFlag = 1ull << 63;

// satp (RV64)
namespace satp {
inline constexpr uint64_t kModeBare = 0, kModeSv39 = 8, kModeSv48 = 9, kModeSv57 = 10;
// Page-table levels of a translated mode: 3, 4 or 5.
inline constexpr int levels(uint64_t mode) { return mode == kModeSv57 ? 5 : mode == kModeSv48 ? 4 : 3; }
inline constexpr int kModeShift = 60;
inline constexpr uint64_t kPpnMask = (1ull << 44) - 1;
}  // namespace satp

// Page-table entry bits.
namespace pte {
inline constexpr uint64_t kV = 1, kR = 2, kW = 4, kX = 8, kU = 16, kG = 32, kA = 64, kD = 128;
inline constexpr uint64_t kReservedHigh = 0xffc0000000000000ull;  // N, PBMT, reserved: must be 0
}  // namespace pte

}  // namespace rwd::riscv
