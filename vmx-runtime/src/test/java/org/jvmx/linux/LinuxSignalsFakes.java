package org.jvmx.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jvmx.linux.signal.FxImage;
import org.jvmx.vm.Reg;

/** Test doubles for the signal and misc groups: user memory made of mapped ranges, and a register file. */
final class LinuxSignalsFakes {
    private LinuxSignalsFakes() {
    }

    /** Memory with a few mapped ranges; anything else is EFAULT. */
    static final class Memory implements UserMemory {
        record Range(long base, byte[] bytes) { }

        final List<Range> ranges = new ArrayList<>();

        Memory map(long base, int size) {
            ranges.add(new Range(base, new byte[size]));
            return this;
        }

        private Range find(long va, int len) {
            for (Range r : ranges) {
                if (va >= r.base && va + len <= r.base + r.bytes.length) return r;
            }
            throw new LinuxError(Errno.EFAULT);
        }

        @Override
        public void read(long va, byte[] dst, int off, int len) {
            Range r = find(va, len);
            System.arraycopy(r.bytes, (int) (va - r.base), dst, off, len);
        }

        @Override
        public void write(long va, byte[] src, int off, int len) {
            Range r = find(va, len);
            System.arraycopy(src, off, r.bytes, (int) (va - r.base), len);
        }

        short readShort(long va) {
            return ByteBuffer.wrap(read(va, 2)).order(ByteOrder.LITTLE_ENDIAN).getShort();
        }
    }

    /** A user register file with an FXSAVE image. */
    static final class Context implements UserContext {
        final long[] regs = new long[16];
        long rip, rflags = 0x202;
        byte[] fx = FxImage.initial();

        @Override
        public long reg(Reg r) {
            return regs[r.number()];
        }

        @Override
        public void setReg(Reg r, long value) {
            regs[r.number()] = value;
        }

        @Override
        public long rip() {
            return rip;
        }

        @Override
        public void setRip(long rip) {
            this.rip = rip;
        }

        @Override
        public long rflags() {
            return rflags;
        }

        @Override
        public void setRflags(long rflags) {
            this.rflags = rflags;
        }

        @Override
        public byte[] fxsave() {
            return fx.clone();
        }

        @Override
        public void fxrstor(byte[] image) {
            fx = image.clone();
        }

        Context copy() {
            Context c = new Context();
            System.arraycopy(regs, 0, c.regs, 0, 16);
            c.rip = rip;
            c.rflags = rflags;
            c.fx = fx.clone();
            return c;
        }
    }
}
