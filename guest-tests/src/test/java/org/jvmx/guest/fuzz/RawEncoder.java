package org.jvmx.guest.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Encodes a legacy form from its spec encoding as {@code .byte} directives, for the forms GNU as
 * cannot be asked for by name (SAL's /6 encodings, the reserved-NOP space, 16-bit PUSHF/POPF):
 * prefixes (66 for a 16-bit operand size, the mandatory prefix, REX.W), the opcode bytes, a
 * register-direct ModRM byte (SDM Vol. 2A 2.1.5) and the immediates. Only general registers
 * 0-3 and 5-7 (no REX needed, RSP never named) and no memory operands: that is all those forms need.
 */
final class RawEncoder {
    private RawEncoder() {
    }

    static FormEmitter.Piece emit(SpecForm f, SplittableRandom r) {
        if (!f.encodingKind().equals("LEGACY") || f.has("i64")) return null;
        if (f.hasEncodingToken("mod!=11")) return null;
        int osize = FormEmitter.operandSize(f, r);
        List<Integer> bytes = new ArrayList<>();
        if (osize == 16 && !f.hasEncodingToken("66")) bytes.add(0x66);
        boolean sized = f.operands().stream().anyMatch(d -> d.matches("[EGRZI][vyz]|rAX"));
        boolean rexW = f.hasEncodingToken("W1") || sized && osize == 64 && !f.has("o64") && !f.has("f64");
        int reg = -1, rm = -1;
        List<Integer> imm = new ArrayList<>();
        int modrmAt = -1, plusR = -1;
        boolean prefixDone = false;
        for (String t : f.encoding()) {
            if (t.equals("66") || t.equals("F2") || t.equals("F3")) {
                if (!prefixDone) {
                    bytes.add(Integer.parseInt(t, 16));
                    continue;
                }
            }
            if (t.matches("[0-9A-F]{2}")) {
                if (!prefixDone && rexW) bytes.add(0x48);
                prefixDone = true;
                bytes.add(Integer.parseInt(t, 16));
            } else if (t.matches("[0-9A-F]{2}\\+r")) {
                if (!prefixDone && rexW) bytes.add(0x48);
                prefixDone = true;
                plusR = bytes.size();
                bytes.add(Integer.parseInt(t.substring(0, 2), 16));
            } else if (t.equals("/r")) {
                modrmAt = bytes.size();
                bytes.add(0xC0);
            } else if (t.matches("/[0-7]")) {
                modrmAt = bytes.size();
                reg = t.charAt(1) - '0';
                bytes.add(0xC0);
            } else if (!t.matches("NP|W0|W1|o16|o32|o64|mod=11|rexb0|no66")) {
                return null;
            }
        }
        for (String d : f.operands()) {
            FormEmitter.Op o = FormEmitter.Op.parse(d);
            int n = Sandbox.GPRS[r.nextInt(7)]; // rax..rdi without rsp
            switch (o.kind()) {
                // the reserved-NOP space shares opcodes with forms selected by reg = 0 (0F 1F /0 is NOP Ev)
                case "G" -> reg = f.mnemonic().name().equals("RESERVEDNOP") ? 1 + r.nextInt(7) : n;
                case "V" -> reg = r.nextInt(8);
                case "E", "R" -> rm = n;
                case "W", "U" -> rm = r.nextInt(8);
                case "Z" -> {
                    if (plusR < 0) return null;
                    bytes.set(plusR, bytes.get(plusR) + n);
                }
                case "I" -> {
                    int len = switch (o.size()) {
                        case "b", "s" -> 1;
                        case "w" -> 2;
                        case "z" -> osize == 16 ? 2 : 4;
                        case "d" -> 4;
                        default -> -1;
                    };
                    if (len < 0) return null;
                    long v = r.nextLong();
                    for (int i = 0; i < len; i++) imm.add((int) (v >>> (8 * i)) & 0xff);
                }
                case "1", "CL", "AL", "rAX", "eAX", "AX", "EAX", "RAX", "DX" -> {
                }
                default -> {
                    return null;
                }
            }
        }
        if (modrmAt >= 0) {
            if (reg < 0) reg = Sandbox.GPRS[r.nextInt(7)];
            if (rm < 0) rm = Sandbox.GPRS[r.nextInt(7)];
            bytes.set(modrmAt, 0xC0 | (reg & 7) << 3 | (rm & 7));
        }
        bytes.addAll(imm);
        StringBuilder b = new StringBuilder(".byte ");
        for (int i = 0; i < bytes.size(); i++) b.append(i == 0 ? "" : ", ").append(String.format("0x%02x", bytes.get(i)));
        return new FormEmitter.Piece(List.of(b.toString()));
    }
}
