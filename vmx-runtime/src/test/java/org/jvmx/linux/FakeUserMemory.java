package org.jvmx.linux;

/** A process memory for tests: {@code size} bytes at {@code BASE}; anything else is EFAULT. */
final class FakeUserMemory implements UserMemory {
    static final long BASE = 0x100000;
    final byte[] bytes;
    private long next = BASE;

    FakeUserMemory(int size) {
        bytes = new byte[size];
    }

    private int index(long va, int len) {
        if (va < BASE || len < 0 || va + len > BASE + bytes.length) throw new LinuxError(Errno.EFAULT);
        return (int) (va - BASE);
    }

    @Override
    public void read(long va, byte[] dst, int off, int len) {
        System.arraycopy(bytes, index(va, len), dst, off, len);
    }

    @Override
    public void write(long va, byte[] src, int off, int len) {
        System.arraycopy(src, off, bytes, index(va, len), len);
    }

    /** Allocates {@code n} zeroed bytes (8-aligned). */
    long alloc(int n) {
        long p = next;
        next += (n + 15) & ~7;
        index(p, n);
        java.util.Arrays.fill(bytes, (int) (p - BASE), (int) (p - BASE) + n, (byte) 0);
        return p;
    }

    long cstr(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long p = alloc(b.length + 1);
        write(p, b);
        return p;
    }

    int readU16(long va) {
        byte[] b = read(va, 2);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8;
    }

    String string(long va, int len) {
        return new String(read(va, len), java.nio.charset.StandardCharsets.UTF_8);
    }
}
