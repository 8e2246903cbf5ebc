package org.jvmx.guest.fuzz;

import java.util.SplittableRandom;
import org.jvmx.guest.host.HostCpu;

/**
 * The rules that keep a random sequence inside the harness's sandbox: R15 holds a pointer into
 * the data half of the scratch area and is never written; RSP is never an explicit operand (it
 * moves only through stack instructions, in balanced units); every memory access is
 * {@code [r15 + disp]} (or with an index register set to a small value just before), with the
 * displacement chosen so that the whole access stays inside scratch.
 */
final class Sandbox {
    /** The value R15 holds: the middle of the scratch area's data half (the stack is the upper half). */
    static final long R15_BASE = HostCpu.SCRATCH_BASE + 0x800;
    /** Accesses stay within [R15_BASE + MIN_DISP, R15_BASE + MAX_END). */
    static final int MIN_DISP = -0x800, MAX_END = 0x7f0;

    /** General registers by number (encoding order) that random operands may name: not RSP (4), not R15. */
    static final int[] GPRS = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
    static final String[] R64 = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11",
            "r12", "r13", "r14", "r15" };
    static final String[] R32 = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d",
            "r11d", "r12d", "r13d", "r14d", "r15d" };
    static final String[] R16 = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w",
            "r12w", "r13w", "r14w", "r15w" };
    static final String[] R8 = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b",
            "r12b", "r13b", "r14b", "r15b" };
    static final String[] R8_HIGH = { "ah", "ch", "dh", "bh" };

    private Sandbox() {
    }

    static String gpr(int n, int bits) {
        return switch (bits) {
            case 8 -> R8[n];
            case 16 -> R16[n];
            case 32 -> R32[n];
            default -> R64[n];
        };
    }

    static int randomGpr(SplittableRandom r) { return GPRS[r.nextInt(GPRS.length)]; }

    /** A displacement for an access of {@code bytes} bytes, aligned to min(bytes, 16) nearly always. */
    static int disp(SplittableRandom r, int bytes) {
        int size = Math.max(1, bytes);
        int span = MAX_END - MIN_DISP - size;
        int d = MIN_DISP + r.nextInt(Math.max(1, span));
        if (r.nextInt(20) != 0) {
            int align = Integer.highestOneBit(Math.min(Math.max(size, 1), 64));
            d &= -align;
            if (d < MIN_DISP) d += align;
        }
        return d;
    }

    /** {@code [r15 + d]} in Intel syntax. */
    static String mem(int d) {
        return d < 0 ? "[r15 - " + -d + "]" : "[r15 + " + d + "]";
    }
}
