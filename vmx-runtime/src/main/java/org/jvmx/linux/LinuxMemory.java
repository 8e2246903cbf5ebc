package org.jvmx.linux;

import static org.jvmx.linux.AddressSpace.pageUp;

/**
 * The memory system calls (mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c, mm/msync.c):
 * brk, mmap, munmap, mprotect, mremap, madvise, msync, on the process's {@link AddressSpace}.
 * Files come from the files group through {@link FileMapper}. Errors as Linux gives them:
 * EINVAL for unaligned addresses, zero lengths and bad flags, ENOMEM for ranges outside user
 * space or not mapped, EEXIST for MAP_FIXED_NOREPLACE over a mapping, EACCES for a writable
 * shared mapping of a file not opened for writing.
 *
 * <p>Threads: each call holds this group's monitor for its whole sequence of look-ups and
 * changes (one memory call at a time, as under mmap_lock held for writing); the address space's
 * own monitor guards each step against page faults of running threads. The file group is asked
 * for files without the address space's monitor held (a file's write takes its own lock, then
 * the address space's, to update shared pages).
 */
public final class LinuxMemory implements SyscallTable.Group {
    static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
    static final int MADV_DONTNEED = 4, MADV_FREE = 8;
    static final int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
    /** PROT_GROWSDOWN / PROT_GROWSUP: accepted by mprotect and ignored. */
    static final int PROT_GROWS = 0x0100_0000 | 0x0200_0000;

    private final AddressSpace space;
    private FileMapper files;
    private long brkStart, brk;

    /**
     * @param files    the files group's view of open files for file-backed mmap (null: every fd is EBADF)
     * @param brkStart the initial program break (the page after the program's bss)
     */
    public LinuxMemory(AddressSpace space, FileMapper files, long brkStart) {
        this.space = space;
        this.files = files;
        this.brkStart = brkStart;
        this.brk = brkStart;
    }

    @Override
    public void install(SyscallTable t) {
        t.put(9, "mmap", "pxxxfx", (a, l, p, f, fd, o) -> changed(mmap(a, l, (int) p, (int) f, (int) fd, o), (f & 0x10) != 0));
        t.put(10, "mprotect", "pxx", (a, l, p, x3, x4, x5) -> changed(mprotect(a, l, (int) p), true));
        t.put(11, "munmap", "px", (a, l, x2, x3, x4, x5) -> changed(munmap(a, l), true));
        t.put(12, "brk", "p", (a, x1, x2, x3, x4, x5) -> changed(brk(a), true));
        t.put(25, "mremap", "pxxxp", (a, o, n, f, na, x5) -> changed(mremap(a, o, n, (int) f, na), true));
        t.put(26, "msync", "pxx", (a, l, f, x3, x4, x5) -> msync(a, l, (int) f));
        t.put(28, "madvise", "pxd", (a, l, adv, x3, x4, x5) -> changed(madvise(a, l, (int) adv), true));
        t.maySleep(9, 10, 11, 12, 25, 26, 28); // the memory lock, held across the TLB shootdown
    }

    /**
     * What other threads must do after a call that may have removed or restricted translations
     * (their TLBs shot down, {@link LinuxThreads#shootdown}); null with one thread.
     */
    private volatile Runnable shootdown;

    void setShootdown(Runnable r) {
        this.shootdown = r;
    }

    /** After a successful change of the page tables: the other threads' TLBs lose the old entries before the call returns. */
    private long changed(long result, boolean removes) {
        Runnable r = shootdown;
        if (removes && r != null) r.run();
        return result;
    }

    /** Sets where file-backed mmap finds open files (the files group). */
    public void setFiles(FileMapper files) {
        this.files = files;
    }

    /** Sets the initial program break (after loading). */
    void resetBrk(long start) {
        this.brkStart = start;
        this.brk = start;
    }

    /** The current program break. */
    public long brk() {
        return brk;
    }

    private static long checkLength(long len) {
        if (len == 0) throw new LinuxError(Errno.EINVAL, "zero length");
        if (len < 0 || len > AddressSpace.TASK_SIZE) throw new LinuxError(Errno.ENOMEM, "length beyond user space");
        return pageUp(len);
    }

    private static void checkAligned(long addr) {
        if ((addr & 0xFFF) != 0) throw new LinuxError(Errno.EINVAL, "address not page-aligned");
    }

    private static void checkRange(long addr, long len) {
        if (addr < 0 || addr + len > AddressSpace.TASK_SIZE || addr + len < addr) {
            throw new LinuxError(Errno.ENOMEM, "range beyond user space");
        }
    }

    synchronized long brk(long addr) {
        if (addr < brkStart) return brk;
        long newEnd = pageUp(addr), oldEnd = pageUp(brk);
        if (newEnd > AddressSpace.MMAP_BASE) return brk;
        if (newEnd > oldEnd) {
            if (!space.isFree(oldEnd, newEnd)) return brk; // would run into a mapping: brk fails by returning the old break
            space.insert(new Vma(oldEnd, newEnd, Vma.PROT_READ | Vma.PROT_WRITE, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS,
                    null, 0, 0, "[heap]"));
        } else if (newEnd < oldEnd) {
            space.unmap(newEnd, oldEnd);
        }
        brk = addr;
        return brk;
    }

    synchronized long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        long len = checkLength(length);
        if ((offset & 0xFFF) != 0) throw new LinuxError(Errno.EINVAL, "offset not page-aligned");
        int type = flags & 0xF;
        if (type != Vma.MAP_SHARED && type != Vma.MAP_PRIVATE && type != 3) throw new LinuxError(Errno.EINVAL, "map type");
        if ((prot & ~(Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC | PROT_GROWS)) != 0) {
            throw new LinuxError(Errno.EINVAL, "prot");
        }
        prot &= 7;
        MappableFile file = null;
        long fileBytes = 0;
        String name = null;
        if ((flags & Vma.MAP_ANONYMOUS) == 0) {
            if (files == null) throw new LinuxError(Errno.EBADF);
            file = files.mappable(fd);
            if ((type & Vma.MAP_SHARED) != 0 && (prot & Vma.PROT_WRITE) != 0 && !file.writable()) {
                throw new LinuxError(Errno.EACCES, "shared writable mapping of a read-only file");
            }
            if (offset < 0) throw new LinuxError(Errno.EOVERFLOW);
            fileBytes = Math.max(0, file.size() - offset);
            name = "fd " + fd;
        }
        long start;
        if ((flags & (Vma.MAP_FIXED | Vma.MAP_FIXED_NOREPLACE)) != 0) {
            checkAligned(addr);
            checkRange(addr, len);
            if ((flags & Vma.MAP_FIXED) == 0 && !space.isFree(addr, addr + len)) {
                throw new LinuxError(Errno.EEXIST, "MAP_FIXED_NOREPLACE over a mapping");
            }
            start = addr;
        } else {
            long hint = AddressSpace.pageDown(addr);
            if (hint >= AddressSpace.MMAP_MIN && hint + len <= AddressSpace.TASK_SIZE && hint + len > hint
                    && space.isFree(hint, hint + len)) {
                start = hint;
            } else {
                start = space.findFree(len, AddressSpace.MMAP_BASE);
                if (start < 0) throw new LinuxError(Errno.ENOMEM, "no room");
            }
        }
        int keep = Vma.MAP_SHARED | Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS | Vma.MAP_GROWSDOWN;
        space.insert(new Vma(start, start + len, prot, flags & keep, file, offset, fileBytes, name));
        return start;
    }

    synchronized long munmap(long addr, long length) {
        checkAligned(addr);
        long len = checkLength(length);
        checkRange(addr, len);
        space.unmap(addr, addr + len);
        return 0;
    }

    synchronized long mprotect(long addr, long length, int prot) {
        checkAligned(addr);
        if ((prot & ~(Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC | PROT_GROWS)) != 0) {
            throw new LinuxError(Errno.EINVAL, "prot");
        }
        if (length == 0) return 0;
        long len = checkLength(length);
        checkRange(addr, len);
        if ((prot & Vma.PROT_WRITE) != 0) {
            for (Vma v : space.overlapping(addr, addr + len)) {
                if (v.shared() && v.file != null && !v.file.writable()) throw new LinuxError(Errno.EACCES);
            }
        }
        if (!space.protect(addr, addr + len, prot & 7)) throw new LinuxError(Errno.ENOMEM, "range not mapped");
        return 0;
    }

    synchronized long mremap(long old, long oldSize, long newSize, int flags, long newAddr) {
        checkAligned(old);
        if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0) throw new LinuxError(Errno.EINVAL);
        if ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0) throw new LinuxError(Errno.EINVAL);
        if ((flags & MREMAP_DONTUNMAP) != 0) throw new LinuxError(Errno.EINVAL, "MREMAP_DONTUNMAP is not supported");
        long oldLen = pageUp(oldSize);
        long newLen = checkLength(newSize);
        Vma v = space.find(old);
        if (v == null || old + Math.max(oldLen, 1) > v.end) throw new LinuxError(Errno.EFAULT, "old range not one mapping");
        if ((flags & MREMAP_FIXED) != 0) {
            checkAligned(newAddr);
            checkRange(newAddr, newLen);
            if (newAddr < old + oldLen && old < newAddr + newLen) throw new LinuxError(Errno.EINVAL, "ranges overlap");
            space.unmap(newAddr, newAddr + newLen);
            return moveTo(old, oldLen, newLen, newAddr);
        }
        if (newLen <= oldLen) {
            if (newLen < oldLen) space.unmap(old + newLen, old + oldLen);
            return old;
        }
        if (old + oldLen == v.end && old + newLen <= AddressSpace.TASK_SIZE && space.isFree(v.end, old + newLen)) {
            space.extend(v, old + newLen);
            return old;
        }
        if ((flags & MREMAP_MAYMOVE) == 0) throw new LinuxError(Errno.ENOMEM, "cannot grow in place");
        long to = space.findFree(newLen, AddressSpace.MMAP_BASE);
        if (to < 0) throw new LinuxError(Errno.ENOMEM);
        return moveTo(old, oldLen, newLen, to);
    }

    private long moveTo(long old, long oldLen, long newLen, long to) {
        long keep = Math.min(oldLen, newLen);
        if (oldLen > keep) space.unmap(old + keep, old + oldLen);
        space.move(old, keep, to);
        if (newLen > keep) {
            Vma last = space.find(to + keep - 1);
            space.extend(last, to + newLen);
        }
        return to;
    }

    synchronized long madvise(long addr, long length, int advice) {
        checkAligned(addr);
        if (length < 0) throw new LinuxError(Errno.EINVAL);
        if (length == 0) return 0;
        long len = pageUp(length);
        checkRange(addr, len);
        if (!space.isMapped(addr, addr + len)) throw new LinuxError(Errno.ENOMEM, "range not mapped");
        if (advice == MADV_DONTNEED || advice == MADV_FREE) space.discard(addr, addr + len);
        return 0;
    }

    synchronized long msync(long addr, long length, int flags) {
        checkAligned(addr);
        if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0 || (flags & MS_ASYNC) != 0 && (flags & MS_SYNC) != 0) {
            throw new LinuxError(Errno.EINVAL);
        }
        long len = pageUp(length);
        checkRange(addr, len);
        if (!space.isMapped(addr, addr + len)) throw new LinuxError(Errno.ENOMEM, "range not mapped");
        for (Vma v : space.overlapping(addr, addr + len)) space.writeBack(v, addr, addr + len);
        return 0;
    }
}
