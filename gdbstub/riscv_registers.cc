#include "gdbstub/riscv_registers.h"

#include <cstdio>

namespace rwd::gdb {

namespace {

// ABI names, as gdb's riscv features spell them.
const char* const kGprNames[32] = {"zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "fp", "s1", "a0",
                                   "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
                                   "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
const char* const kFprNames[32] = {"ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",
                                   "fs0", "fs1", "fa0",  "fa1",  "fa2", "fa3", "fa4",  "fa5",
                                   "fa6", "fa7", "fs2",  "fs3",  "fs4", "fs5", "fs6",  "fs7",
                                   "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};

struct NamedCsr {
  uint16_t num;
  const char* name;
};
const NamedCsr kCsrs[] = {
    {0x001, "fflags"},   {0x002, "frm"},         {0x003, "fcsr"},      {0x100, "sstatus"},  {0x104, "sie"},
    {0x105, "stvec"},    {0x106, "scounteren"},  {0x10a, "senvcfg"},   {0x140, "sscratch"}, {0x141, "sepc"},
    {0x142, "scause"},   {0x143, "stval"},       {0x144, "sip"},       {0x14d, "stimecmp"}, {0x180, "satp"},
    {0x300, "mstatus"},  {0x301, "misa"},        {0x302, "medeleg"},   {0x303, "mideleg"},  {0x304, "mie"},
    {0x305, "mtvec"},    {0x306, "mcounteren"},  {0x30a, "menvcfg"},   {0x320, "mcountinhibit"},
    {0x340, "mscratch"}, {0x341, "mepc"},        {0x342, "mcause"},    {0x343, "mtval"},    {0x344, "mip"},
    {0x3a0, "pmpcfg0"},  {0x3a2, "pmpcfg2"},     {0x7a0, "tselect"},   {0x7a1, "tdata1"},   {0x7a2, "tdata2"},
    {0x7a3, "tdata3"},   {0x7a4, "tinfo"},     {0xb00, "mcycle"},    {0xb02, "minstret"}, {0xc00, "cycle"},
    {0xc01, "time"},     {0xc02, "instret"},     {0xf11, "mvendorid"}, {0xf12, "marchid"},  {0xf13, "mimpid"},
    {0xf14, "mhartid"},  {0xf15, "mconfigptr"},
};

bool is_fp_csr(uint16_t n) { return n >= 1 && n <= 3; }

void reg_line(std::string& out, const RegDesc& r, const char* type, unsigned bits, const char* group = nullptr) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  <reg name=\"%s\" bitsize=\"%u\" regnum=\"%u\" type=\"%s\"%s%s%s/>\n",
                r.name.c_str(), bits, r.regno, type, group ? " group=\"" : "", group ? group : "", group ? "\"" : "");
  out += buf;
}

}  // namespace

std::vector<RegDesc> riscv_registers(const std::function<bool(uint16_t)>& csr_exists) {
  std::vector<RegDesc> regs;
  for (unsigned i = 0; i < 32; ++i) regs.push_back({i, kGprNames[i], RegDesc::Kind::kGpr, i});
  regs.push_back({kPcRegno, "pc", RegDesc::Kind::kPc, 0});
  for (unsigned i = 0; i < 32; ++i) regs.push_back({kFirstFprRegno + i, kFprNames[i], RegDesc::Kind::kFpr, i});
  std::vector<NamedCsr> csrs(std::begin(kCsrs), std::end(kCsrs));
  for (unsigned i = 0; i < 16; ++i) {
    static char names[16][12];
    std::snprintf(names[i], sizeof names[i], "pmpaddr%u", i);
    csrs.push_back({static_cast<uint16_t>(0x3b0 + i), names[i]});
  }
  for (const NamedCsr& c : csrs)
    if (csr_exists(c.num)) regs.push_back({kFirstCsrRegno + c.num, c.name, RegDesc::Kind::kCsr, c.num});
  regs.push_back({kPrivRegno, "priv", RegDesc::Kind::kPriv, 0});
  return regs;
}

std::string target_xml(const std::vector<RegDesc>& regs) {
  std::string out =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
      "<architecture>riscv:rv64</architecture>\n<feature name=\"org.gnu.gdb.riscv.cpu\">\n";
  for (const RegDesc& r : regs) {
    if (r.kind == RegDesc::Kind::kGpr) {
      const char* type = r.index == 1 ? "code_ptr" : (r.index >= 2 && r.index <= 4) || r.index == 8 ? "data_ptr" : "int";
      reg_line(out, r, type, 64);
    } else if (r.kind == RegDesc::Kind::kPc) {
      reg_line(out, r, "code_ptr", 64);
    }
  }
  out += "</feature>\n<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
         "  <union id=\"riscv_double\">\n    <field name=\"float\" type=\"ieee_single\"/>\n"
         "    <field name=\"double\" type=\"ieee_double\"/>\n  </union>\n";
  for (const RegDesc& r : regs) {
    if (r.kind == RegDesc::Kind::kFpr) reg_line(out, r, "riscv_double", 64);
    if (r.kind == RegDesc::Kind::kCsr && is_fp_csr(static_cast<uint16_t>(r.index))) reg_line(out, r, "int", 32);
  }
  out += "</feature>\n<feature name=\"org.gnu.gdb.riscv.csr\">\n";
  for (const RegDesc& r : regs)
    if (r.kind == RegDesc::Kind::kCsr && !is_fp_csr(static_cast<uint16_t>(r.index))) reg_line(out, r, "int", 64, "csr");
  out += "</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n";
  for (const RegDesc& r : regs)
    if (r.kind == RegDesc::Kind::kPriv) reg_line(out, r, "int", 64);
  out += "</feature>\n</target>\n";
  return out;
}

}  // namespace rwd::gdb
