package org.jvmx.guest.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes one spec form as a GNU as line in Intel syntax with random operands that obey the
 * {@link Sandbox}: general registers from its pool (high-byte registers only where no REX prefix
 * is needed), XMM/YMM/MMX/x87 registers, {@code [r15 + disp]} memory sized by the operand
 * descriptor, immediates biased to edge values, and branch targets as the placeholder
 * {@link #LABEL} the sequence builder replaces with a forward label. Two text styles exist (with
 * or without the {@code ... ptr} size keyword) and a raw style ({@link RawEncoder}) for forms GNU as
 * cannot be told to pick; {@link Catalog} probes which one gives the form.
 */
final class FormEmitter {
    static final String LABEL = "%L";
    static final int STYLE_PTR = 0, STYLE_NOPTR = 1, STYLE_RAW = 2;

    /** One parsed operand descriptor: kind letters, size letters, and the memory size of {@code Rs/Ms} forms. */
    record Op(String kind, String size, String memSize) {
        static Op parse(String d) {
            if (d.equals("STi")) return new Op("STi", "", null);
            String reg = d, mem = null;
            int slash = d.indexOf('/');
            if (slash > 0) {
                reg = d.substring(0, slash);
                mem = d.substring(slash + 1).replaceFirst("^M", "");
            }
            int i = 0;
            while (i < reg.length() && Character.isUpperCase(reg.charAt(i))) i++;
            String kind = reg.substring(0, i), size = reg.substring(i);
            if (kind.isEmpty() || isFixed(d)) return new Op(d, "", null);
            return new Op(kind, size, mem == null ? size : mem);
        }

        static boolean isFixed(String d) {
            return switch (d) {
                case "AL", "CL", "DX", "AX", "EAX", "RAX", "rAX", "eAX", "1", "XMM0", "ST", "ES", "CS", "SS", "DS",
                        "FS", "GS" -> true;
                default -> false;
            };
        }
    }

    /** What the sequence builder needs to know about an emitted instruction. */
    record Piece(List<String> lines, boolean branch, boolean shortBranch) {
        Piece(List<String> lines) { this(lines, false, false); }
    }

    /** Per-instruction choices shared by its operands. */
    private static final class Ctx {
        final SplittableRandom r;
        final SpecForm f;
        int osize;
        int vlen = 128;
        boolean high;
        /** How setup lines (index registers, string pointers) load values; null: no setup possible. */
        Setup helpers;
        int gprReg = -1;
        final List<String> setup = new ArrayList<>();

        Ctx(SpecForm f, SplittableRandom r) {
            this.f = f;
            this.r = r;
        }
    }

    private FormEmitter() {
    }

    /** Operand kinds the text styles can write. */
    static boolean supported(SpecForm f) {
        if (!f.encodingKind().equals("LEGACY") && !f.encodingKind().equals("VEX")) return false;
        if (f.has("i64") || f.attribute("imm") != null) return false;
        for (String d : f.operands()) {
            Op o = Op.parse(d);
            switch (o.kind()) {
                case "E", "G", "R", "Z", "B", "M", "O", "I", "J", "X", "Y", "V", "W", "U", "H", "L", "P", "Q", "N", "STi",
                        "XLAT", "XD", "IM" -> {
                }
                case "AL", "CL", "DX", "AX", "EAX", "RAX", "rAX", "eAX", "1", "XMM0", "ST" -> {
                }
                default -> {
                    return false;
                }
            }
            if (o.size().contains("dqq") || o.size().startsWith("p") && o.kind().equals("M")) return false;
            if (o.size().equals("xs") || o.size().equals("kh")) return false;
        }
        return true;
    }

    /** The form as one instruction (plus setup lines), or null when this style cannot write it. */
    static Piece emit(SpecForm f, int style, SplittableRandom r, Setup helpers) {
        if (style == STYLE_RAW) return RawEncoder.emit(f, r);
        if (!supported(f)) return null;
        Ctx c = new Ctx(f, r);
        c.helpers = helpers;
        c.osize = operandSize(f, r);
        List<String> v = f.vexFields();
        if (v.contains("256") || v.contains("L1")) c.vlen = 256;
        else if (!v.isEmpty() && !v.contains("128") && !v.contains("L0") && !v.contains("LZ") && !v.contains("LIG")
                && r.nextBoolean()) c.vlen = 256;
        c.high = c.osize != 64 && r.nextInt(5) == 0 && !f.has("o64") && !f.has("f64")
                && !f.hasEncodingToken("W1") && !f.vexFields().contains("W1");
        List<String> ops = new ArrayList<>();
        boolean branch = false, stringOp = false;
        boolean string = f.operands().stream().anyMatch(d -> d.matches("[XY][bwdqv]"));
        boolean useMem = r.nextInt(3) == 0;
        for (String d : f.operands()) {
            Op o = Op.parse(d);
            String t = switch (o.kind()) {
                case "J" -> {
                    branch = true;
                    yield LABEL;
                }
                case "X", "Y", "XLAT", "XD" -> {
                    stringOp = true;
                    yield null;
                }
                case "XMM0" -> style == STYLE_NOPTR ? null : "xmm0";
                default -> operand(c, o, style, useMem && !c.high);
            };
            if (t == null && !stringOp && !o.kind().equals("XMM0")) return null;
            if (t != null) ops.add(t);
        }
        String mn = mnemonic(f);
        if (mn == null) return null;
        if (f.operands().stream().anyMatch(d -> d.startsWith("O"))) mn = "movabs";
        if (!sandboxRules(c, ops, stringOp)) return null;
        String prefix = "";
        // LOCK only where it is legal: a lockable form with a memory destination (else #UD)
        if (f.has("lock") && r.nextInt(4) == 0 && !ops.isEmpty() && ops.get(0).contains("[")) prefix = "lock ";
        if (string) {
            ops.clear();
            if (f.has("rep") && r.nextInt(3) != 0) prefix = "rep ";
            if (f.has("repne") && r.nextInt(3) != 0) prefix = r.nextBoolean() ? "repe " : "repne ";
        }
        List<String> lines = new ArrayList<>(c.setup);
        lines.add(prefix + mn + (ops.isEmpty() ? "" : " " + String.join(", ", ops)));
        boolean shortOnly = f.mnemonic().name().startsWith("LOOP") || f.mnemonic().name().startsWith("J")
                && f.mnemonic().name().endsWith("CXZ");
        return new Piece(lines, branch, shortOnly);
    }

    /**
     * The instruction-specific rules that keep a form inside the sandbox or away from undefined
     * results; false when the form cannot be written now (no way to load a register first).
     */
    private static boolean sandboxRules(Ctx c, List<String> ops, boolean stringOp) {
        SpecForm f = c.f;
        SplittableRandom r = c.r;
        String name = f.mnemonic().name();
        if (stringOp) {
            // string instructions: a small count in RCX and both pointers well inside scratch
            if (c.helpers == null) return false;
            if (f.operands().contains("XLATb")) {
                c.setup.addAll(c.helpers.set("rbx", Sandbox.R15_BASE - 0x700 + r.nextInt(0xd00)));
            } else {
                int align = r.nextInt(8) == 0 ? -1 : -8;
                c.setup.addAll(c.helpers.set("rcx", r.nextInt(9)));
                c.setup.addAll(c.helpers.set("rsi", Sandbox.R15_BASE + (-0x700 + r.nextInt(0xe00) & align)));
                c.setup.addAll(c.helpers.set("rdi", Sandbox.R15_BASE + (-0x700 + r.nextInt(0xe00) & align)));
            }
        }
        if (name.startsWith("BT") && name.length() <= 3 + 1 && c.gprReg >= 0 && ops.stream().anyMatch(s -> s.contains("["))) {
            // BT* m, r addresses up to 2^63 bits away: keep the bit offset small (SDM Vol. 2A, BT)
            if (c.helpers == null) return false;
            c.setup.addAll(c.helpers.set(Sandbox.R64[c.gprReg], r.nextInt(1024) - 256));
        }
        if ((name.equals("SHLD") || name.equals("SHRD")) && c.osize == 16) {
            // a 16-bit double shift by more than 16 leaves the result undefined (SDM Vol. 2B, SHLD/SHRD)
            if (f.operands().contains("CL")) {
                if (c.helpers == null) return false;
                c.setup.addAll(c.helpers.set("rcx", r.nextInt(17)));
            } else {
                ops.set(ops.size() - 1, Integer.toString(r.nextInt(17)));
            }
        }
        if ((name.equals("LDMXCSR") || name.equals("VLDMXCSR")) && c.helpers == Setup.MOV && r.nextInt(8) != 0) {
            // mostly a valid MXCSR (reserved bits clear, SDM Vol. 1 10.2.3), else whatever memory holds
            String m = ops.get(0);
            int mx = 0x1f80 | r.nextInt(4) << 13 | (r.nextBoolean() ? 0x8000 : 0) | (r.nextBoolean() ? 0x40 : 0)
                    | (r.nextInt(4) == 0 ? r.nextInt(64) : 0);
            if (r.nextInt(6) == 0) mx &= ~(r.nextInt(64) << 7);
            c.setup.add("mov dword ptr " + m.substring(m.indexOf('[')) + ", " + mx);
        }
        if (name.equals("INT")) {
            // never 3, 4 or 0x80: Linux has user-callable gates there (0x80 is the 32-bit system call)
            int[] safe = { 0, 1, 2, 5, 6, 7, 8, 13, 14, 0x20, 0x21, 0x2e, 0x40, 0x81, 0xff };
            ops.set(0, Integer.toString(safe[r.nextInt(safe.length)]));
        }
        return true;
    }

    /** The text mnemonic GNU as takes for the form. */
    static String mnemonic(SpecForm f) {
        String n = f.mnemonic().name().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "pushf" -> "pushfw";
            case "popf" -> "popfw";
            case "reservednop", "sal" -> null;
            default -> n;
        };
    }

    /** Effective operand size for the form's {@code v}/{@code y}/{@code z} operands. */
    static int operandSize(SpecForm f, SplittableRandom r) {
        if (f.hasEncodingToken("o16")) return 16;
        if (f.hasEncodingToken("o32")) return 32;
        if (f.hasEncodingToken("o64") || f.hasEncodingToken("W1") || f.vexFields().contains("W1")) return 64;
        if (f.has("f64")) return 64;
        if (f.has("o64")) return r.nextInt(4) == 0 ? 16 : 64;
        if (f.hasEncodingToken("W0") || f.vexFields().contains("W0")) return r.nextBoolean() ? 16 : 32;
        return switch (r.nextInt(3)) {
            case 0 -> 16;
            case 1 -> 32;
            default -> 64;
        };
    }

    static int gprBits(String size, int osize) {
        return switch (size) {
            case "b" -> 8;
            case "w" -> 16;
            case "d" -> 32;
            case "q" -> 64;
            case "y" -> osize == 64 ? 64 : 32;
            case "z" -> osize == 16 ? 16 : 32;
            default -> osize;
        };
    }

    /** Memory operand size in bits for a size descriptor (0: none/unknown). */
    static int memBits(String size, int osize, int vlen) {
        return switch (size) {
            case "b" -> 8;
            case "w" -> 16;
            case "d", "ss" -> 32;
            case "q", "sd" -> 64;
            case "t" -> 80;
            case "dq" -> 128;
            case "qq" -> 256;
            case "x" -> vlen;
            case "hx" -> vlen / 2;
            case "qx" -> vlen / 4;
            case "ox" -> vlen / 8;
            case "sh" -> 16;
            case "v" -> osize;
            case "y" -> osize == 64 ? 64 : 32;
            case "z" -> osize == 16 ? 16 : 32;
            case "e", "fs" -> 0;
            case "fx" -> 4096;
            default -> 0;
        };
    }

    static String ptr(int bits) {
        return switch (bits) {
            case 8 -> "byte ptr ";
            case 16 -> "word ptr ";
            case 32 -> "dword ptr ";
            case 64 -> "qword ptr ";
            case 80 -> "tbyte ptr ";
            case 128 -> "xmmword ptr ";
            case 256 -> "ymmword ptr ";
            default -> "";
        };
    }

    private static String operand(Ctx c, Op o, int style, boolean useMem) {
        SplittableRandom r = c.r;
        return switch (o.kind()) {
            case "E", "Q", "W" -> useMem ? memory(c, o, style) : register(c, o);
            case "G", "R", "Z", "B", "V", "U", "H", "L", "P", "N" -> register(c, o);
            case "M" -> memory(c, o, style);
            case "O" -> {
                // moffs: an absolute 64-bit address (A0-A3), inside the scratch data area
                int bits = gprBits(o.size(), c.osize);
                yield (style == STYLE_PTR ? ptr(bits) : "") + "[0x"
                        + Long.toHexString(Sandbox.R15_BASE + Sandbox.disp(r, bits / 8)) + "]";
            }
            case "I" -> immediate(c, o);
            case "IM" -> Integer.toString(r.nextInt(4));
            case "STi" -> "st(" + r.nextInt(8) + ")";
            case "ST" -> "st";
            case "AL" -> "al";
            case "CL" -> "cl";
            case "DX" -> "dx";
            case "AX" -> "ax";
            case "EAX" -> "eax";
            case "RAX" -> "rax";
            case "rAX" -> Sandbox.gpr(0, c.osize);
            case "eAX" -> c.osize == 16 ? "ax" : "eax";
            case "1" -> "1";
            default -> null;
        };
    }

    private static String register(Ctx c, Op o) {
        SplittableRandom r = c.r;
        switch (o.kind()) {
            case "V", "W", "U", "H", "L" -> {
                int bits = switch (o.size()) {
                    case "qq" -> 256;
                    case "x" -> c.vlen;
                    case "hx" -> c.vlen / 2;
                    default -> 128;
                };
                return (bits == 256 ? "ymm" : "xmm") + r.nextInt(16);
            }
            case "P", "Q", "N" -> {
                return "mm" + r.nextInt(8);
            }
            default -> {
                int bits = gprBits(o.size(), c.osize);
                if (c.high) {
                    int n = r.nextInt(7);
                    n = n >= 4 ? n + 1 : n; // rax..rdi without rsp
                    if (o.kind().equals("G")) c.gprReg = n;
                    if (bits == 8) return n < 4 && r.nextBoolean() ? Sandbox.R8_HIGH[n] : n < 4 ? Sandbox.R8[n]
                            : Sandbox.R8_HIGH[r.nextInt(4)];
                    return Sandbox.gpr(n, bits);
                }
                int n = Sandbox.randomGpr(r);
                if (o.kind().equals("G")) c.gprReg = n;
                return Sandbox.gpr(n, bits);
            }
        }
    }

    private static String memory(Ctx c, Op o, int style) {
        String size = o.memSize() == null ? o.size() : o.memSize();
        if (o.kind().equals("W") && (size.equals("x") || size.equals("dq") || size.equals("qq"))) size = o.size();
        int bits = memBits(size, c.osize, c.vlen);
        int bytes = bits == 0 ? 64 : (bits + 7) / 8;
        int d = Sandbox.disp(c.r, Math.min(bytes, 1024));
        if (bytes > 1024) d = Sandbox.MIN_DISP + (c.r.nextInt(256) & -16);
        String addr = Sandbox.mem(d);
        String n = c.f.mnemonic().name();
        if (n.equals("LEA") || n.equals("NOP")) return (style == STYLE_PTR ? ptr(bits) : "") + anyAddress(c.r);
        if (c.helpers != null && c.r.nextInt(6) == 0) {
            // an index register loaded with a small value first: exercises SIB decoding and scaling
            int idx = Sandbox.randomGpr(c.r);
            int scale = 1 << c.r.nextInt(4);
            int val = c.r.nextInt(8);
            c.setup.addAll(c.helpers.set(Sandbox.R64[idx], val));
            int d2 = d - val * scale;
            addr = "[r15 + " + Sandbox.R64[idx] + "*" + scale + (d2 < 0 ? " - " + -d2 : " + " + d2) + "]";
        }
        return (style == STYLE_PTR ? ptr(bits) : "") + addr;
    }

    /** Any addressing form, for instructions that compute an address without accessing it. */
    private static String anyAddress(SplittableRandom r) {
        String[] regs = r.nextInt(4) == 0 ? Sandbox.R32 : Sandbox.R64;
        StringBuilder b = new StringBuilder("[");
        boolean rip = r.nextInt(8) == 0 && regs == Sandbox.R64;
        b.append(rip ? "rip" : regs[r.nextInt(16)]);
        if (!rip && r.nextBoolean()) {
            int i = r.nextInt(16);
            if (i == 4) i = 5;
            b.append(" + ").append(regs[i]).append("*").append(1 << r.nextInt(4));
        }
        int d = switch (r.nextInt(3)) {
            case 0 -> 0;
            case 1 -> r.nextInt(256) - 128;
            default -> r.nextInt();
        };
        b.append(d < 0 ? " - " + -(long) d : " + " + d).append("]");
        return b.toString();
    }

    private static final long[] IMM_EDGES = { 0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff };

    private static String immediate(Ctx c, Op o) {
        SplittableRandom r = c.r;
        int bits = switch (o.size()) {
            case "b" -> 8;
            case "w" -> 16;
            case "d" -> 32;
            case "q" -> 64;
            case "s" -> -8;
            case "z" -> c.osize == 16 ? 16 : 32;
            case "v" -> c.osize;
            default -> 8;
        };
        if (bits == -8) return Integer.toString(r.nextInt(256) - 128);
        long v = r.nextInt(3) == 0 ? IMM_EDGES[r.nextInt(IMM_EDGES.length)] : r.nextLong();
        return switch (bits) {
            case 8 -> Long.toString(v & 0xff);
            case 16 -> Long.toString(v & 0xffff);
            case 32 -> Long.toString((int) v);
            default -> Long.toString(v);
        };
    }
}
