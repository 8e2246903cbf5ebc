#!/usr/bin/env node
// Dumps what the iced-x86 oracle decodes (DecoderOptions.None), one compact line per instruction,
// for the decoder's oracle tests (IcedOracleTest, DecoderFuzzTest, IcedOracle32Test) and scripts/spec-diff.
//
//   node iced-dump.js [--bits 16|32|64] elf   TEXT.bin VADDR_HEX [OUT]   decode a raw .text sequentially
//   node iced-dump.js [--bits 16|32|64] batch [IN|-] [OUT]               one hex byte string per input line
//
// --bits: the decoding mode (iced's bitness), 64 when absent.
//
// OUT (default: stdout) receives one line per instruction / input line, tab-separated:
//
//   OFF LEN STATUS MNEMONIC DECO CPUID OP... TEXT FLOW RF_R RF_W RF_U RF_C RF_S
//
//   OFF       hex byte offset in the .text (elf) or input line number from 0 (batch)
//   LEN       length in bytes (for an invalid instruction: what iced consumed)
//   STATUS    V (valid), I (invalid instruction) or E (input ended: iced's NoMoreBytes)
//   MNEMONIC  iced Mnemonic enum name ("INVALID" when not valid)
//   DECO      EVEX/VEX decorations, comma-separated or "-": kN (opmask), z, bcst, rc=RN|RD|RU|RZ, sae
//   CPUID     iced CpuidFeature names, comma-separated
//   OP        one field per operand:
//               R:REG                          register
//               M:SEG:BASE:INDEX:SCALE:DISP:BITS memory (names "-" when absent; DISP hex u64, for
//                                              RIP-relative the absolute target; BITS: memory size,
//                                              element size when broadcast, 0 when unknown)
//               I:HEX:BITS                     immediate, as iced extends it to BITS (hex u64)
//               B:HEX                          near branch target
//               I:OFF:16|32 I:SEL:16           a far direct pointer (CALL/JMP ptr16:16/32, iced's
//                                              FarBranch16/32): two immediate fields, offset then
//                                              selector, as jvmx's decoder gives the operand
//               SS:SEG:BITS / SD:BITS          string source seg:[rSI] / destination es:[rDI]
//               O:KIND                         anything else (iced OpKind name)
//   TEXT      iced's Intel-syntax text, prefixed with "#" (the first field after CPUID that starts
//             with "#": operand fields never do)
//   FLOW      iced FlowControl name (Next, UnconditionalBranch, IndirectBranch, ConditionalBranch,
//             Return, Call, IndirectCall, Interrupt, XbeginXabortXend, Exception); "-" when not valid
//   RF_R      RFLAGS read       (iced Instruction.rflagsRead)
//   RF_W      RFLAGS written    (iced rflagsWritten: written with a value that depends on the
//             operation; not the undefined / cleared / set ones. = our Instruction.flagsModified())
//   RF_U      RFLAGS undefined  (iced rflagsUndefined)
//   RF_C      RFLAGS cleared    (iced rflagsCleared)
//   RF_S      RFLAGS set        (iced rflagsSet)
//             (iced's rflagsModified = RF_W|RF_U|RF_C|RF_S = our Instruction.flagsWritten())
//             Each RF_ field: the spec's flag letters (FORMAT.md) in this order, "-" when none:
//               iced RflagsBits  OF SF ZF AF PF CF DF IF AC
//               letter           O  S  Z  A  P  C  D  I  X
//               RFLAGS bit       11 7  6  4  2  0  10 9  18
//             iced's UIF and x87 C0..C3 bits are not RFLAGS bits and are left out; iced has no bit
//             for TF, NT, RF, VM, VIF, VIP, ID, so those never appear.
//             Shifts and rotates by an imm8 (ROL ROR RCL RCR SHL SAL SHR SAR C0/C1, SHLD/SHRD 0F A4/AC):
//             iced answers for the actual count (masked count 0: nothing; 1: OF written, not
//             undefined), while a spec form stands for every count. For these the RF_ fields are
//             iced's answer for the same instruction with imm8 = 2, the general case (what iced
//             also answers for the CL forms).
//             XOR and SUB with the same register twice (the zeroing idiom, result 0): iced answers
//             for the idiom (ZF PF set, SF ... cleared); the RF_ fields are iced's answer for the
//             same instruction with a different second register, the form's general case.
//
// Batch input lines: hex digits with any separators; blank lines and lines starting with '#' give
// an output line with STATUS "I" and LEN 0 so that line numbers stay aligned.
'use strict';
const fs = require('fs');
const path = require('path');

function findIced() {
  const candidates = [];
  if (process.env.JVMX_ROOT) candidates.push(path.join(process.env.JVMX_ROOT, 'tools', 'oracle', 'node_modules', 'iced-x86'));
  candidates.push(path.join(__dirname, '..', '..', '..', '..', 'tools', 'oracle', 'node_modules', 'iced-x86'));
  for (const c of candidates) if (fs.existsSync(path.join(c, 'package.json'))) return require(c);
  process.stderr.write('iced-dump: iced-x86 is not installed under tools/oracle: run scripts/oracles.sh\n');
  process.exit(3);
}

const ice = findIced();
const { Decoder, DecoderOptions, DecoderError, Formatter, FormatterSyntax, Mnemonic, OpKind, Register,
        MemorySize, MemorySizeExt, CpuidFeature, RoundingControl, Instruction, Code, FlowControl, RflagsBits } = ice;

const fmt = new Formatter(FormatterSyntax.Intel);
const REG = [];
function reg(r) { return r === Register.None ? '-' : (REG[r] || (REG[r] = Register[r])); }
const MNEM = [];
function mnem(m) { return MNEM[m] || (MNEM[m] = Mnemonic[m]); }
const MSIZE = new Map();
function msizeBits(ms) {
  let b = MSIZE.get(ms);
  if (b === undefined) {
    b = (MemorySizeExt.isBroadcast(ms) ? MemorySizeExt.elementSize(ms) : MemorySizeExt.size(ms)) * 8;
    MSIZE.set(ms, b);
  }
  return b;
}
const IMM_BITS = {
  [OpKind.Immediate8]: 8, [OpKind.Immediate8_2nd]: 8, [OpKind.Immediate16]: 16, [OpKind.Immediate32]: 32,
  [OpKind.Immediate64]: 64, [OpKind.Immediate8to16]: 16, [OpKind.Immediate8to32]: 32, [OpKind.Immediate8to64]: 64,
  [OpKind.Immediate32to64]: 64,
};
const MASK64 = (1n << 64n) - 1n;
function hex64(v) { return (BigInt(v) & MASK64).toString(16); }
const RC = { [RoundingControl.RoundToNearest]: 'RN', [RoundingControl.RoundDown]: 'RD',
             [RoundingControl.RoundUp]: 'RU', [RoundingControl.RoundTowardZero]: 'RZ' };

/** One output line for the instruction {@code i} (decoded at offset {@code off}). */
function line(off, i, err) {
  const len = i.length;
  if (i.isInvalid || err !== DecoderError.None) {
    const st = err === DecoderError.NoMoreBytes ? 'E' : 'I';
    return `${off}\t${len}\t${st}\tINVALID\t-\t-\t#(bad)${NO_FLAGS}`;
  }
  const deco = [];
  if (i.hasOpMask) deco.push('k' + (i.opMask - Register.K0));
  if (i.zeroingMasking) deco.push('z');
  if (i.isBroadcast) deco.push('bcst');
  const rc = i.roundingControl;
  if (rc !== RoundingControl.None) deco.push('rc=' + RC[rc]);
  else if (i.suppressAllExceptions) deco.push('sae');
  const cpu = Array.from(i.cpuidFeatures(), c => CpuidFeature[c]).join(',') || '-';
  let s = `${off}\t${len}\tV\t${mnem(i.mnemonic)}\t${deco.length ? deco.join(',') : '-'}\t${cpu}`;
  const n = i.opCount;
  for (let k = 0; k < n; k++) {
    const kind = i.opKind(k);
    switch (kind) {
      case OpKind.Register: s += '\tR:' + reg(i.opRegister(k)); break;
      case OpKind.Memory: {
        const disp = i.isIpRelMemoryOperand ? i.ipRelMemoryAddress : i.memoryDisplacementU64;
        s += `\tM:${reg(i.memorySegment)}:${reg(i.memoryBase)}:${reg(i.memoryIndex)}:${i.memoryIndexScale}:${hex64(disp)}:${msizeBits(i.memorySize)}`;
        break;
      }
      case OpKind.NearBranch16: case OpKind.NearBranch32: case OpKind.NearBranch64:
        s += '\tB:' + hex64(i.nearBranchTarget); break;
      case OpKind.FarBranch16: case OpKind.FarBranch32: {
        const far32 = kind === OpKind.FarBranch32;
        s += `\tI:${hex64(far32 ? i.farBranch32 : i.farBranch16)}:${far32 ? 32 : 16}\tI:${hex64(i.farBranchSelector)}:16`;
        break;
      }
      case OpKind.MemorySegSI: case OpKind.MemorySegESI: case OpKind.MemorySegRSI:
        s += `\tSS:${reg(i.memorySegment)}:${msizeBits(i.memorySize)}`; break;
      case OpKind.MemoryESDI: case OpKind.MemoryESEDI: case OpKind.MemoryESRDI:
        s += `\tSD:${msizeBits(i.memorySize)}`; break;
      case OpKind.MemorySegDI: case OpKind.MemorySegEDI: case OpKind.MemorySegRDI: {
        // MASKMOVQ/MASKMOVDQU's implicit seg:[rDI]: an ordinary memory operand with base rDI
        const base = kind === OpKind.MemorySegRDI ? 'RDI' : kind === OpKind.MemorySegEDI ? 'EDI' : 'DI';
        s += `\tM:${reg(i.memorySegment)}:${base}:-:1:0:${msizeBits(i.memorySize)}`;
        break;
      }
      default: {
        const bits = IMM_BITS[kind];
        if (bits !== undefined) s += `\tI:${hex64(i.immediate(k))}:${bits}`;
        else s += '\tO:' + OpKind[kind];
      }
    }
  }
  return s + '\t#' + fmt.format(i) + flowAndFlags(i);
}

// iced RflagsBits → the spec's flag letters (letter table in the header)
const FLAG_LETTERS = [[RflagsBits.OF, 'O'], [RflagsBits.SF, 'S'], [RflagsBits.ZF, 'Z'], [RflagsBits.AF, 'A'],
                      [RflagsBits.PF, 'P'], [RflagsBits.CF, 'C'], [RflagsBits.DF, 'D'], [RflagsBits.IF, 'I'],
                      [RflagsBits.AC, 'X']];
function flagLetters(bits) {
  let s = '';
  for (const [b, c] of FLAG_LETTERS) if (bits & b) s += c;
  return s || '-';
}
const NO_FLAGS = '\t-\t-\t-\t-\t-\t-';
const SHIFT_IMM8 = /^(Rol|Ror|Rcl|Rcr|Shl|Sal|Shr|Sar|Shld|Shrd)_.*_imm8$/;
const ZERO_IDIOM = /^(Xor|Sub)_(rm|r)(8|16|32|64)_(rm|r)(8|16|32|64)$/;
// another register of the same size: AL..R15L, AX..R15W, EAX..R15D, RAX..R15 each start at an odd
// enum value and have an even count, so pairing (r-1)^1 stays inside the size class
function otherRegister(r) { return ((r - 1) ^ 1) + 1; }
const CODE = [];
function codeName(c) { return CODE[c] || (CODE[c] = Code[c]); }

/** The FLOW and RF_ fields (tab-prefixed) of a valid instruction. */
function flowAndFlags(i) {
  let f = i;
  const code = codeName(i.code);
  if (SHIFT_IMM8.test(code)) { f = i.clone(); f.immediate8 = 2; }
  else if (ZERO_IDIOM.test(code) && i.op0Kind === OpKind.Register && i.op1Kind === OpKind.Register
           && i.op0Register === i.op1Register) {
    f = i.clone(); f.op1Register = otherRegister(i.op1Register);
  }
  const s = `\t${FlowControl[i.flowControl]}\t${flagLetters(f.rflagsRead)}\t${flagLetters(f.rflagsWritten)}`
      + `\t${flagLetters(f.rflagsUndefined)}\t${flagLetters(f.rflagsCleared)}\t${flagLetters(f.rflagsSet)}`;
  if (f !== i) f.free();
  return s;
}

function writeAll(out, lines) {
  const text = lines.join('\n') + (lines.length ? '\n' : '');
  if (out && out !== '-') fs.writeFileSync(out, text);
  else process.stdout.write(text);
}

function elfMode(file, vaddrHex, out) {
  const data = fs.readFileSync(file);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  const base = BigInt('0x' + vaddrHex.replace(/^0x/i, ''));
  const d = new Decoder(BITS, bytes, DecoderOptions.None);
  d.ip = base;
  const i = new Instruction();
  const lines = [];
  while (d.canDecode) {
    const off = d.position;
    d.decodeOut(i);
    lines.push(line(off.toString(16), i, d.lastError));
    if (d.position <= off) d.position = off + 1; // never loop forever
  }
  i.free(); d.free();
  writeAll(out, lines);
}

function batchMode(input, out) {
  const text = fs.readFileSync(input && input !== '-' ? input : 0, 'latin1');
  const rows = text.split('\n');
  if (rows.length && rows[rows.length - 1] === '') rows.pop();
  const i = new Instruction();
  const lines = [];
  for (let n = 0; n < rows.length; n++) {
    const row = rows[n].trim();
    const hex = row.startsWith('#') ? '' : row.replace(/[^0-9a-fA-F]/g, '');
    if (hex.length < 2) { lines.push(`${n}\t0\tI\tINVALID\t-\t-\t#(empty)${NO_FLAGS}`); continue; }
    const bytes = new Uint8Array(hex.length >> 1);
    for (let k = 0; k < bytes.length; k++) bytes[k] = parseInt(hex.substr(2 * k, 2), 16);
    const d = new Decoder(BITS, bytes, DecoderOptions.None);
    d.ip = 0x1000n;
    d.decodeOut(i);
    lines.push(line(n, i, d.lastError));
    d.free();
  }
  i.free();
  writeAll(out, lines);
}

let argv = process.argv.slice(2);
let BITS = 64;
if (argv[0] === '--bits') {
  BITS = parseInt(argv[1], 10);
  if (BITS !== 16 && BITS !== 32 && BITS !== 64) { process.stderr.write('iced-dump: --bits must be 16, 32 or 64\n'); process.exit(2); }
  argv = argv.slice(2);
}
const [mode, ...args] = argv;
if (mode === 'elf' && args.length >= 2) elfMode(args[0], args[1], args[2]);
else if (mode === 'batch') batchMode(args[0], args[1]);
else {
  process.stderr.write('usage: iced-dump.js [--bits 16|32|64] elf TEXT.bin VADDR_HEX [OUT] | batch [IN|-] [OUT]\n');
  process.exit(2);
}
