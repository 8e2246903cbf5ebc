package org.jvmx.guest.host;

/**
 * Runs 32-bit code under the host oracle: a snippet is wrapped so that it enters compatibility
 * mode with a far return to Linux's 32-bit user code segment (0x23), runs there, and comes back
 * to 64-bit mode (0x33) the same way; in jvmx the same bytes make the same far transfers through
 * the same GDT layout ({@link JvmxCpu}). After the return, the wrapper zero-extends EAX..EDI: the
 * SDM leaves the upper halves of the registers undefined after compatibility mode. The snippet
 * must keep ESP inside the scratch stack, must not use R8-R15 (not addressable there), and
 * must not define the numeric labels 7, 8 and 9, which the wrapper uses.
 */
public final class Compat32 {
    private Compat32() {
    }

    /**
     * The bitness to decode the instruction after {@code in} with, in a case's code that starts
     * in 64-bit mode: a far return switches between 64-bit and compatibility mode (the only far
     * returns in cases are the wrappers').
     */
    public static int bitnessAfter(org.jvmx.decoder.Instruction in, int bits) {
        return in.mnemonic() == org.jvmx.decoder.Mnemonic.RETF ? (bits == 64 ? 32 : 64) : bits;
    }

    /** Intel-syntax source of {@code snippet32} wrapped for {@link Gas}. */
    public static String wrap(String snippet32) {
        return """
                7:
                push 0x23
                push 0x20000000 + (8f - 7b)
                rex64 retf
                .code32
                8:
                %s
                push 0x33
                push 0x20000000 + (9f - 7b)
                retf
                .code64
                9:
                mov eax, eax
                mov ecx, ecx
                mov edx, edx
                mov ebx, ebx
                mov esp, esp
                mov ebp, ebp
                mov esi, esi
                mov edi, edi
                """.formatted(snippet32);
    }
}
