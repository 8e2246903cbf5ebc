package org.jvmx.monitor.loader;

import static org.jvmx.monitor.loader.LoaderException.hex;
import static org.jvmx.monitor.loader.LoaderException.range;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.vm.Vm;

/**
 * Book-keeping of what a loader has put where in guest-physical memory: every range it claims is
 * checked to lie in the guest's RAM (below {@code ramSize} and backed by RAM regions of the
 * {@link Vm}, not MMIO or ROM) and to overlap nothing claimed before, and free space for boot data (info structures, page tables, stacks) is found first-fit, page
 * aligned, preferring conventional memory (from {@link #LOW_BASE}) and otherwise above everything
 * already placed.
 */
public final class GuestLayout {
    public static final long PAGE = 0x1000;
    /**
     * Lowest address boot data is placed at. The first 32 KiB stay free: real-mode IVT, BIOS data
     * area and the traditional boot sector address 0x7C00, which some kernels still assume free.
     */
    public static final long LOW_BASE = 0x8000;

    /** A claimed range {@code [start, end)}; {@code what} names it in messages. */
    public record Placement(long start, long end, String what) {
        public long size() {
            return end - start;
        }

        @Override
        public String toString() {
            return what + " " + range(start, end);
        }
    }

    /** Answers whether guest-physical {@code [start, end)} is all writable RAM. */
    @FunctionalInterface
    public interface RamCheck {
        boolean isRam(long start, long end);
    }

    private final String source;
    private final long ramSize;
    private final RamCheck ram;
    private final List<Placement> placed = new ArrayList<>();

    /**
     * {@code source} names the image in messages; RAM is {@code [0, ramSize)}, and {@code ram}
     * tells where it is really backed (a device window such as VGA memory at 0xA0000 is not).
     */
    public GuestLayout(String source, long ramSize, RamCheck ram) {
        if (ramSize <= 0) throw new IllegalArgumentException("RAM size must be positive: " + ramSize);
        this.source = source;
        this.ramSize = ramSize;
        this.ram = ram;
    }

    /** A layout over the RAM regions of {@code vm}. */
    public GuestLayout(String source, long ramSize, Vm vm) {
        this(source, ramSize, (s, e) -> isRam(vm.memory(), s, e));
    }

    /** True when every byte of {@code [start, end)} is in a RAM region of {@code memory}. */
    public static boolean isRam(PhysicalMemory memory, long start, long end) {
        for (long p = start; p < end; ) {
            PhysicalMemory.Region r = memory.regionAt(p);
            if (r == null || r.ram() == null || r.readOnly()) return false;
            p = r.base() + r.size();
        }
        return true;
    }

    public long ramSize() {
        return ramSize;
    }

    /** Everything placed so far, in the order it was claimed. */
    public List<Placement> placements() {
        return Collections.unmodifiableList(placed);
    }

    /**
     * Claims {@code [start, start + size)} for {@code what}; {@code where} (e.g. "program header 2 at
     * offset 0x74") prefixes the message when the range is outside RAM, reserved, or overlaps an
     * earlier claim. Empty ranges are accepted and not recorded.
     */
    public void claim(long start, long size, String what, String where) throws LoaderException {
        claim(source, start, size, what, where);
    }

    /** {@link #claim(long, long, String, String)} for a range that comes from another file ({@code source}). */
    public void claim(String source, long start, long size, String what, String where) throws LoaderException {
        if (size == 0) return;
        long end = start + size;
        if (start < 0 || end < start || end > ramSize) {
            throw new LoaderException(source, where + ": " + range(start, start + size) + " does not fit in guest RAM ("
                    + hex(ramSize) + " bytes; raise --mem)");
        }
        // The PC hole (0x9FC00-0xFFFFF) is reserved in the memory map, but an image may still be
        // loaded there where RAM backs it: linkers put the ELF headers' segment just below a
        // -Ttext 0x100000. Device windows (VGA memory, ROMs) are not RAM and refuse it.
        if (!ram.isRam(start, end)) {
            throw new LoaderException(source, where + ": " + range(start, end) + " is not RAM of this guest"
                    + (PcMemoryMap.available(start, end, ramSize) ? " (a device or ROM region)"
                    : " (it overlaps the reserved PC hole " + range(PcMemoryMap.CONVENTIONAL_END, PcMemoryMap.EXTENDED_START)
                    + ", where device and ROM regions live)"));
        }
        for (Placement p : placed) {
            if (start < p.end() && p.start() < end) {
                throw new LoaderException(source, where + ": " + range(start, end) + " overlaps " + p);
            }
        }
        placed.add(new Placement(start, end, what));
    }

    /** The page-aligned end of everything placed (0 when nothing is). */
    public long highestEnd() {
        long e = 0;
        for (Placement p : placed) e = Math.max(e, p.end());
        return alignUp(e, PAGE);
    }

    /**
     * Finds and claims a free page-aligned range of {@code size} bytes for {@code what}: the lowest
     * fit in conventional memory from {@link #LOW_BASE}, else the lowest fit in extended memory.
     */
    public long allocate(long size, String what) throws LoaderException {
        long need = alignUp(Math.max(size, 1), PAGE);
        long base = firstFit(LOW_BASE, PcMemoryMap.CONVENTIONAL_END & ~(PAGE - 1), need);
        if (base < 0) base = firstFit(PcMemoryMap.EXTENDED_START, ramSize & ~(PAGE - 1), need);
        if (base < 0) {
            throw new LoaderException(source, "no room for " + what + " (" + hex(need) + " bytes) in guest RAM ("
                    + hex(ramSize) + " bytes; raise --mem)");
        }
        claim(base, need, what, what);
        return base;
    }

    /** The lowest page-aligned {@code b} in {@code [lo, hi)} with {@code [b, b + size)} free, or -1. */
    private long firstFit(long lo, long hi, long size) {
        List<Placement> sorted = new ArrayList<>(placed);
        sorted.sort(Comparator.comparingLong(Placement::start));
        long b = lo;
        for (Placement p : sorted) {
            if (p.end() <= b) continue;
            if (p.start() >= b + size) break;
            b = alignUp(p.end(), PAGE);
        }
        return b + size <= hi ? b : -1;
    }

    static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }
}
