package org.jvmx.linux;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The Linux personality's system calls by number (x86-64 numbering, arch/x86/entry/syscalls/
 * syscall_64.tbl): each has a name, an argument description for {@code --strace} and a handler.
 * A number without a handler returns {@code -ENOSYS} and is counted ({@link #unimplemented}).
 *
 * <p>Handlers are installed by groups ({@link Group}: files, memory, process, signals, time),
 * each owning its state. A handler returns the result (non-negative) or throws {@link LinuxError}.
 */
public final class SyscallTable {
    /** A system call's implementation: six raw argument registers (RDI, RSI, RDX, R10, R8, R9). */
    @FunctionalInterface
    public interface Syscall {
        long call(long a0, long a1, long a2, long a3, long a4, long a5);
    }

    /** A set of system calls with their shared state. */
    public interface Group {
        void install(SyscallTable table);
    }

    /**
     * How {@code --strace} shows an argument: {@code d} signed int, {@code u} unsigned, {@code x}
     * hex, {@code p} pointer (hex or NULL), {@code s} NUL-terminated string, {@code f} fd
     * (AT_FDCWD shown by name), {@code o} octal, {@code b} a buffer whose length is the next
     * argument (or the result when smaller; shown as an escaped string cut at 32 bytes). A result is shown as a number or
     * {@code -1 ENOENT (...)}.
     */
    public record Entry(String name, String args, Syscall handler) { }

    public static final int MAX = 512;
    private final Entry[] entries = new Entry[MAX];
    private final AtomicLongArray unimplemented = new AtomicLongArray(MAX);
    private final AtomicLongArray calls = new AtomicLongArray(MAX);
    /** Calls that may sleep in the monitor (see {@link #maySleep}). */
    private final boolean[] sleeps = new boolean[MAX];

    /** Installs {@code nr}; {@code args} has one letter per argument (see {@link Entry}). */
    public void put(int nr, String name, String args, Syscall handler) {
        if (entries[nr] != null) throw new IllegalStateException("system call " + nr + " installed twice: " + name);
        entries[nr] = new Entry(name, args, handler);
    }

    /**
     * Marks installed calls that may sleep in the monitor — wait for another thread, a pipe, a
     * timer, or a lock a sleeping thread holds — so that a scheduler worker serving one lets a spare
     * worker run the other vCPUs meanwhile ({@link org.jvmx.sched.Scheduler#blocking}).
     */
    public void maySleep(int... nrs) {
        for (int nr : nrs) {
            if (entries[nr] == null) throw new IllegalStateException("system call " + nr + " is not installed");
            sleeps[nr] = true;
        }
    }

    /** Whether installed call {@code nr} may sleep. */
    public boolean sleeps(int nr) {
        return nr >= 0 && nr < MAX && sleeps[nr];
    }

    public Entry entry(int nr) {
        return nr >= 0 && nr < MAX ? entries[nr] : null;
    }

    /** Runs system call {@code nr}: its result, {@code -errno}, or {@code -ENOSYS} (counted) when not implemented. */
    public long call(int nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        Entry e = entry(nr);
        if (e == null) {
            if (nr >= 0 && nr < MAX) unimplemented.incrementAndGet(nr);
            return -Errno.ENOSYS;
        }
        calls.incrementAndGet(nr);
        try {
            return e.handler.call(a0, a1, a2, a3, a4, a5);
        } catch (LinuxError err) {
            return -err.errno;
        }
    }

    /** How often a missing system call {@code nr} was asked for. */
    public long unimplemented(int nr) {
        return unimplemented.get(nr);
    }

    /** How often system call {@code nr} ran. */
    public long calls(int nr) {
        return calls.get(nr);
    }
}
