package org.jvmx.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jvmx.vm.Vm;

/**
 * A process's virtual address space: its {@link Vma}s, the frames behind the pages touched so
 * far and the page tables the vCPU walks. Pages are filled on demand ({@link #fault}, from a
 * #PF VM exit, or from a system call's access through {@link UserMemory}); MAP_PRIVATE file
 * pages are private copies of the file's bytes. MAP_SHARED file pages are one frame per file page
 * however many mappings show it, and the file's read()/write()/truncate see them
 * ({@link org.jvmx.linux.fs.MappedPages}), as Linux's page cache makes them. The layout follows Linux x86-64 without
 * address-space randomization: user space below {@link #TASK_SIZE}, the stack just below it,
 * mmap allocations top-down from {@link #MMAP_BASE}.
 *
 * <p>Threads: every method that reads or changes the areas, the page map or the page tables
 * holds this object's monitor (one coarse lock per address space, like mmap_lock taken for
 * writing: correctness beats concurrency here; page faults of several threads serialize). Guest
 * code of other threads keeps running meanwhile: entries are written with single 8-byte stores,
 * and after a change that removes or restricts a translation the memory system calls shoot the
 * other vCPUs' TLBs down ({@link LinuxThreads#shootdown}).
 */
public final class AddressSpace implements UserMemory, org.jvmx.linux.fs.MappedPages {
    /** Linux x86-64 TASK_SIZE_MAX with 4-level paging: the end of user space. */
    public static final long TASK_SIZE = 0x7FFF_FFFF_F000L;
    /** The top of the initial stack (no randomization). */
    public static final long STACK_TOP = TASK_SIZE;
    /** Room reserved for the stack below its top (RLIMIT_STACK's default 8 MiB). */
    public static final long STACK_SIZE = 8L << 20;
    /** Top of the mmap area: below the stack and its gap, as mmap_base() gives it without randomization. */
    public static final long MMAP_BASE = 0x7FFF_F7FF_F000L;
    /** vm.mmap_min_addr's usual value: nothing is mapped below it unless asked with MAP_FIXED. */
    public static final long MMAP_MIN = 0x10000;
    static final long PAGE = Frames.PAGE;

    private final Frames frames;
    private final UserPageTables tables;
    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    /** Frames backing user pages, by virtual page number; PROT_NONE pages keep theirs. */
    private final TreeMap<Long, Long> pages = new TreeMap<>();
    /** Resident MAP_SHARED file pages: file identity → file page index → page. */
    private final Map<Object, TreeMap<Long, SharedPage>> shared = new java.util.HashMap<>();
    /** The same pages by frame (a frame found here is released only by its last mapping). */
    private final Map<Long, SharedPage> sharedByFrame = new java.util.HashMap<>();
    private long faults;

    /** One file page shown by MAP_SHARED mappings: its frame, how many virtual pages map it, a file to write it to. */
    private static final class SharedPage {
        final Object file;
        final long index, frame;
        int refs;
        MappableFile writer;

        SharedPage(Object file, long index, long frame) {
            this.file = file;
            this.index = index;
            this.frame = frame;
        }
    }

    public AddressSpace(Vm vm) {
        this.frames = new Frames(vm);
        this.tables = new UserPageTables(frames);
    }

    /** CR3 for the vCPU. */
    public long cr3() {
        return tables.root;
    }

    Frames frames() {
        return frames;
    }

    static long pageDown(long a) {
        return a & -PAGE;
    }

    static long pageUp(long a) {
        return a + PAGE - 1 & -PAGE;
    }

    /** The area containing {@code va}, or null. */
    public synchronized Vma find(long va) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(va);
        return e != null && va < e.getValue().end ? e.getValue() : null;
    }

    /** Areas overlapping [{@code start}, {@code end}), in address order. */
    synchronized List<Vma> overlapping(long start, long end) {
        List<Vma> out = new ArrayList<>();
        Map.Entry<Long, Vma> first = vmas.floorEntry(start);
        long from = first != null && first.getValue().end > start ? first.getKey() : start;
        for (Vma v : vmas.subMap(from, true, end, false).values()) out.add(v);
        return out;
    }

    /** Whether no area overlaps [{@code start}, {@code end}). */
    synchronized boolean isFree(long start, long end) {
        return overlapping(start, end).isEmpty();
    }

    /** Whether every byte of [{@code start}, {@code end}) belongs to some area. */
    synchronized boolean isMapped(long start, long end) {
        long at = start;
        for (Vma v : overlapping(start, end)) {
            if (v.start > at) return false;
            at = v.end;
        }
        return at >= end;
    }

    synchronized List<Vma> areas() {
        return new ArrayList<>(vmas.values());
    }

    /** Adds {@code v}, replacing whatever was mapped in its range (MAP_FIXED semantics). */
    synchronized void insert(Vma v) {
        unmap(v.start, v.end);
        vmas.put(v.start, v);
    }

    /**
     * The highest free range of {@code len} bytes that ends at or below {@code limit} and starts
     * at or above {@link #MMAP_MIN} (the top-down allocator of Linux's mmap); -1 when none.
     */
    synchronized long findFree(long len, long limit) {
        long top = limit;
        for (Vma v : vmas.descendingMap().values()) {
            if (v.start >= top) continue;
            if (v.end <= top) {
                if (top - v.end >= len) return top - len;
            }
            top = Math.min(top, v.start);
        }
        return top - MMAP_MIN >= len ? top - len : -1;
    }

    /** Removes [{@code start}, {@code end}) from every area, freeing its frames (shared file pages are written back first). */
    synchronized void unmap(long start, long end) {
        for (Vma v : overlapping(start, end)) {
            long from = Math.max(start, v.start), to = Math.min(end, v.end);
            if (v.shared() && v.file != null) writeBack(v, from, to);
            vmas.remove(v.start);
            if (v.start < from) vmas.put(v.start, v.slice(v.start, from));
            if (to < v.end) vmas.put(to, v.slice(to, v.end));
            dropPages(from, to);
        }
    }

    /** Frees the frames of [{@code from}, {@code to}) and clears their entries. */
    synchronized void dropPages(long from, long to) {
        Map<Long, Long> range = pages.subMap(from >>> 12, to >>> 12);
        for (Map.Entry<Long, Long> p : range.entrySet()) {
            tables.clear(p.getKey() << 12);
            SharedPage sp = sharedByFrame.get(p.getValue());
            if (sp == null) {
                frames.release(p.getValue());
            } else if (--sp.refs == 0) {
                sharedByFrame.remove(sp.frame);
                TreeMap<Long, SharedPage> ofFile = shared.get(sp.file);
                ofFile.remove(sp.index);
                if (ofFile.isEmpty()) shared.remove(sp.file);
                frames.release(sp.frame);
            }
        }
        range.clear();
    }

    /**
     * Sets the protection of [{@code start}, {@code end}); false (and nothing changed) when part
     * of the range is not mapped (mprotect's ENOMEM).
     */
    synchronized boolean protect(long start, long end, int prot) {
        if (!isMapped(start, end)) return false;
        for (Vma v : overlapping(start, end)) {
            long from = Math.max(start, v.start), to = Math.min(end, v.end);
            vmas.remove(v.start);
            if (v.start < from) vmas.put(v.start, v.slice(v.start, from));
            if (to < v.end) vmas.put(to, v.slice(to, v.end));
            Vma mid = v.slice(from, to);
            mid.prot = prot;
            vmas.put(from, mid);
            for (Map.Entry<Long, Long> p : pages.subMap(from >>> 12, to >>> 12).entrySet()) {
                setEntry(p.getKey() << 12, p.getValue(), mid);
            }
        }
        return true;
    }

    /**
     * Moves the pages of [{@code from}, {@code from + len}) to {@code to} (mremap's move): the
     * frames go along, nothing is copied. The target must be free.
     */
    synchronized void move(long from, long len, long to) {
        List<Vma> parts = overlapping(from, from + len);
        List<long[]> moved = new ArrayList<>();
        for (Map.Entry<Long, Long> p : pages.subMap(from >>> 12, (from + len) >>> 12).entrySet()) {
            moved.add(new long[] {p.getKey() << 12, p.getValue()});
        }
        for (long[] m : moved) {
            pages.remove(m[0] >>> 12);
            tables.clear(m[0]);
        }
        for (Vma v : parts) {
            long a = Math.max(from, v.start), b = Math.min(from + len, v.end);
            vmas.remove(v.start);
            if (v.start < a) vmas.put(v.start, v.slice(v.start, a));
            if (b < v.end) vmas.put(b, v.slice(b, v.end));
            Vma n = v.slice(a, b);
            n.start = a - from + to;
            n.end = b - from + to;
            vmas.put(n.start, n);
        }
        for (long[] m : moved) {
            long va = m[0] - from + to;
            pages.put(va >>> 12, m[1]);
            setEntry(va, m[1], find(va));
        }
    }

    /** Extends area {@code v} (which must end at {@code v.end}) up to {@code newEnd}; the range must be free. */
    synchronized void extend(Vma v, long newEnd) {
        v.end = newEnd;
    }

    /** Shrinks the areas of [{@code start}, {@code end}) that are private, zeroing them: MADV_DONTNEED. */
    synchronized void discard(long start, long end) {
        for (Vma v : overlapping(start, end)) {
            if (v.shared() && v.file != null) continue; // the file keeps the data; the pages stay
            dropPages(Math.max(start, v.start), Math.min(end, v.end));
        }
    }

    /** Writes the pages of a MAP_SHARED file mapping in [{@code from}, {@code to}) back to the file (msync, munmap). */
    synchronized void writeBack(Vma v, long from, long to) {
        if (v.file == null || !v.shared() || !v.file.writable()) return;
        byte[] buf = new byte[(int) PAGE];
        long size = v.file.size();
        for (Map.Entry<Long, Long> p : pages.subMap(Math.max(from, v.start) >>> 12, Math.min(to, v.end) >>> 12).entrySet()) {
            long va = p.getKey() << 12;
            long pos = v.fileOffset + (va - v.start);
            if (pos >= size) continue;
            int n = (int) Math.min(PAGE, size - pos);
            frames.read(p.getValue(), buf, 0, n);
            v.file.write(pos, buf, 0, n);
        }
    }

    /** Writes back every MAP_SHARED file page (at exit). */
    synchronized void writeBackAll() {
        for (Vma v : areas()) if (v.shared() && v.file != null) writeBack(v, v.start, v.end);
    }

    // ---- MappedPages: file I/O and the shared pages see one file

    @Override
    public synchronized boolean any() {
        return !shared.isEmpty();
    }

    /** The resident shared pages of {@code file} overlapping [{@code pos}, {@code pos + len}). */
    private java.util.Collection<SharedPage> sharedIn(Object file, long pos, long len) {
        TreeMap<Long, SharedPage> ofFile = shared.get(file);
        if (ofFile == null || len <= 0) return List.of();
        return ofFile.subMap(pos >>> 12, true, (pos + len - 1) >>> 12, true).values();
    }

    @Override
    public synchronized void flush(Object file, long pos, long len) {
        byte[] buf = new byte[(int) PAGE];
        for (SharedPage sp : sharedIn(file, pos, len)) {
            if (sp.writer == null) continue; // only writable mappings change a page
            long at = sp.index << 12, size = sp.writer.size();
            if (at >= size) continue;
            int n = (int) Math.min(PAGE, size - at);
            frames.read(sp.frame, buf, 0, n);
            sp.writer.write(at, buf, 0, n);
        }
    }

    @Override
    public synchronized void written(Object file, long pos, byte[] src, int off, int len) {
        for (SharedPage sp : sharedIn(file, pos, len)) {
            long at = sp.index << 12;
            long from = Math.max(pos, at), to = Math.min(pos + len, at + PAGE);
            frames.write(sp.frame + (from - at), src, off + (int) (from - pos), (int) (to - from));
        }
    }

    @Override
    public synchronized void truncated(Object file, long size) {
        TreeMap<Long, SharedPage> ofFile = shared.get(file);
        if (ofFile == null) return;
        for (SharedPage sp : ofFile.tailMap(size >>> 12, true).values()) {
            long at = sp.index << 12, from = Math.max(size, at);
            if (from < at + PAGE) frames.write(sp.frame + (from - at), new byte[(int) (at + PAGE - from)], 0, (int) (at + PAGE - from));
        }
    }

    // ---- demand paging

    /** #PF error code bits (SDM Vol. 3A, 4.7). */
    static final int PF_PRESENT = 1, PF_WRITE = 2, PF_USER = 4, PF_FETCH = 16;

    /**
     * A page fault of the process at {@code va} with the #PF {@code errorCode}: true when the page
     * was filled (or its entry refreshed) and the instruction can be run again; false when the
     * access is outside every area or against its protection (a SIGSEGV).
     */
    public synchronized boolean fault(long va, int errorCode) {
        faults++;
        boolean write = (errorCode & PF_WRITE) != 0, fetch = (errorCode & PF_FETCH) != 0;
        Vma v = find(va);
        if (v == null) v = growStack(va);
        if (v == null || !v.allows(write, fetch)) return false;
        page(v, va);
        faultAround(v, va);
        return true;
    }

    /** Pages filled together with a faulting one (an aligned group, within its area): fewer #PF exits for sequential touches. */
    static final int FAULT_AROUND = 16;

    /**
     * Fills the not-yet-present pages of the aligned group of {@link #FAULT_AROUND} pages around
     * {@code va} that lie in {@code v} (as Linux's fault-around does for file pages; here for
     * anonymous ones too, which only makes memory resident earlier).
     */
    private void faultAround(Vma v, long va) {
        long group = FAULT_AROUND * PAGE;
        long from = Math.max(v.start, va & -group), to = Math.min(v.end, (va & -group) + group);
        for (long p = from; p < to; p += PAGE) {
            if (!pages.containsKey(p >>> 12)) page(v, p);
        }
    }

    /** si_code for a fault {@link #fault} refused: SEGV_MAPERR (1) outside every area, SEGV_ACCERR (2) against protection. */
    public synchronized int segvCode(long va) {
        return find(va) == null ? 1 : 2;
    }

    /** Page faults served so far (demand paging and refused ones). */
    public synchronized long faults() {
        return faults;
    }

    /** User pages backed by a frame (resident). */
    public synchronized long residentPages() {
        return pages.size();
    }

    /** Frames in use (the process's resident pages plus its page tables). */
    public synchronized long residentFrames() {
        return frames.inUse();
    }

    /** An access just below a MAP_GROWSDOWN area (the stack) extends it, as Linux's expand_stack does. */
    private Vma growStack(long va) {
        Map.Entry<Long, Vma> above = vmas.higherEntry(va);
        if (above == null) return null;
        Vma s = above.getValue();
        if ((s.flags & Vma.MAP_GROWSDOWN) == 0 || s.start - va > 128L << 20) return null;
        Map.Entry<Long, Vma> below = vmas.lowerEntry(va);
        long start = pageDown(va);
        if (below != null && below.getValue().end > start - PAGE) return null; // keep a guard page
        vmas.remove(s.start);
        s.start = start;
        vmas.put(start, s);
        return s;
    }

    /** The frame behind {@code va}'s page in area {@code v}, filled on first use; its page-table entry is (re)written. */
    private long page(Vma v, long va) {
        long vpn = va >>> 12;
        Long pa = pages.get(vpn);
        if (pa == null) {
            pa = fill(v, va & -PAGE);
            pages.put(vpn, pa);
        }
        setEntry(va & -PAGE, pa, v);
        return pa;
    }

    private long fill(Vma v, long page) {
        if (v.shared() && v.file != null) return sharedFrame(v, page);
        return fillFromFile(v, page);
    }

    /** The frame of a MAP_SHARED file page: the one other mappings of that file page use, or a new one read from the file. */
    private long sharedFrame(Vma v, long page) {
        Object file = v.file.identity();
        long index = (v.fileOffset + (page - v.start)) >>> 12;
        TreeMap<Long, SharedPage> ofFile = shared.computeIfAbsent(file, k -> new TreeMap<>());
        SharedPage sp = ofFile.get(index);
        if (sp == null) {
            sp = new SharedPage(file, index, fillFromFile(v, page));
            ofFile.put(index, sp);
            sharedByFrame.put(sp.frame, sp);
        }
        sp.refs++;
        if (sp.writer == null && v.file.writable()) sp.writer = v.file;
        return sp.frame;
    }

    private long fillFromFile(Vma v, long page) {
        long inFile = v.file == null ? 0 : Math.max(0, Math.min(PAGE, v.fileBytes - (page - v.start)));
        if (inFile == 0) return frames.allocateZeroed();
        byte[] buf = new byte[(int) PAGE];
        long pos = v.fileOffset + (page - v.start);
        int got = 0;
        while (got < inFile) {
            int n = v.file.read(pos + got, buf, got, (int) inFile - got);
            if (n <= 0) break;
            got += n;
        }
        long pa = frames.allocate();
        frames.write(pa, buf, 0, buf.length);
        return pa;
    }

    private void setEntry(long va, long pa, Vma v) {
        if (v == null || (v.prot & (Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC)) == 0) {
            tables.clear(va);
            return;
        }
        long flags = UserPageTables.P | UserPageTables.US;
        if ((v.prot & Vma.PROT_WRITE) != 0) flags |= UserPageTables.RW;
        if ((v.prot & Vma.PROT_EXEC) == 0) flags |= UserPageTables.NX;
        tables.set(va, pa, flags);
    }

    /** Maps a monitor page for the guest kernel stub: supervisor-only (U/S = 0). */
    synchronized void mapSupervisor(long va, long pa, boolean writable, boolean executable) {
        long flags = UserPageTables.P | (writable ? UserPageTables.RW : 0) | (executable ? 0 : UserPageTables.NX);
        tables.set(va, pa, flags);
    }

    // ---- UserMemory: system calls reach user memory as the user would

    /**
     * The guest-physical address of user address {@code va} (its page faulted in as the user's
     * access would; EFAULT when not mapped, or not writable for {@code write}): futex keys and
     * atomic accesses to futex words.
     */
    public synchronized long physical(long va, boolean write) {
        return userFrame(va, write) + (va & (PAGE - 1));
    }

    private long userFrame(long va, boolean write) {
        if (va < 0 || va >= TASK_SIZE) throw new LinuxError(Errno.EFAULT);
        Vma v = find(va);
        if (v == null || !v.allows(write, false)) throw new LinuxError(Errno.EFAULT);
        Long pa = pages.get(va >>> 12);
        return pa != null ? pa : page(v, va);
    }

    @Override
    public synchronized void read(long va, byte[] dst, int off, int len) {
        if (len < 0 || va + len < va) throw new LinuxError(Errno.EFAULT);
        while (len > 0) {
            int n = (int) Math.min(len, PAGE - (va & (PAGE - 1)));
            long pa = userFrame(va, false);
            frames.read(pa + (va & (PAGE - 1)), dst, off, n);
            va += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public synchronized void write(long va, byte[] src, int off, int len) {
        if (len < 0 || va + len < va) throw new LinuxError(Errno.EFAULT);
        // check the whole range first: a failing copy_to_user may write a prefix, but never past a hole
        for (long p = va & -PAGE; p < va + len; p += PAGE) userFrame(p, true);
        while (len > 0) {
            int n = (int) Math.min(len, PAGE - (va & (PAGE - 1)));
            long pa = userFrame(va, true);
            frames.write(pa + (va & (PAGE - 1)), src, off, n);
            va += n;
            off += n;
            len -= n;
        }
    }
}
