package org.jvmx.linux.signal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.FpuState;

/**
 * The 512-byte FXSAVE image (64-bit format, SDM Vol. 1, 10.5.1, Table 10-2) built from and
 * loaded into the translator's {@link CpuState}, for monitors that save the user FPU state in a
 * signal frame the way the kernel's FXSAVE does. Bytes 416..511 are left zero.
 */
public final class FxImage {
    private FxImage() {
    }

    public static final int SIZE = 512, FCW = 0, FSW = 2, FTW = 4, FOP = 6, FIP = 8, FDP = 16, MXCSR = 24,
            MXCSR_MASK = 28, ST0 = 32, XMM0 = 160;
    /** MXCSR bits a load may set (the model's MXCSR_MASK): the upper half is reserved, #GP on FXRSTOR. */
    public static final int MXCSR_WRITABLE = 0xFFFF;

    /** The state after FNINIT with MXCSR at reset (what a signal handler starts with: fpu__clear_user_states). */
    public static byte[] initial() {
        ByteBuffer b = le(new byte[SIZE]);
        b.putShort(FCW, (short) 0x37F).putInt(MXCSR, CpuState.MXCSR_RESET).putInt(MXCSR_MASK, MXCSR_WRITABLE);
        return b.array();
    }

    public static int mxcsr(byte[] image) {
        return le(image).getInt(MXCSR);
    }

    public static int fcw(byte[] image) {
        return le(image).getShort(FCW) & 0xFFFF;
    }

    public static int fsw(byte[] image) {
        return le(image).getShort(FSW) & 0xFFFF;
    }

    public static byte[] save(CpuState s) {
        ByteBuffer b = le(new byte[SIZE]);
        FpuState f = s.fpu;
        b.putShort(FCW, (short) f.fcw).putShort(FSW, (short) f.fsw).put(FTW, (byte) abridged(f.ftw))
                .putShort(FOP, (short) (f.fop & 0x7FF)).putLong(FIP, f.fip).putLong(FDP, f.fdp)
                .putInt(MXCSR, s.mxcsr).putInt(MXCSR_MASK, MXCSR_WRITABLE);
        for (int st = 0; st < 8; st++) {
            int r = f.physical(st);
            b.putLong(ST0 + 16 * st, f.mantissa[r]).putShort(ST0 + 16 * st + 8, f.signExponent[r]);
        }
        for (int k = 0; k < 32; k++) b.putLong(XMM0 + 8 * k, s.xmm[k]);
        return b.array();
    }

    /** Loads an image (MXCSR's reserved bits must be clear: the caller checks, as FXRSTOR would #GP). */
    public static void load(CpuState s, byte[] image) {
        ByteBuffer b = le(image);
        FpuState f = s.fpu;
        f.fcw = b.getShort(FCW) & 0xFFFF;
        f.fsw = b.getShort(FSW) & 0xFFFF;
        f.fop = b.getShort(FOP) & 0x7FF;
        f.fip = b.getLong(FIP);
        f.fdp = b.getLong(FDP);
        f.fcs = 0;
        f.fds = 0;
        for (int st = 0; st < 8; st++) {
            int r = f.physical(st);
            f.mantissa[r] = b.getLong(ST0 + 16 * st);
            f.signExponent[r] = b.getShort(ST0 + 16 * st + 8);
        }
        f.ftw = full(f, b.get(FTW) & 0xFF);
        s.mxcsr = b.getInt(MXCSR) & MXCSR_WRITABLE;
        for (int k = 0; k < 32; k++) s.xmm[k] = b.getLong(XMM0 + 8 * k);
    }

    /** Abridged tag byte: bit r set when physical register r is not empty (SDM Vol. 1, 10.5.1.1). */
    static int abridged(int ftw) {
        int t = 0;
        for (int r = 0; r < 8; r++) if ((ftw >>> (2 * r) & 3) != 3) t |= 1 << r;
        return t;
    }

    /** The full tag word FXRSTOR rebuilds from the abridged tags and the register contents. */
    static int full(FpuState f, int abridged) {
        int ftw = 0;
        for (int r = 0; r < 8; r++) {
            int tag = 3;
            if ((abridged >>> r & 1) != 0) {
                int exp = f.signExponent[r] & 0x7FFF;
                long man = f.mantissa[r];
                if (exp == 0x7FFF) tag = 2;
                else if (exp == 0) tag = man == 0 ? 1 : 2;
                else tag = man < 0 ? 0 : 2;
            }
            ftw |= tag << (2 * r);
        }
        return ftw;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
