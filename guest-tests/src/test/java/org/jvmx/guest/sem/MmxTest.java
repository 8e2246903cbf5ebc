package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.X87Cases.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/**
 * MMX against the host: every MMX arithmetic/logic/compare/pack/unpack/shift instruction and the
 * SSE additions on MMX registers, register and memory forms, with edge-lane and random values;
 * MOVD/MOVQ in all directions, MOVNTQ, MOVQ2DQ/MOVDQ2Q, PSHUFW/PEXTRW/PINSRW/PMOVMSKB, EMMS and
 * the x87 to MMX transition (TOP and tags in the FXSAVE image).
 */
class MmxTest implements DirectedCases {
    static final String[] BINARY = {"paddb", "paddw", "paddd", "paddq", "psubb", "psubw", "psubd", "psubq", "paddsb",
            "paddsw", "paddusb", "paddusw", "psubsb", "psubsw", "psubusb", "psubusw", "pmullw", "pmulhw", "pmulhuw",
            "pmuludq", "pmaddwd", "pavgb", "pavgw", "pminub", "pmaxub", "pminsw", "pmaxsw", "psadbw", "pcmpeqb",
            "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd", "pand", "pandn", "por", "pxor", "punpcklbw",
            "punpcklwd", "punpckldq", "punpckhbw", "punpckhwd", "punpckhdq", "packsswb", "packssdw", "packuswb",
            "psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad"};
    /** Every MM register cleared first (FNINIT leaves the host's old register contents), then EMMS. */
    static final String LOAD = "pxor mm0, mm0\npxor mm1, mm1\npxor mm2, mm2\npxor mm3, mm3\npxor mm4, mm4\n"
            + "pxor mm5, mm5\npxor mm6, mm6\npxor mm7, mm7\nemms\nmovq mm1, [rbx+16]\nmovq mm2, [rbx+32]\n";

    @Override
    public List<HostCase> cases() {
        Random r = new Random(0x33);
        List<Spec> s = new ArrayList<>();
        for (String op : BINARY) {
            boolean shift = op.startsWith("ps") && (op.contains("ll") || op.contains("rl") || op.contains("ra"));
            for (int k = 0; k < 24; k++) {
                byte[] d = data(0x37F);
                put(d, A, lanes(r), 8);
                put(d, B, shift ? (k < 12 ? k * 6 : r.nextLong() >>> r.nextInt(64)) : lanes(r), 8);
                String mem = op.startsWith("punpckl") ? "dword ptr [rbx+32]" : "qword ptr [rbx+32]";
                s.add(new Spec(LOAD + op + " mm1, " + (k % 2 == 0 ? "mm2" : mem) + "\nmovq [rbx+128], mm1", d));
            }
            if (shift && !op.equals("psllq") && !op.equals("psrlq") || op.equals("psllq") || op.equals("psrlq")) {
                for (int cnt : new int[] {0, 1, 7, 8, 15, 16, 31, 32, 63, 64, 200}) {
                    byte[] d = data(0x37F);
                    put(d, A, lanes(r), 8);
                    s.add(new Spec(LOAD + op + " mm1, " + cnt, d));
                }
            }
        }
        String[] moves = {"movd mm3, eax", "movd mm3, dword ptr [rbx+16]", "movq mm3, rax", "movq mm3, qword ptr [rbx+16]",
                "movq mm3, mm1", "movd eax, mm2", "movd dword ptr [rbx+128], mm2", "movq rax, mm2",
                "movq qword ptr [rbx+128], mm2", "movntq [rbx+128], mm2", "movq2dq xmm3, mm2", "movdq2q mm3, xmm1",
                "pshufw mm3, mm2, 0x1b", "pshufw mm3, qword ptr [rbx+16], 0xe4", "pextrw eax, mm2, 3", "pextrw ecx, mm1, 6",
                "pinsrw mm1, eax, 2", "pinsrw mm1, word ptr [rbx+32], 1", "pmovmskb eax, mm2", "emms",
                "fld1\nfld1\npaddb mm0, mm1", "fld1\nfldpi\nemms", "fld1\nmovd eax, mm0", "fld1\nfld1\nemms\nfld1"};
        for (String op : moves) {
            for (int k = 0; k < 4; k++) {
                byte[] d = data(0x37F);
                put(d, A, lanes(r), 8);
                put(d, B, lanes(r), 8);
                s.add(new Spec("mov rax, 0x8877665544332211\nmovdqu xmm1, [rbx+16]\n" + LOAD + op, d));
            }
        }
        // a pending unmasked x87 exception: #MF on the next MMX instruction
        byte[] d = data(0x37B);
        s.add(new Spec(LOAD + "fldcw [rbx]\nfld1\nfldz\nfdivp st(1), st\nfnstsw ax\npaddb mm0, mm1", d));
        return build(s);
    }

    /** 64 bits of lanes with edge values (0, -1, signed min/max) mixed with random ones. */
    static long lanes(Random r) {
        long v = r.nextLong();
        for (int k = 0; k < 8; k++) {
            int pick = r.nextInt(8);
            long b = switch (pick) {
                case 0 -> 0;
                case 1 -> 0xFF;
                case 2 -> 0x80;
                case 3 -> 0x7F;
                default -> -1;
            };
            if (b != -1) v = v & ~(0xFFL << 8 * k) | b << 8 * k;
        }
        return v;
    }

    @Test
    void matchesHost() {
        X87Cases.assertMatchesHost(cases());
    }
}
