package org.jvmx.decoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The iced-x86 oracle, shared by {@link IcedOracleTest}, {@link DecoderFuzzTest} and {@link SpecDiff}:
 * runs {@code decoder/src/test/oracle/iced-dump.js} (one node process per run), parses its lines,
 * compares one of our {@link Instruction}s with one iced line, and groups mismatches into a report.
 *
 * <p>No JUnit here ({@code scripts/spec-diff} compiles this class without it): problems with the
 * environment are thrown as {@link AssertionError}s with a one-line message.
 *
 * <h2>Normalisation (the only liberties taken with iced's answers)</h2>
 * Mnemonics are compared case-insensitively after {@link #MNEMONIC_ALIASES}; registers after
 * {@link #registerName}. Every entry is explained where it is defined. Fields that are not
 * comparable are skipped, and only these: the SIB scale when there is no index register (it
 * addresses nothing), and an invalid instruction's length. One operand is dropped: the implicit
 * XMM0 that Intel's pages and objdump print as the third operand of legacy BLENDVPS, BLENDVPD,
 * PBLENDVB and SHA256RNDS2, and that iced leaves out.
 *
 * <p>16/32-bit code (iced-dump.js {@code --bits}): displacements are compared modulo the address size
 * (16 bits too); iced's far pointer operand (FarBranch16/32 of CALL/JMP ptr16:16/32) is written by
 * iced-dump.js as our two immediates, offset then selector; branch targets are compared modulo the
 * operand size (iced leaves XBEGIN's rel16 target in 16-bit code unmasked, the SDM masks it).
 *
 * <p>RFLAGS and control flow: only the flags iced can express are compared ({@link #ICED_FLAGS}:
 * OF SF ZF AF PF CF DF IF AC); iced's "written" is our "modified" ({@link #ourFlags}); iced's
 * FlowControl is mapped by {@link #FLOW} and {@link #SYSTEM_FLOW}. For shifts and rotates by an
 * imm8, and XOR/SUB of a register with itself, iced-dump.js reports iced's flags for the form's
 * general case (see its header). SDM-vs-iced exceptions: {@link #SDM_EXCEPTIONS}.
 */
final class IcedOracle {
    private IcedOracle() { }

    static final String RUN_ORACLES = "run scripts/oracles.sh";

    /**
     * iced mnemonic (lower case) → our spec mnemonic (lower case), for names that differ only by
     * spelling, never by meaning. (Empty so far: the spec follows iced's spelling, e.g. RESERVEDNOP
     * for the hint-NOP space 0F 18..1F and WAIT for 9B.)
     */
    static final Map<String, String> MNEMONIC_ALIASES = Map.of();

    /**
     * iced register name → ours. Only the byte registers of r8..r15 differ: iced spells them
     * R8L..R15L (AMD's name), Intel and our {@link Register} R8B..R15B.
     */
    static String registerName(String iced) {
        if (iced.length() >= 3 && iced.charAt(0) == 'R' && iced.endsWith("L") && Character.isDigit(iced.charAt(1))) {
            return iced.substring(0, iced.length() - 1) + "B";
        }
        return iced;
    }

    /** Mnemonic as compared: lower case, after {@link #MNEMONIC_ALIASES}. */
    static String normIcedMnemonic(String iced) {
        String m = iced.toLowerCase(Locale.ROOT);
        return MNEMONIC_ALIASES.getOrDefault(m, m);
    }

    // ---------------------------------------------------------------- locating things

    /** The repository root: system property {@code jvmx.root} (set by the root pom's surefire config). */
    static Path root() {
        String p = System.getProperty("jvmx.root");
        if (p != null && !p.isBlank() && !p.contains("${")) return Path.of(p).toAbsolutePath().normalize();
        // outside Maven (an IDE): walk up from the working directory to the root pom
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("decoder/src/main/spec")) && Files.exists(d.resolve("pom.xml"))) return d;
        }
        throw new AssertionError("system property jvmx.root is not set (run through Maven, or pass -Djvmx.root=REPO)");
    }

    /** Fails with a one-line message unless the iced oracle (and node) can be used. */
    static void requireOracle(Path root) {
        if (!Files.exists(root.resolve("tools/oracle/node_modules/iced-x86/package.json"))) {
            throw new AssertionError("iced-x86 oracle missing from tools/oracle: " + RUN_ORACLES);
        }
        requireCommand("node");
    }

    /** Fails with a one-line message unless {@code cmd} runs. */
    static void requireCommand(String cmd) {
        try {
            Process p = new ProcessBuilder(cmd, "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() == 0) return;
        } catch (IOException e) {
            // fall through
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError(cmd + " is not installed: " + RUN_ORACLES);
    }

    static Path dumpScript(Path root) {
        return root.resolve("decoder/src/test/oracle/iced-dump.js");
    }

    /** Runs a command, failing with its output when it does not exit with 0. Returns stdout. */
    static String run(Path dir, List<String> cmd) {
        try {
            Path err = Files.createTempFile("jvmx-oracle", ".err");
            try {
                Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                        .redirectError(err.toFile()).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(30, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out: " + String.join(" ", cmd));
                }
                if (p.exitValue() != 0) {
                    String e = Files.readString(err).strip();
                    throw new AssertionError(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
                            + (e.length() > 2000 ? e.substring(0, 2000) + "..." : e));
                }
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** iced-dump.js elf: one row per instruction of the raw .text {@code text} loaded at {@code vaddr}. */
    static List<Row> dumpElf(Path root, Path text, long vaddr, Path out) {
        return dumpElf(root, 64, text, vaddr, out);
    }

    /** iced-dump.js elf in a decoding mode (bitness 16, 32 or 64). */
    static List<Row> dumpElf(Path root, int bits, Path text, long vaddr, Path out) {
        run(root, List.of("node", dumpScript(root).toString(), "--bits", Integer.toString(bits), "elf", text.toString(),
                Long.toHexString(vaddr), out.toString()));
        return readRows(out);
    }

    /** iced-dump.js batch: one row per line of {@code hexLines} (ip 0x1000). */
    static List<Row> dumpBatch(Path root, Path hexLines, Path out) {
        return dumpBatch(root, 64, hexLines, out);
    }

    /** iced-dump.js batch in a decoding mode (bitness 16, 32 or 64). */
    static List<Row> dumpBatch(Path root, int bits, Path hexLines, Path out) {
        run(root, List.of("node", dumpScript(root).toString(), "--bits", Integer.toString(bits), "batch", hexLines.toString(),
                out.toString()));
        return readRows(out);
    }

    static List<Row> readRows(Path out) {
        try {
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            List<Row> rows = new ArrayList<>(lines.size());
            for (String l : lines) rows.add(Row.parse(l));
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- iced's answer

    /**
     * One line of iced-dump.js. {@code ops} are the operand fields (see the script's header);
     * {@code flow} is iced's FlowControl name ("-" when not valid), {@code rflags} the RFLAGS masks
     * read / written / undefined / cleared / set (RFLAGS bit positions, {@link #RF_R}..{@link #RF_S}).
     */
    record Row(long off, int len, char status, String mnemonic, String deco, String cpuid, String[] ops, String text,
               String flow, int[] rflags) {
        boolean valid() {
            return status == 'V';
        }

        static Row parse(String line) {
            String[] f = line.split("\t", -1);
            int textAt = 6;
            while (textAt < f.length - 1 && !f[textAt].startsWith("#")) textAt++;
            String[] ops = new String[textAt - 6];
            System.arraycopy(f, 6, ops, 0, ops.length);
            String text = f[textAt].startsWith("#") ? f[textAt].substring(1) : f[textAt];
            if (f.length != textAt + 7) throw new AssertionError("iced-dump.js line without FLOW and RF_ fields: " + line);
            int[] rflags = new int[5];
            for (int k = 0; k < 5; k++) rflags[k] = flagBits(f[textAt + 2 + k]);
            return new Row(Long.parseLong(f[0], 16), Integer.parseInt(f[1]), f[2].charAt(0), f[3], f[4], f[5], ops, text,
                    f[textAt + 1], rflags);
        }

        /** Whether iced attributes the instruction to one of these CPUID features. */
        boolean hasCpuid(String name) {
            for (String c : cpuid.split(",")) if (c.equals(name)) return true;
            return false;
        }
    }

    // ---------------------------------------------------------------- RFLAGS and control flow

    /** Indexes into {@link Row#rflags()}: read, written (= our modified), undefined, cleared, set. */
    static final int RF_R = 0, RF_W = 1, RF_U = 2, RF_C = 3, RF_S = 4;
    private static final String[] RF_NAMES = {"r", "w", "u", "c", "s"};

    /**
     * The spec's flag letters (FORMAT.md) and their RFLAGS bit positions, as iced-dump.js writes
     * iced's RflagsBits: OF SF ZF AF PF CF DF IF AC → O S Z A P C D I X → bits 11 7 6 4 2 0 10 9 18.
     * iced has no bit for TF, NT, RF, VM, VIF, VIP, ID (letters T N R V F G J), so only
     * {@link #ICED_FLAGS} are compared; its UIF and x87 C0..C3 bits are not RFLAGS and are dropped by
     * the script.
     */
    private static final String FLAG_LETTERS = "OSZAPCDIX";
    private static final int[] FLAG_BITS = {11, 7, 6, 4, 2, 0, 10, 9, 18};
    static final int ICED_FLAGS;
    static {
        int m = 0;
        for (int b : FLAG_BITS) m |= 1 << b;
        ICED_FLAGS = m;
    }

    /** Flag letters ("-" = none) → RFLAGS mask. */
    static int flagBits(String letters) {
        int m = 0;
        if (letters.equals("-")) return 0;
        for (int i = 0; i < letters.length(); i++) {
            int k = FLAG_LETTERS.indexOf(letters.charAt(i));
            if (k < 0) throw new AssertionError("iced-dump.js: unknown flag letter in '" + letters + "'");
            m |= 1 << FLAG_BITS[k];
        }
        return m;
    }

    /** RFLAGS mask → flag letters of the bits iced can express ("-" = none). */
    static String flagLetters(int mask) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < FLAG_BITS.length; k++) if ((mask & (1 << FLAG_BITS[k])) != 0) sb.append(FLAG_LETTERS.charAt(k));
        return sb.isEmpty() ? "-" : sb.toString();
    }

    /**
     * Our five flag sets in {@link Row#rflags()} order, masked to {@link #ICED_FLAGS}. iced's
     * {@code rflagsWritten} is "written, except the undefined / always-set / always-cleared ones",
     * which is our {@link Instruction#flagsModified()} (the spec's {@code w:}); iced's
     * {@code rflagsModified} (the union of the four) is our {@link Instruction#flagsWritten()}.
     */
    static int[] ourFlags(Instruction in) {
        return new int[] {in.flagsRead() & ICED_FLAGS, in.flagsModified() & ICED_FLAGS, in.flagsUndefined() & ICED_FLAGS,
                in.flagsCleared() & ICED_FLAGS, in.flagsSet() & ICED_FLAGS};
    }

    /**
     * Where the SDM and iced disagree on flags, the SDM wins; each exception is here, keyed by iced
     * mnemonic (lower case), as flags added to iced's sets {r, w, u, c, s}.
     * <ul>
     *   <li>INT n, INT3, INT1, INTO (SDM Vol. 2A "INT n/INTO/INT3/INT1", Operation): the instruction
     *       itself delivers the interrupt, which pushes RFLAGS (a read of every flag) and, through an
     *       interrupt gate, clears IF (so IF is written: cleared or kept, by the gate type; TF NT RF VM
     *       are cleared, which iced cannot express). iced reports no flags at all for them.</li>
     * </ul>
     */
    static final Map<String, int[]> SDM_EXCEPTIONS;
    static {
        int[] intN = {ICED_FLAGS, flagBits("I"), 0, 0, 0};
        SDM_EXCEPTIONS = Map.of("int", intN, "int3", intN, "int1", intN, "into", intN);
    }

    /** iced's five flag sets after {@link #SDM_EXCEPTIONS}. */
    static int[] icedFlags(Row r) {
        int[] x = SDM_EXCEPTIONS.get(r.mnemonic().toLowerCase(Locale.ROOT));
        if (x == null) return r.rflags();
        int[] f = r.rflags().clone();
        for (int k = 0; k < 5; k++) f[k] |= x[k];
        return f;
    }

    /**
     * iced FlowControl → our {@link FlowKind}, one to one except:
     * <ul>
     *   <li>{@code Exception} (UD0, UD1, UD2: they always raise #UD) → {@link FlowKind#INTERRUPT}: the
     *       fault is delivered through the IDT like INT n, and we have no separate kind;</li>
     *   <li>the instructions of {@link #SYSTEM_FLOW} → {@link FlowKind#SYSTEM}.</li>
     * </ul>
     */
    static final Map<String, FlowKind> FLOW = Map.of(
            "Next", FlowKind.NONE,
            "UnconditionalBranch", FlowKind.JUMP,
            "IndirectBranch", FlowKind.INDIRECT_JUMP,
            "ConditionalBranch", FlowKind.CONDITIONAL_JUMP,
            "Return", FlowKind.RETURN,
            "Call", FlowKind.CALL,
            "IndirectCall", FlowKind.INDIRECT_CALL,
            "Interrupt", FlowKind.INTERRUPT,
            "XbeginXabortXend", FlowKind.XBEGIN,
            "Exception", FlowKind.INTERRUPT);

    /**
     * iced mnemonics (lower case) that are our {@link FlowKind#SYSTEM} (spec {@code flow=sys}): the
     * stream leaves for another context whose entry point is held in MSRs, the VMCS/VMCB, SMRAM or
     * the like, not in an operand or on the stack. iced calls the entries {@code Call} (SYSCALL,
     * SYSENTER, VMCALL, VMMCALL, VMGEXIT, VMLAUNCH, VMRESUME, VMRUN, TDCALL, SEAMCALL, SEAMRET — every
     * iced Call without a branch operand) and the exits {@code Return} (SYSRET, SYSEXIT, RSM, SKINIT);
     * HLT (iced: {@code Next}) stops the stream until an interrupt. The far/interrupt returns IRET,
     * UIRET, ERETU, ERETS pop their target from the stack (frame) and stay {@link FlowKind#RETURN}.
     */
    static final java.util.Set<String> SYSTEM_FLOW = java.util.Set.of("hlt", "syscall", "sysenter", "sysret", "sysretq",
            "sysexit", "sysexitq", "rsm", "skinit", "vmcall", "vmmcall", "vmgexit", "vmlaunch", "vmresume", "vmrun",
            "tdcall", "seamcall", "seamret");

    /** Our flow kind for iced's answer (null: an unknown FlowControl name). */
    static FlowKind icedFlow(Row r) {
        if (SYSTEM_FLOW.contains(r.mnemonic().toLowerCase(Locale.ROOT))) return FlowKind.SYSTEM;
        return FLOW.get(r.flow());
    }

    /** Our flow kind as a spec {@code flow=} word. */
    static String flowWord(FlowKind k) {
        return switch (k) {
            case NONE -> "none";
            case JUMP -> "jmp";
            case CONDITIONAL_JUMP -> "jcc";
            case CALL -> "call";
            case RETURN -> "ret";
            case INTERRUPT -> "int";
            case SYSTEM -> "sys";
            case INDIRECT_JUMP -> "ijmp";
            case INDIRECT_CALL -> "icall";
            case XBEGIN -> "xbegin";
        };
    }

    /** Flow and flag sets in spec syntax ({@code flow=jcc r:O}), sets iced cannot express left out. */
    static String flowAndFlags(FlowKind flow, int[] rflags) {
        StringBuilder sb = new StringBuilder("flow=").append(flow == null ? "?" : flowWord(flow));
        for (int k = 0; k < 5; k++) if (rflags[k] != 0) sb.append(' ').append(RF_NAMES[k]).append(':').append(flagLetters(rflags[k]));
        return sb.toString();
    }

    // ---------------------------------------------------------------- comparison

    /**
     * Compares a valid decode of both sides. Returns the differing fields, comma-separated
     * ({@code mnemonic}, {@code length}, {@code opcount}, {@code opN.kind|reg|base|index|scale|disp|seg|memsize|imm|target},
     * {@code deco}, {@code flow}, {@code flags.r|w|u|c|s}), or null when they agree. The caller
     * handles validity. Flow: {@link #icedFlow}; flags: {@link #ourFlags} against iced's sets.
     */
    static String compare(Instruction in, Row r) {
        List<String> diff = new ArrayList<>(4);
        if (in.length() != r.len()) diff.add("length");
        if (!in.mnemonic().name().toLowerCase(Locale.ROOT).equals(normIcedMnemonic(r.mnemonic()))) diff.add("mnemonic");
        int nOps = in.operandCount();
        // legacy BLENDVPS/BLENDVPD/PBLENDVB/SHA256RNDS2: Intel and objdump print the implicit XMM0
        // third operand, iced leaves it out
        if (nOps == r.ops().length + 1 && in.encoding() == Instruction.Encoding.LEGACY
                && in.operandKind(nOps - 1) == OperandKind.REGISTER && in.register(nOps - 1) == Register.XMM0) {
            nOps--;
        }
        if (nOps != r.ops().length) {
            diff.add("opcount");
        } else {
            for (int k = 0; k < r.ops().length; k++) compareOperand(in, k, r.ops()[k], diff);
        }
        if (!decorations(in).equals(r.deco())) diff.add("deco");
        if (in.flowKind() != icedFlow(r)) diff.add("flow");
        int[] ours = ourFlags(in);
        int[] theirs = icedFlags(r);
        for (int k = 0; k < 5; k++) if (ours[k] != theirs[k]) diff.add("flags." + RF_NAMES[k]);
        return diff.isEmpty() ? null : String.join(",", diff);
    }

    private static void compareOperand(Instruction in, int k, String icedOp, List<String> diff) {
        String[] f = icedOp.split(":", -1);
        String p = "op" + k + ".";
        OperandKind ok = in.operandKind(k);
        String want = switch (ok) {
            case REGISTER -> "R";
            case MEMORY -> "M";
            case IMMEDIATE -> "I";
            case BRANCH -> "B";
            case STRING_SRC -> "SS";
            case STRING_DST -> "SD";
        };
        if (!want.equals(f[0])) {
            diff.add(p + "kind");
            return;
        }
        switch (ok) {
            case REGISTER -> {
                if (!in.register(k).name().equals(registerName(f[1]))) diff.add(p + "reg");
            }
            case MEMORY -> {
                if (!regName(in.memBase()).equals(registerName(f[2]))) diff.add(p + "base");
                if (!regName(in.memIndex()).equals(registerName(f[3]))) diff.add(p + "index");
                else if (in.memIndex() != Register.NONE && in.memScale() != Integer.parseInt(f[4])) diff.add(p + "scale");
                long mask = addressMask(in);
                if ((in.memDisplacement() & mask) != (Long.parseUnsignedLong(f[5], 16) & mask)) diff.add(p + "disp");
                if (!regName(in.memSegment()).equals(f[1])) diff.add(p + "seg");
                if (in.memBits() != Integer.parseInt(f[6])) diff.add(p + "memsize");
            }
            case IMMEDIATE -> {
                int bits = Integer.parseInt(f[2]);
                long mask = bits >= 64 ? -1L : (1L << bits) - 1;
                if ((in.immediate(k) & mask) != (Long.parseUnsignedLong(f[1], 16) & mask)) diff.add(p + "imm");
            }
            case BRANCH -> {
                // outside 64-bit mode modulo the operand size: iced leaves XBEGIN's rel16 target of 16-bit code
                // unmasked, the SDM (XBEGIN, Operation) masks it to 16 bits as for every other near branch
                long mask = in.bitness() == 64 ? -1L : in.operandSize() == 16 ? 0xffffL : 0xffffffffL;
                if (in.branchTarget() != (Long.parseUnsignedLong(f[1], 16) & mask)) diff.add(p + "target");
            }
            case STRING_SRC -> {
                Register seg = in.segmentPrefix() == Register.NONE ? Register.DS : in.segmentPrefix();
                if (!seg.name().equals(f[1])) diff.add(p + "seg");
                if (in.operandBits(k) != Integer.parseInt(f[2])) diff.add(p + "memsize");
            }
            case STRING_DST -> {
                if (in.operandBits(k) != Integer.parseInt(f[1])) diff.add(p + "memsize");
            }
        }
    }

    /** Displacements are compared modulo the address size (iced sign- or zero-extends them by its own rules). */
    static long addressMask(Instruction in) {
        return in.addressSize() == 16 ? 0xffffL : in.addressSize() == 32 ? 0xffffffffL : -1L;
    }

    private static String regName(Register r) {
        return r == Register.NONE ? "-" : r.name();
    }

    /** Our EVEX decorations in iced-dump.js's DECO format. */
    static String decorations(Instruction in) {
        StringBuilder sb = new StringBuilder();
        if (in.opmask() != 0) sb.append(",k").append(in.opmask());
        if (in.zeroingMasking()) sb.append(",z");
        if (in.isBroadcast()) sb.append(",bcst");
        if (in.roundingControl() >= 0) sb.append(",rc=").append(new String[] {"RN", "RD", "RU", "RZ"}[in.roundingControl()]);
        else if (in.suppressAllExceptions()) sb.append(",sae");
        return sb.isEmpty() ? "-" : sb.substring(1);
    }

    /** Our operands in iced-dump.js's OP format (for side-by-side printing). */
    static String operands(Instruction in) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < in.operandCount(); k++) {
            if (k > 0) sb.append(' ');
            switch (in.operandKind(k)) {
                case REGISTER -> sb.append("R:").append(in.register(k).name());
                case MEMORY -> {
                    long mask = addressMask(in);
                    sb.append("M:").append(regName(in.memSegment())).append(':').append(regName(in.memBase())).append(':')
                            .append(regName(in.memIndex())).append(':').append(in.memScale()).append(':')
                            .append(Long.toHexString(in.memDisplacement() & mask)).append(':').append(in.memBits());
                }
                case IMMEDIATE -> {
                    int bits = in.operandBits(k);
                    long v = bits > 0 && bits < 64 ? in.immediate(k) & ((1L << bits) - 1) : in.immediate(k);
                    sb.append("I:").append(Long.toHexString(v)).append(':').append(bits);
                }
                case BRANCH -> sb.append("B:").append(Long.toHexString(in.branchTarget()));
                case STRING_SRC -> sb.append("SS:").append(in.segmentPrefix() == Register.NONE ? "DS" : in.segmentPrefix().name())
                        .append(':').append(in.operandBits(k));
                case STRING_DST -> sb.append("SD:").append(in.operandBits(k));
            }
        }
        return sb.toString();
    }

    /** Our side in one line: text, length, decorations, spec line, or the invalid reason. */
    static String describe(Instruction in) {
        if (in.isInvalid()) return "INVALID " + in.invalidReason() + " len=" + in.length();
        String d = decorations(in);
        return in + "  len=" + in.length() + ("-".equals(d) ? "" : " " + d) + "  {" + flowAndFlags(in.flowKind(), ourFlags(in))
                + "}  [" + in.specSource() + "]";
    }

    /** iced's side in one line. */
    static String describe(Row r) {
        if (!r.valid()) return "INVALID" + (r.status() == 'E' ? " (no more bytes)" : "") + " len=" + r.len();
        return r.text() + "  len=" + r.len() + ("-".equals(r.deco()) ? "" : " " + r.deco()) + "  {" + flowAndFlags(icedFlow(r), icedFlags(r))
                + "}  (" + r.mnemonic() + ", " + r.cpuid() + ")";
    }

    static String hex(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len * 3);
        for (int i = 0; i < len && off + i < b.length; i++) {
            if (i > 0) sb.append(' ');
            sb.append(Character.forDigit((b[off + i] >> 4) & 15, 16)).append(Character.forDigit(b[off + i] & 15, 16));
        }
        return sb.toString();
    }

    static byte[] parseHex(String s) {
        String h = s.replaceAll("[^0-9a-fA-F]", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        return b;
    }

    // ---------------------------------------------------------------- a whole .text

    /** Groups in a failure message. */
    private static final int MESSAGE_GROUPS = 40;

    /**
     * Decodes {@code code} (loaded at {@code vaddr}) with {@code dec} at every instruction start of iced's
     * sequential decode {@code rows} and compares each instruction ({@link #compare}; validity; both
     * invalid is agreement). Writes {@code decoder/target/oracle-report-NAME.txt}.
     *
     * @return null when every instruction agrees, else a failure message with the largest mismatch groups
     */
    static String compareText(Path root, String name, Decoder dec, byte[] code, long vaddr, List<Row> rows) {
        Report report = new Report(5);
        Instruction in = new Instruction();
        long lengthOrValidity = 0, compared = 0;
        for (Row r : rows) {
            int off = (int) r.off();
            long ip = vaddr + off;
            dec.decode(code, off, code.length, ip, in);
            compared++;
            String ours = in.isInvalid() ? "(invalid)" : in.mnemonic().name();
            String kind;
            if (in.isInvalid() != !r.valid()) {
                kind = in.isInvalid() ? "validity: jvmx rejects (" + in.invalidReason() + ")" : "validity: iced rejects";
                lengthOrValidity++;
            } else if (in.isInvalid()) {
                continue; // both reject: lengths of invalid instructions are not comparable
            } else {
                kind = compare(in, r);
                if (kind == null) continue;
                if (kind.contains("length")) lengthOrValidity++;
            }
            final Instruction snap = in.copy();
            report.add(ours + " / " + r.mnemonic() + " / " + kind, () -> sample(code, off, ip, snap, r));
        }
        String header = String.format("%s (%d-bit): .text at 0x%x, %d bytes: %d instructions compared, %d mismatches in %d groups"
                        + " (%d of them length or validity)%n", name, dec.bitness(), vaddr, code.length, compared, report.total,
                report.groupCount(), lengthOrValidity);
        StringBuilder full = new StringBuilder(header);
        full.append("\nMismatches by our mnemonic:\n");
        for (Map.Entry<String, Long> e : report.countsByFirstField().entrySet()) {
            full.append(String.format("%7d  %s%n", e.getValue(), e.getKey()));
        }
        full.append("\nGroups (our mnemonic / iced mnemonic / kind), largest first:\n")
                .append("  sample: bytes  @address | iced: text len deco (Mnemonic, CPUID) | jvmx: text len deco [spec file:line]\n")
                .append(report.render(Integer.MAX_VALUE, 5));
        Path out = root.resolve("decoder/target/oracle-report-" + name + ".txt");
        try {
            Files.writeString(out, full);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (report.total == 0) return null;
        return header + "Largest groups (our mnemonic / iced mnemonic / kind), with a sample each:\n"
                + report.render(MESSAGE_GROUPS, 1) + "Full report: " + out;
    }

    private static String sample(byte[] code, int off, long ip, Instruction in, Row r) {
        int n = Math.min(15, Math.max(r.len(), in.length()));
        return hex(code, off, n) + "  @" + Long.toHexString(ip) + " | iced: " + describe(r) + " | jvmx: " + describe(in);
    }

    // ---------------------------------------------------------------- grouped report

    /** Mismatches grouped by a key, with counts and a few samples each. */
    static final class Report {
        private final Map<String, Group> groups = new HashMap<>();
        private final int samplesPerGroup;
        long total;

        Report(int samplesPerGroup) {
            this.samplesPerGroup = samplesPerGroup;
        }

        static final class Group {
            final String key;
            long count;
            final List<String> samples = new ArrayList<>();

            Group(String key) {
                this.key = key;
            }
        }

        void add(String key, java.util.function.Supplier<String> sample) {
            total++;
            Group g = groups.computeIfAbsent(key, Group::new);
            g.count++;
            if (g.samples.size() < samplesPerGroup) g.samples.add(sample.get());
        }

        int groupCount() {
            return groups.size();
        }

        List<Group> sorted() {
            List<Group> l = new ArrayList<>(groups.values());
            l.sort(Comparator.comparingLong((Group g) -> -g.count).thenComparing(g -> g.key));
            return l;
        }

        /** Counts of groups whose key has this prefix (before the first " / "). */
        Map<String, Long> countsByFirstField() {
            Map<String, Long> m = new LinkedHashMap<>();
            for (Group g : sorted()) m.merge(g.key.substring(0, Math.max(0, g.key.indexOf(" / "))), g.count, Long::sum);
            return m;
        }

        /** The {@code maxGroups} largest groups, each with up to {@code samples} samples. */
        String render(int maxGroups, int samples) {
            StringBuilder sb = new StringBuilder();
            int n = 0;
            for (Group g : sorted()) {
                if (n++ >= maxGroups) {
                    sb.append(String.format("  ... and %d more groups%n", groups.size() - maxGroups));
                    break;
                }
                sb.append(String.format("%7d  %s%n", g.count, g.key));
                for (int i = 0; i < Math.min(samples, g.samples.size()); i++) sb.append("           ").append(g.samples.get(i)).append('\n');
            }
            return sb.toString();
        }
    }
}
