package org.jvmx.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.vm.Vm;

/**
 * The process's guest-physical page frames. RAM is added to the {@link Vm} in {@link #CHUNK}
 * pieces as frames are needed (a program that touches 10 MiB never costs the host gigabytes),
 * and freed frames are reused. Every write into a frame goes through {@link Vm#write}, so code
 * translated from it is dropped and vCPU TLBs are flushed before the guest runs again.
 */
final class Frames {
    static final long PAGE = 4096;
    /** RAM is added in pieces of this size (zeroed by the host when allocated). */
    static final long CHUNK = 64L << 20;
    private static final byte[] ZERO = new byte[(int) PAGE];

    private final Vm vm;
    private final ArrayDeque<Long> free = new ArrayDeque<>();
    /** End of the guest-physical RAM added so far. */
    private long ramEnd;
    /** Next never-used frame; frame 0 stays unused so that a physical address of 0 is always a bug. */
    private long next = PAGE;
    private long inUse;

    Frames(Vm vm) {
        this.vm = vm;
    }

    /** A frame with unspecified contents. */
    long allocate() {
        inUse++;
        Long f = free.poll();
        if (f != null) return f;
        if (next >= ramEnd) {
            vm.addRam(ramEnd, CHUNK);
            ramEnd += CHUNK;
        }
        long pa = next;
        next += PAGE;
        return pa;
    }

    /** A zero-filled frame (a never-used one is zero already: RAM is added zeroed). */
    long allocateZeroed() {
        if (!free.isEmpty()) {
            long pa = allocate();
            vm.write(pa, ZERO);
            return pa;
        }
        return allocate();
    }

    void release(long pa) {
        inUse--;
        free.push(pa);
    }

    /** Frames held by the process. */
    long inUse() {
        return inUse;
    }

    /** Guest-physical RAM added so far, in bytes. */
    long ramBytes() {
        return ramEnd;
    }

    /** Copies {@code len} bytes at guest-physical {@code pa} (within one frame) into {@code dst}. */
    void read(long pa, byte[] dst, int off, int len) {
        PhysicalMemory.Region r = vm.memory().regionAt(pa);
        MemorySegment.copy(r.ram(), ValueLayout.JAVA_BYTE, pa - r.base(), dst, off, len);
    }

    /** Copies bytes into guest-physical memory (translated code from the range is dropped). */
    void write(long pa, byte[] src, int off, int len) {
        byte[] b = off == 0 && len == src.length ? src : java.util.Arrays.copyOfRange(src, off, off + len);
        vm.write(pa, b);
    }

    void writeLong(long pa, long value) {
        vm.writeValue(pa, 8, value);
    }
}
