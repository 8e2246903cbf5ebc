package org.jvmx.decoder;

import java.util.Locale;

/**
 * Intel-syntax formatter, close to {@code objdump -d -M intel}: lower-case mnemonics padded to
 * seven columns, {@code QWORD PTR [rbp-0x8]}, hexadecimal immediates, absolute branch targets.
 * 32-bit and 16-bit code ({@link Instruction#bitness()}) as {@code objdump -M intel,i386} /
 * {@code i8086}: segment overrides inside the memory operand ({@code DWORD PTR es:[eax]}), 16-bit
 * addresses without a scale ({@code [bx+si+0x4]}), far pointers as {@code 0x10:0x1234}.
 */
public final class Formatter {
    /** The shared objdump-like formatter. */
    public static final Formatter INTEL = new Formatter();

    private static final String[] MNEMONIC_TEXT;
    private static final int SEG_FS = Register.FS.ordinal(), SEG_GS = Register.GS.ordinal(), SEG_DS = Register.DS.ordinal();
    private static final int MOV = Mnemonic.MOV.ordinal();

    static {
        Mnemonic[] all = Mnemonic.values();
        MNEMONIC_TEXT = new String[all.length];
        for (Mnemonic m : all) MNEMONIC_TEXT[m.ordinal()] = m.name().toLowerCase(Locale.ROOT);
        MNEMONIC_TEXT[0] = "(bad)";
    }

    /** Formats to a new string. */
    public String format(Instruction in) {
        StringBuilder sb = new StringBuilder(48);
        format(in, sb);
        return sb.toString();
    }

    /** Appends the text of {@code in} to {@code sb}. */
    public void format(Instruction in, StringBuilder sb) {
        if (in.isInvalid()) {
            sb.append("(bad)");
            return;
        }
        int startLen = sb.length();
        // segment prefixes that 64-bit mode ignores (CS/DS/ES/SS) print as a word, as objdump does; outside
        // 64-bit mode every override of a memory operand prints inside it
        int ignoredSeg = in.segPrefixOrd() != 0 && in.segPrefixOrd() != SEG_FS && in.segPrefixOrd() != SEG_GS
                && !(in.bitness() != 64 && hasMemoryOperand(in)) ? in.segPrefixOrd() : 0;
        int attrs = Tables.ATTRS[in.form];
        if (ignoredSeg == SEG_DS && (attrs & OperandCode.A_NOTRACK) != 0) sb.append("notrack ");
        else if (ignoredSeg != 0) sb.append(Register.ofOrdinal(ignoredSeg).lowerName()).append(' ');
        if (in.hasLock()) sb.append("lock ");
        if (in.hasRep()) sb.append(isCompareString(in) ? "repz " : "rep ");
        if (in.hasRepne()) sb.append(isCompareString(in) ? "repnz " : "repne ");
        int shown = in.operandCount();
        String pseudo = comparePseudoOp(in);
        if (pseudo != null) {
            sb.append(pseudo);
            shown--; // the predicate immediate is in the name
        } else if (hasStringOperand(in)) {
            // explicit string operands carry the size: objdump prints movs/stos/..., not movsb/stosd
            String m = MNEMONIC_TEXT[in.mnemonicId()];
            sb.append(m, 0, m.length() - 1);
        } else {
            sb.append(MNEMONIC_TEXT[in.mnemonicId()]);
        }
        if (in.mnemonicId() == MOV && isMovabs(in)) sb.append("abs");
        if (shown == 0) return;
        int pad = 7 - (sb.length() - startLen);
        do sb.append(' '); while (--pad > 0);
        for (int i = 0; i < shown; i++) {
            if (i > 0) sb.append(',');
            if (isFarPointer(in, i)) {
                // ptr16:16/32: the offset and selector operands print as objdump's "selector:offset"
                sb.append("0x").append(Long.toHexString(in.opValue[i + 1] & 0xffff)).append(":0x")
                        .append(Long.toHexString(in.opValue[i] & (in.bitsAt(i) == 16 ? 0xffffL : 0xffffffffL)));
                i++;
                continue;
            }
            operand(in, i, sb);
            if (i == 0 && in.opmask() != 0) sb.append("{k").append(in.opmask()).append('}');
            if (i == 0 && in.zeroingMasking()) sb.append("{z}");
        }
        if (in.roundingControl() >= 0) sb.append(",{").append(switch (in.roundingControl()) {
            case 0 -> "rn";
            case 1 -> "rd";
            case 2 -> "ru";
            default -> "rz";
        }).append("-sae}");
        else if (in.suppressAllExceptions()) sb.append(",{sae}");
        if (in.isRipRelative()) {
            sb.append("        # 0x").append(Long.toHexString(in.memDisp));
        }
    }

    private static final String[] SSE_PREDICATES = {"eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord"};
    private static final String[] AVX_PREDICATES = {"eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord",
        "eq_uq", "nge", "ngt", "false", "neq_oq", "ge", "gt", "true", "eq_os", "lt_oq", "le_oq", "unord_s",
        "neq_us", "nlt_uq", "nle_uq", "ord_s", "eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq",
        "gt_oq", "true_us"};
    private static final String[] INT_PREDICATES = {"eq", "lt", "le", null, "neq", "nlt", "nle", null};

    /**
     * objdump's compare pseudo-ops: CMPPS xmm,xmm,1 prints as cmpltps, VPCMPUB k,x,y,4 as vpcmpnequb.
     * The name without the predicate, or null when the instruction is not such a compare.
     */
    private static String comparePseudoOp(Instruction in) {
        int n = in.operandCount();
        if (n < 3 || in.kindAt(n - 1) != 2) return null;
        String m = MNEMONIC_TEXT[in.mnemonicId()];
        int imm = (int) in.immediate(n - 1) & 0xff;
        if (m.matches("v?cmp(ps|pd|ss|sd|ph|sh)")) {
            boolean vex = m.charAt(0) == 'v';
            String[] preds = vex ? AVX_PREDICATES : SSE_PREDICATES;
            if (imm >= preds.length) return null;
            int at = vex ? 4 : 3;
            return m.substring(0, at) + preds[imm] + m.substring(at);
        }
        if (m.matches("vpcmpu?[bwdq]") && imm < 8 && INT_PREDICATES[imm] != null) {
            return "vpcmp" + INT_PREDICATES[imm] + m.substring(5);
        }
        return null;
    }

    private static boolean isFarPointer(Instruction in, int i) {
        return (Tables.OPS[in.form * 5 + i] & 0xff) == OperandCode.K_A && i + 1 < in.operandCount();
    }

    private static boolean hasMemoryOperand(Instruction in) {
        for (int i = 0; i < in.operandCount(); i++) if (in.kindAt(i) == 1) return true;
        return false;
    }

    private static boolean hasStringOperand(Instruction in) {
        for (int i = 0; i < in.operandCount(); i++) {
            if (in.kindAt(i) == OperandKind.STRING_SRC.ordinal() || in.kindAt(i) == OperandKind.STRING_DST.ordinal()) return true;
        }
        return false;
    }

    /** objdump's MOVABS: MOV with a 64-bit immediate or a 64-bit absolute address (moffs). */
    private static boolean isMovabs(Instruction in) {
        for (int i = 0; i < in.operandCount(); i++) {
            int code = Tables.OPS[in.form * 5 + i];
            // an 8-byte immediate (B8+r Iv under REX.W), not an imm32 sign-extended to 64 bits (C7 /0 Iz)
            if (in.kindAt(i) == 2 && in.bitsAt(i) == 64 && (code & 0xff) == OperandCode.K_I
                    && ((code >> 8) & 0xff) == OperandCode.S_V) {
                return true;
            }
            if (in.kindAt(i) == 1 && (Tables.OPS[in.form * 5 + i] & 0xff) == OperandCode.K_O && in.memDisplacementBytes() == 8) return true;
        }
        return false;
    }

    private static boolean isCompareString(Instruction in) {
        for (int i = 0; i < in.operandCount(); i++) {
            if (in.kindAt(i) == OperandKind.STRING_DST.ordinal()) {
                String m = MNEMONIC_TEXT[in.mnemonicId()];
                return m.startsWith("cmps") || m.startsWith("scas");
            }
        }
        return false;
    }

    private void operand(Instruction in, int i, StringBuilder sb) {
        switch (in.kindAt(i)) {
            case 0 -> {
                if ((Tables.OPS[in.form * 5 + i] & 0xff) == OperandCode.K_STI) {
                    sb.append("st(").append(in.regAt(i) - Register.ST0.ordinal()).append(')');
                } else {
                    register(Register.ofOrdinal(in.regAt(i)), sb);
                }
            }
            case 1 -> memory(in, sb);
            case 2 -> {
                if ((Tables.OPS[in.form * 5 + i] & 0xff) == OperandCode.K_CONST1) {
                    sb.append('1');
                    return;
                }
                long v = in.opValue[i];
                int bits = in.bitsAt(i);
                if (bits < 64) v &= (1L << bits) - 1;
                sb.append("0x").append(Long.toHexString(v));
            }
            case 3 -> sb.append("0x").append(Long.toHexString(in.opValue[i]));
            case 4 -> stringOperand(in, i, sb, in.segPrefixOrd() != 0 ? Register.ofOrdinal(in.segPrefixOrd()).lowerName() : "ds",
                    in.addressSize() == 64 ? "rsi" : in.addressSize() == 32 ? "esi" : "si");
            default -> stringOperand(in, i, sb, "es", in.addressSize() == 64 ? "rdi" : in.addressSize() == 32 ? "edi" : "di");
        }
    }

    private static void stringOperand(Instruction in, int i, StringBuilder sb, String seg, String reg) {
        sizeKeyword(in.bitsAt(i), sb);
        sb.append(seg).append(":[").append(reg).append(']');
    }

    private static void register(Register r, StringBuilder sb) {
        if (r.kind() == Register.Kind.X87) {
            int n = r.ordinal() - Register.ST0.ordinal();
            sb.append(n == 0 ? "st" : "st(" + n + ")");
            return;
        }
        sb.append(r.lowerName());
    }

    private static void sizeKeyword(int bits, StringBuilder sb) {
        String s = switch (bits) {
            case 8 -> "BYTE";
            case 16 -> "WORD";
            case 32 -> "DWORD";
            case 48 -> "FWORD";
            case 64 -> "QWORD";
            case 80 -> "TBYTE";
            case 128 -> "XMMWORD";
            case 256 -> "YMMWORD";
            case 512 -> "ZMMWORD";
            default -> null;
        };
        if (s != null) sb.append(s).append(" PTR ");
    }

    private static void memory(Instruction in, StringBuilder sb) {
        boolean moffs = false;
        for (int i = 0; i < in.operandCount(); i++) moffs |= (Tables.OPS[in.form * 5 + i] & 0xff) == OperandCode.K_O;
        // objdump prints the moffs of A0-A3 without a size: mov eax,ds:0x1000
        if (moffs) {
            // (nothing: the register operand gives the size)
        } else if (!in.isBroadcast()) sizeKeyword(in.memBits(), sb);
        else sb.append(in.memBits() == 64 ? "QWORD" : in.memBits() == 32 ? "DWORD" : "WORD").append(" BCST ");
        boolean absolute = !in.isRipRelative() && in.memBaseOrd() == 0 && in.memIndexOrd() == 0;
        int seg = in.segPrefixOrd() == SEG_FS || in.segPrefixOrd() == SEG_GS || in.bitness() != 64 ? in.segPrefixOrd() : 0;
        if (seg != 0) sb.append(Register.ofOrdinal(seg).lowerName()).append(':');
        if (absolute) {
            // objdump: an absolute address prints without brackets, with its segment (ds: by default)
            if (seg == 0) sb.append("ds:");
            long mask = in.addressSize() == 16 ? 0xffffL : in.addressSize() == 32 ? 0xffffffffL : -1L;
            sb.append("0x").append(Long.toHexString(in.memDisp & mask));
            return;
        }
        sb.append('[');
        boolean any = false;
        long disp = in.memDisp;
        if (in.isRipRelative()) {
            sb.append(in.memBase().lowerName());
            disp = in.memDisp - in.nextIp();
            any = true;
        } else if (in.memBaseOrd() != 0) {
            sb.append(in.memBase().lowerName());
            any = true;
        }
        if (in.memIndexOrd() != 0) {
            if (any) sb.append('+');
            sb.append(in.memIndex().lowerName());
            if (in.addressSize() != 16) sb.append('*').append(in.memScale()); // 16-bit forms have no scale
            any = true;
        }
        if (disp != 0 || in.memDisplacementBytes() != 0) {
            if (in.isRipRelative()) sb.append("+0x").append(Long.toHexString(in.addressSize() == 32 ? disp & 0xffffffffL : disp));
            else if (disp < 0) sb.append("-0x").append(Long.toHexString(-disp));
            else sb.append("+0x").append(Long.toHexString(disp));
        }
        sb.append(']');
        if (in.isBroadcast()) {
            int n = in.vectorBits() / in.memBits();
            sb.append("{1to").append(n).append('}');
        }
    }
}
