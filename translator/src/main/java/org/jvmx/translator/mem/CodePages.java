package org.jvmx.translator.mem;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Guest-physical pages that hold translated code. A write to such a page must not take the
 * TLB fast path: it goes through the slow path, which reports it to the {@link Listener} so
 * the code cache can drop what the write overlaps (self-modifying code, DESIGN.md).
 *
 * <p>Pages are physical because code may be reached and written through different linear
 * aliases. Marking a page drops the write entries that map it from every registered TLB.
 */
public final class CodePages {
    /** Told of every guest write into a marked page, after the write. */
    public interface Listener {
        void codeWritten(long physical, int size);
    }

    private final Set<Long> pages = ConcurrentHashMap.newKeySet();
    private final List<SoftTlb> tlbs = new CopyOnWriteArrayList<>();
    private volatile Listener listener = (physical, size) -> { };

    public void setListener(Listener value) {
        listener = value;
    }

    void register(SoftTlb tlb) {
        tlbs.add(tlb);
    }

    /** Marks the page holding {@code physical}; its writes take the slow path from now on. */
    public void mark(long physical) {
        if (pages.add(physical >>> 12)) {
            for (SoftTlb tlb : tlbs) {
                tlb.dropWritable(physical & ~0xFFFL);
            }
        }
    }

    public void unmark(long physical) {
        pages.remove(physical >>> 12);
    }

    public boolean isMarked(long physical) {
        return !pages.isEmpty() && pages.contains(physical >>> 12);
    }

    /**
     * Called by the slow write path for every write (any size, within one page), and by a
     * monitor that wrote guest memory directly while the vCPU was not running.
     */
    public void written(long physical, int size) {
        if (isMarked(physical)) {
            listener.codeWritten(physical, size);
        }
    }
}
