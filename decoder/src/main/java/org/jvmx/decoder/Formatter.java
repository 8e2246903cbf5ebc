package org.jvmx.decoder;

import java.util.Locale;

/**
 * Intel-syntax formatter, close to {@code objdump -d -M intel}: lower-case mnemonics padded to
 * seven columns, {@code QWORD PTR [rbp-0x8]}, hexadecimal immediates, absolute branch targets.
 */
public final class Formatter {
    /** The shared objdump-like formatter. */
    public static final Formatter INTEL = new Formatter();

    private static final String[] MNEMONIC_TEXT;

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
        if (in.hasLock()) sb.append("lock ");
        if (in.hasRep()) sb.append(isCompareString(in) ? "repz " : "rep ");
        if (in.hasRepne()) sb.append(isCompareString(in) ? "repnz " : "repne ");
        sb.append(MNEMONIC_TEXT[in.mnemonic]);
        if (in.opCount == 0) return;
        int pad = 7 - (sb.length() - startLen);
        do sb.append(' '); while (--pad > 0);
        for (int i = 0; i < in.opCount; i++) {
            if (i > 0) sb.append(',');
            operand(in, i, sb);
            if (i == 0 && in.opmask != 0) sb.append("{k").append(in.opmask).append('}');
            if (i == 0 && in.zeroing) sb.append("{z}");
        }
        if (in.rounding >= 0) sb.append(",{").append(switch (in.rounding) {
            case 0 -> "rn";
            case 1 -> "rd";
            case 2 -> "ru";
            default -> "rz";
        }).append("-sae}");
        else if (in.sae) sb.append(",{sae}");
        if (in.ripRel) {
            sb.append("        # 0x").append(Long.toHexString(in.memDisp));
        }
    }

    private static boolean isCompareString(Instruction in) {
        for (int i = 0; i < in.opCount; i++) {
            if (in.opKind[i] == OperandKind.STRING_DST.ordinal()) {
                String m = MNEMONIC_TEXT[in.mnemonic];
                return m.startsWith("cmps") || m.startsWith("scas");
            }
        }
        return false;
    }

    private void operand(Instruction in, int i, StringBuilder sb) {
        switch (in.opKind[i]) {
            case 0 -> register(Register.ofOrdinal(in.opReg[i]), sb);
            case 1 -> memory(in, sb);
            case 2 -> {
                long v = in.opValue[i];
                int bits = in.opBits[i];
                if (bits < 64) v &= (1L << bits) - 1;
                sb.append("0x").append(Long.toHexString(v));
            }
            case 3 -> sb.append(Long.toHexString(in.opValue[i]));
            case 4 -> stringOperand(in, i, sb, in.segPrefix != 0 ? Register.ofOrdinal(in.segPrefix).lowerName() : "ds",
                    in.addressSize() == 64 ? "rsi" : "esi");
            default -> stringOperand(in, i, sb, "es", in.addressSize() == 64 ? "rdi" : "edi");
        }
    }

    private static void stringOperand(Instruction in, int i, StringBuilder sb, String seg, String reg) {
        sizeKeyword(in.opBits[i], sb);
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
        if (!in.broadcast) sizeKeyword(in.memBits, sb);
        else sb.append(in.memBits == 64 ? "QWORD" : in.memBits == 32 ? "DWORD" : "WORD").append(" BCST ");
        if (in.segPrefix != 0) sb.append(Register.ofOrdinal(in.segPrefix).lowerName()).append(':');
        sb.append('[');
        boolean any = false;
        long disp = in.memDisp;
        if (in.ripRel) {
            sb.append(in.memBase().lowerName());
            disp = in.memDisp - in.nextIp();
            any = true;
        } else if (in.memBase != 0) {
            sb.append(in.memBase().lowerName());
            any = true;
        }
        if (in.memIndex != 0) {
            if (any) sb.append('+');
            sb.append(in.memIndex().lowerName()).append('*').append(in.memScale);
            any = true;
        }
        if (!any) {
            sb.append("0x").append(Long.toHexString(in.addressSize() == 32 ? disp & 0xffffffffL : disp));
        } else if (disp != 0) {
            if (disp < 0) sb.append("-0x").append(Long.toHexString(-disp));
            else sb.append("+0x").append(Long.toHexString(disp));
        }
        sb.append(']');
        if (in.broadcast) {
            int n = in.vectorBits / in.memBits;
            sb.append("{1to").append(n).append('}');
        }
    }
}
