package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.jvmx.vm.Vm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The address space and the memory system calls driven directly (no guest code): file mappings, write-back, moves, EFAULT. */
class AddressSpaceTest {
    private final Vm vm = Vm.create();
    private final AddressSpace space = new AddressSpace(vm);
    private final MemFile file = new MemFile(10_000, true);
    private final LinuxMemory mm = new LinuxMemory(space, fd -> {
        if (fd == 3) return file;
        if (fd == 4) return new MemFile(100, false);
        throw new LinuxError(Errno.EBADF);
    }, 0x600000);

    @AfterEach
    void close() {
        vm.close();
    }

    /** A file held in memory. */
    static final class MemFile implements MappableFile {
        byte[] data;
        final boolean writable;

        MemFile(int size, boolean writable) {
            data = new byte[size];
            for (int i = 0; i < size; i++) data[i] = (byte) (i * 7 + 1);
            this.writable = writable;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public int read(long position, byte[] dst, int off, int len) {
            if (position >= data.length) return 0;
            int n = (int) Math.min(len, data.length - position);
            System.arraycopy(data, (int) position, dst, off, n);
            return n;
        }

        @Override
        public boolean writable() {
            return writable;
        }

        @Override
        public void write(long position, byte[] src, int off, int len) {
            System.arraycopy(src, off, data, (int) position, len);
        }
    }

    static long errno(Runnable r) {
        try {
            r.run();
            return 0;
        } catch (LinuxError e) {
            return e.errno;
        }
    }

    @Test
    void privateFileMappingCopiesAndZeroFillsPastTheEnd() {
        long a = mm.mmap(0, 12288, Vma.PROT_READ | Vma.PROT_WRITE, Vma.MAP_PRIVATE, 3, 4096);
        byte[] got = space.read(a, 10_000 - 4096);
        assertArrayEquals(Arrays.copyOfRange(file.data, 4096, 10_000), got);
        assertEquals(0, space.read(a + 10_000 - 4096, 1)[0]); // past EOF within the last page: zeros
        space.write(a, new byte[] {99});
        assertEquals(file.data[4096], (byte) (4096 * 7 + 1)); // private: the file is untouched
        assertEquals(99, space.read(a, 1)[0]);
    }

    @Test
    void sharedFileMappingWritesBackOnMsyncAndMunmap() {
        long a = mm.mmap(0, 8192, Vma.PROT_READ | Vma.PROT_WRITE, Vma.MAP_SHARED, 3, 0);
        space.write(a + 10, new byte[] {42});
        assertEquals(0, mm.msync(a, 4096, LinuxMemory.MS_SYNC));
        assertEquals(42, file.data[10]);
        space.write(a + 4097, new byte[] {43});
        mm.munmap(a, 8192);
        assertEquals(43, file.data[4097]);
    }

    @Test
    void sharedWritableMappingOfReadOnlyFileIsEacces() {
        assertEquals(Errno.EACCES, errno(() -> mm.mmap(0, 4096, Vma.PROT_READ | Vma.PROT_WRITE, Vma.MAP_SHARED, 4, 0)));
        long a = mm.mmap(0, 4096, Vma.PROT_READ, Vma.MAP_SHARED, 4, 0);
        assertEquals(Errno.EACCES, errno(() -> mm.mprotect(a, 4096, Vma.PROT_READ | Vma.PROT_WRITE)));
        assertEquals(0, mm.mmap(0, 4096, Vma.PROT_READ | Vma.PROT_WRITE, Vma.MAP_PRIVATE, 4, 0) & 0xFFF);
        assertEquals(Errno.EBADF, errno(() -> mm.mmap(0, 4096, Vma.PROT_READ, Vma.MAP_PRIVATE, 5, 0)));
    }

    @Test
    void topDownAllocationAndHints() {
        long a = mm.mmap(0, 4096, 3, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS, -1, 0);
        long b = mm.mmap(0, 8192, 3, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS, -1, 0);
        assertEquals(AddressSpace.MMAP_BASE - 4096, a);
        assertEquals(a - 8192, b);
        assertEquals(0x20000000L, mm.mmap(0x20000000L, 4096, 3, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS, -1, 0));
        // a hint over a mapping is ignored, not an error
        assertEquals(b - 4096, mm.mmap(a, 4096, 3, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS, -1, 0));
        mm.munmap(b, 8192);
        assertEquals(b + 4096, mm.mmap(0, 4096, 3, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS, -1, 0)); // the hole is reused
    }

    @Test
    void mremapMovesFramesAndKeepsData() {
        long a = mm.mmap(0x30000000L, 8192, 3, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS, -1, 0);
        mm.mmap(0x30002000L, 4096, 3, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS, -1, 0); // blocks growing in place
        space.write(a + 5, new byte[] {1, 2, 3});
        space.write(a + 4096, new byte[] {4});
        long resident = space.residentPages();
        long b = mm.mremap(a, 8192, 16384, LinuxMemory.MREMAP_MAYMOVE, 0);
        assertTrue(b != a);
        assertEquals(resident, space.residentPages()); // moved, not copied
        assertArrayEquals(new byte[] {1, 2, 3}, space.read(b + 5, 3));
        assertEquals(4, space.read(b + 4096, 1)[0]);
        assertEquals(0, space.read(b + 16383, 1)[0]);
        assertEquals(Errno.EFAULT, errno(() -> space.read(a, 1)));
        assertEquals(Errno.ENOMEM, errno(() -> mm.mremap(b, 16384, 1L << 46, 0, 0)));
        long fixed = mm.mremap(b, 16384, 16384, LinuxMemory.MREMAP_MAYMOVE | LinuxMemory.MREMAP_FIXED, 0x40000000L);
        assertEquals(0x40000000L, fixed);
        assertEquals(4, space.read(fixed + 4096, 1)[0]);
    }

    @Test
    void userMemoryFaultsAndProtection() {
        assertEquals(Errno.EFAULT, errno(() -> space.read(0x1000, 1)));
        assertEquals(Errno.EFAULT, errno(() -> space.read(-4096, 1)));
        long a = mm.mmap(0, 8192, Vma.PROT_READ, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS, -1, 0);
        assertEquals(Errno.EFAULT, errno(() -> space.write(a, new byte[1])));
        mm.mprotect(a + 4096, 4096, Vma.PROT_NONE);
        assertEquals(Errno.EFAULT, errno(() -> space.read(a + 4000, 200))); // crosses into PROT_NONE
        assertEquals(0, space.read(a, 1)[0]);
        assertEquals(2, space.segvCode(a + 4096));
        assertEquals(1, space.segvCode(0x1000));
        assertFalse(space.fault(a, AddressSpace.PF_WRITE | AddressSpace.PF_USER));
        assertTrue(space.fault(a, AddressSpace.PF_USER));
    }

    @Test
    void brkGrowsShrinksAndStopsAtMappings() {
        assertEquals(0x600000, mm.brk(0));
        assertEquals(0x600000 + 5000, mm.brk(0x600000 + 5000));
        space.write(0x600000 + 4999, new byte[] {7});
        assertEquals(0x600000 + 10, mm.brk(0x600000 + 10));
        assertEquals(Errno.EFAULT, errno(() -> space.read(0x601000, 1)));
        mm.mmap(0x700000, 4096, 3, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS | Vma.MAP_FIXED, -1, 0);
        assertEquals(0x600000 + 10, mm.brk(0x800000)); // would run into the mapping
    }

    @Test
    void stackGrowsDownOnFault() {
        space.insert(new Vma(AddressSpace.STACK_TOP - 8192, AddressSpace.STACK_TOP, 3,
                Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS | Vma.MAP_GROWSDOWN, null, 0, 0, "[stack]"));
        long below = AddressSpace.STACK_TOP - 100_000;
        assertTrue(space.fault(below, AddressSpace.PF_WRITE | AddressSpace.PF_USER));
        assertEquals(AddressSpace.pageDown(below), space.find(below).start);
    }

    @Test
    void straceFormatting() {
        long a = mm.mmap(0, 4096, 3, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS, -1, 0);
        space.write(a, "/etc/passwd\0hello\n".getBytes());
        var open = new SyscallTable.Entry("openat", "fso", null);
        assertEquals("openat(AT_FDCWD, \"/etc/passwd\", 0)",
                Strace.call(open, 257, new long[] {-100, a, 0, 0, 0, 0}, space, 3));
        assertEquals(" = -1 ENOENT (No such file or directory)", Strace.result(open, -2));
        assertEquals(" = 3", Strace.result(open, 3));
        var write = new SyscallTable.Entry("write", "fbu", null);
        assertEquals("write(1, \"hello\\n\", 6)", Strace.call(write, 1, new long[] {1, a + 12, 6, 0, 0, 0}, space, 6));
        assertEquals("syscall_0x1c8(0x1, 0x0, 0x0, 0x0, 0x0, 0x0)", Strace.call(null, 456, new long[] {1, 0, 0, 0, 0, 0}, space, -38));
    }
}
