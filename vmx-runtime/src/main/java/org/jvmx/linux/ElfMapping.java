package org.jvmx.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** An ELF file's bytes as mmap sees a read-only open file: what a loaded segment's pages are copied from. */
final class ElfMapping implements MappableFile {
    private final MemorySegment data;

    ElfMapping(MemorySegment data) {
        this.data = data;
    }

    @Override
    public long size() {
        return data.byteSize();
    }

    @Override
    public int read(long position, byte[] dst, int off, int len) {
        if (position >= data.byteSize()) return 0;
        int n = (int) Math.min(len, data.byteSize() - position);
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, position, dst, off, n);
        return n;
    }

    @Override
    public boolean writable() {
        return false;
    }

    @Override
    public void write(long position, byte[] src, int off, int len) {
        throw new LinuxError(Errno.EBADF, "ELF image is read-only");
    }
}
