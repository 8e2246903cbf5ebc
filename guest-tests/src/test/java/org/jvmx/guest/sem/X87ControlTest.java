package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.X87Cases.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/**
 * x87 control and the memory forms of the arithmetic against the host: FLDCW/FNSTCW/FNSTSW,
 * FNCLEX, FNINIT, FNSTENV/FLDENV and FNSAVE/FRSTOR (the whole image: FIP, FCS, FOP, FDP and FDS
 * included), FFREE/FFREEP, FINCSTP/FDECSTP, FNOP, WAIT and the
 * #MF (SIGFPE) an unmasked exception raises at the next waiting instruction; FADD...FDIVR with
 * m32/m64 and FIADD...FIDIVR with m16/m32 operands.
 */
class X87ControlTest implements DirectedCases {
    /** For an FNSAVE image at RBX+128: also clears the slots of empty registers (the host leaves scratch values there). */
    static final String SCRUB_SAVE = "pushfq\npush rax\npush rcx\npush rdx\npush rsi\n"
            + "movzx eax, word ptr [rbx+132]\nshr eax, 11\nand eax, 7\nmovzx edx, word ptr [rbx+136]\nxor ecx, ecx\n"
            + "5: lea esi, [rax+rax]\nbt edx, esi\njnc 6f\ninc esi\nbt edx, esi\njnc 6f\n"
            + "mov qword ptr [rbx+rcx+156], 0\nmov word ptr [rbx+rcx+164], 0\n"
            + "6: inc eax\nand eax, 7\nadd ecx, 10\ncmp ecx, 80\njne 5b\npop rsi\npop rdx\npop rcx\npop rax\npopfq\n";

    @Override
    public List<HostCase> cases() {
        Random r = new Random(0xC7);
        List<Spec> s = new ArrayList<>();
        String[] mem = {"fadd dword ptr [rbx+56]", "fmul qword ptr [rbx+48]", "fsub dword ptr [rbx+56]",
                "fsubr qword ptr [rbx+48]", "fdiv qword ptr [rbx+48]", "fdivr dword ptr [rbx+56]",
                "fiadd word ptr [rbx+64]", "fimul dword ptr [rbx+72]", "fisub word ptr [rbx+64]",
                "fisubr dword ptr [rbx+72]", "fidiv word ptr [rbx+64]", "fidivr dword ptr [rbx+72]",
                "fadd qword ptr [rbx+48]", "fsub qword ptr [rbx+48]", "fmul dword ptr [rbx+56]",
                "fdiv dword ptr [rbx+56]", "fiadd dword ptr [rbx+72]", "fidiv dword ptr [rbx+72]"};
        for (String op : mem) {
            for (int k = 0; k < 100; k++) {
                byte[] d = data(FCWS[k % FCWS.length]);
                put80(d, A, value80(r));
                put(d, M64, X87LoadStoreTest.double64(r), 8);
                put(d, M32, X87LoadStoreTest.float32(r), 4);
                put(d, I16, r.nextLong() >> r.nextInt(64), 2);
                put(d, I32, r.nextLong() >> r.nextInt(64), 4);
                s.add(new Spec("fldcw [rbx]\nfld tbyte ptr [rbx+16]\n" + op, d));
            }
        }
        String three = "fldcw [rbx]\nfldpi\nfld tbyte ptr [rbx+16]\nfld1\n";
        String[] ctl = {"fnstcw word ptr [rbx+128]", "fnstsw word ptr [rbx+128]", "fnstsw ax", "fnclex", "fninit",
                "fnstenv [rbx+128]", "fnstenv [rbx+128]\nfldenv [rbx+128]", "data16 fnstenv [rbx+128]",
                "data16 fnsave [rbx+128]\nfninit\ndata16 frstor [rbx+128]",
                "fnsave [rbx+128]\n" + SCRUB_SAVE, "fnsave [rbx+128]\n" + SCRUB_SAVE + "frstor [rbx+128]",
                "ffree st(1)", "ffree st(0)", ".byte 0xdf, 0xc1", "fincstp", "fdecstp", "fnop", "wait",
                "fincstp\nfincstp\nfxch st(3)", "fdecstp\nfld1", "fnstenv [rbx+128]\n"
                + "mov word ptr [rbx+136], 0xffff\nfldenv [rbx+128]\nfnstsw ax",
                "fnsave [rbx+128]\n" + SCRUB_SAVE + "mov word ptr [rbx+128], 0x0c7f\nfrstor [rbx+128]\nfld1\nfadd st, st(2)"};
        for (String op : ctl) {
            for (int k = 0; k < 8; k++) {
                byte[] d = data(k < 4 ? 0x37F : FCWS[r.nextInt(FCWS.length)]);
                put80(d, A, value80(r));
                s.add(new Spec(three + "fdiv st, st(2)\n" + op, d));
            }
        }
        // unmasked exceptions: #MF at the next waiting instruction (after FNSTSW/FNSTCW, which do not wait)
        for (int fcw : new int[] {0x37E, 0x37B, 0x37D, 0x377, 0x36F, 0x35F}) {
            byte[] d = data(fcw);
            put80(d, A, new long[] {0, 0});
            put80(d, B, new long[] {1, 0});
            s.add(new Spec("fldcw [rbx]\nfld tbyte ptr [rbx+32]\nfld tbyte ptr [rbx+16]\nfdiv st, st(1)\nfnstsw ax\nwait", d));
            s.add(new Spec("fldcw [rbx]\nfld tbyte ptr [rbx+32]\nfld tbyte ptr [rbx+16]\nfdivr st, st(1)\nfnstsw ax\nfnstcw [rbx+128]\nfadd st, st(1)", d));
            s.add(new Spec("fldcw [rbx]\nfldpi\nfld1\nfscale\nfnstsw ax\nfnclex\nfld1\nfld tbyte ptr [rbx+32]\nfmul st, st(0)\nmov ecx, 1\nfsqrt", d));
            s.add(new Spec("fldcw [rbx]\nfstp st(0)\nfnstsw ax\nfld1", d));
            s.add(new Spec("fldcw [rbx]\nfld tbyte ptr [rbx+32]\nfistp word ptr [rbx+128]\nfnstsw ax\nmov word ptr [rbx], 0x37f\nfldcw [rbx]", d));
            s.add(new Spec("fldcw [rbx]\nfld tbyte ptr [rbx+32]\nfsqrt\nfnstsw ax\nfnclex\nfldcw [rbx]\nfst st(1)", d));
            s.add(new Spec("fldcw [rbx]\nfld tbyte ptr [rbx+32]\nfsqrt\nfnsave [rbx+128]\n" + SCRUB_SAVE + "fnstsw ax\nfld1", d));
        }
        return build(s);
    }

    @Test
    void matchesHost() {
        X87Cases.assertMatchesHost(cases());
    }
}
