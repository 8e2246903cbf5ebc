package org.jvmx.linux;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The futex wait queues of a process (kernel/futex/): waiters keyed as Linux keys them
 * (get_futex_key): a FUTEX_PRIVATE_FLAG operation by (address space, virtual address), a
 * shared one by the guest-physical address of the word, so that every mapping of one frame
 * meets on the same queue. Private and shared keys never match each other, as under Linux.
 *
 * <p>A waiter blocks its Java thread for real ({@link LockSupport#park}); nothing spins. The
 * value check and the enqueueing happen under the table lock that every wake takes, so a waker
 * that changed the word and then woke cannot miss a waiter that saw the old value (the
 * futex_wait/futex_wake ordering of futex_q_lock). One lock for the whole table: the
 * operations are short, and correctness beats a hashed-bucket layout at this scale.
 */
public final class Futexes {
    /** A wait queue's identity: {@code space} is the address space for private futexes, null for physical keys. */
    record Key(Object space, long address) {
    }

    /** One sleeping thread. */
    static final class Waiter {
        Key key;
        final int bitset;
        final Thread thread;
        volatile boolean woken;

        Waiter(Key key, int bitset, Thread thread) {
            this.key = key;
            this.bitset = bitset;
            this.thread = thread;
        }
    }

    /** Where a futex word lives: private keys need only the address; shared ones its frame; values are read atomically. */
    public interface Words {
        /** The guest-physical address of the aligned word at {@code va} (EFAULT when unmapped; faults the page in). */
        long physical(long va, boolean write);

        /** The 32-bit word at guest-physical {@code pa} (an acquire load, as the guest's own). */
        int load(long pa);

        /** Atomically replaces the word at {@code pa} if it holds {@code expected}; returns the value found. */
        int compareAndExchange(long pa, int expected, int update);
    }

    /** The outcome of {@link #wait}. */
    public enum WaitResult { WOKEN, TIMED_OUT, INTERRUPTED }

    private final Object space;
    private final Words words;
    private final Map<Key, ArrayDeque<Waiter>> queues = new HashMap<>();

    public Futexes(Object space, Words words) {
        this.space = space;
        this.words = words;
    }

    private Key key(long uaddr, boolean priv) {
        if ((uaddr & 3) != 0) throw new LinuxError(Errno.EINVAL);
        if (priv) {
            words.physical(uaddr, false); // EFAULT for an unmapped word, as get_user would
            return new Key(space, uaddr);
        }
        return new Key(null, words.physical(uaddr, false));
    }

    /**
     * FUTEX_WAIT(_BITSET): sleeps while the word at {@code uaddr} holds {@code val} (EAGAIN at
     * once when it does not), until a wake whose bitset meets {@code bitset}, the deadline
     * ({@link System#nanoTime()} value; {@code Long.MIN_VALUE} for none) or {@code interrupted}
     * (checked on every wake-up: a signal to the thread, the group's end) says to stop.
     */
    public WaitResult wait(long uaddr, boolean priv, int val, int bitset, long deadline, BooleanSupplier interrupted) {
        Key k = key(uaddr, priv);
        long pa = words.physical(uaddr, false);
        Waiter w = new Waiter(k, bitset, Thread.currentThread());
        synchronized (this) {
            if (words.load(pa) != val) throw new LinuxError(Errno.EAGAIN);
            queues.computeIfAbsent(k, x -> new ArrayDeque<>()).add(w);
        }
        while (true) {
            if (w.woken) return WaitResult.WOKEN;
            boolean stop = interrupted.getAsBoolean();
            long left = deadline == Long.MIN_VALUE ? 0 : deadline - System.nanoTime();
            if (stop || deadline != Long.MIN_VALUE && left <= 0) {
                synchronized (this) {
                    if (w.woken) return WaitResult.WOKEN; // a wake got here first: it counted us
                    remove(w);
                }
                return stop ? WaitResult.INTERRUPTED : WaitResult.TIMED_OUT;
            }
            if (deadline == Long.MIN_VALUE) LockSupport.park(this);
            else LockSupport.parkNanos(this, left);
        }
    }

    private void remove(Waiter w) {
        ArrayDeque<Waiter> q = queues.get(w.key);
        if (q == null) return;
        q.remove(w);
        if (q.isEmpty()) queues.remove(w.key);
    }

    /** FUTEX_WAKE(_BITSET): wakes up to {@code n} waiters on the word whose bitset meets {@code bitset}; returns how many. */
    public int wake(long uaddr, boolean priv, int n, int bitset) {
        Key k = key(uaddr, priv);
        List<Waiter> woken = new ArrayList<>();
        synchronized (this) {
            take(k, n, bitset, woken);
        }
        for (Waiter w : woken) LockSupport.unpark(w.thread);
        return woken.size();
    }

    private void take(Key k, int n, int bitset, List<Waiter> into) {
        ArrayDeque<Waiter> q = queues.get(k);
        if (q == null) return;
        for (Iterator<Waiter> it = q.iterator(); it.hasNext() && into.size() < n; ) {
            Waiter w = it.next();
            if ((w.bitset & bitset) == 0) continue;
            it.remove();
            w.woken = true;
            into.add(w);
        }
        if (q.isEmpty()) queues.remove(k);
    }

    /**
     * FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wakes up to {@code nWake} waiters on {@code uaddr} and
     * moves up to {@code nRequeue} of the rest to {@code uaddr2}'s queue; with {@code cmp} the
     * word must still hold {@code val3} (EAGAIN otherwise). Returns the woken count plus (for
     * CMP_REQUEUE) the requeued count, as futex_requeue does.
     */
    public int requeue(long uaddr, boolean priv, int nWake, int nRequeue, long uaddr2, boolean cmp, int val3) {
        if (nWake < 0 || nRequeue < 0) throw new LinuxError(Errno.EINVAL);
        Key k1 = key(uaddr, priv), k2 = key(uaddr2, priv);
        long pa = words.physical(uaddr, false);
        List<Waiter> woken = new ArrayList<>();
        int moved = 0;
        synchronized (this) {
            if (cmp && words.load(pa) != val3) throw new LinuxError(Errno.EAGAIN);
            take(k1, nWake, -1, woken);
            ArrayDeque<Waiter> q = queues.get(k1);
            while (q != null && !q.isEmpty() && moved < nRequeue && !k1.equals(k2)) {
                Waiter w = q.poll();
                w.key = k2;
                queues.computeIfAbsent(k2, x -> new ArrayDeque<>()).add(w);
                moved++;
            }
            if (q != null && q.isEmpty()) queues.remove(k1);
        }
        for (Waiter w : woken) LockSupport.unpark(w.thread);
        return woken.size() + (cmp ? moved : 0);
    }

    /**
     * FUTEX_WAKE_OP: atomically applies the encoded operation to the word at {@code uaddr2},
     * wakes up to {@code n} waiters on {@code uaddr} and, if the old value of the second word
     * passes the encoded comparison, up to {@code n2} on {@code uaddr2}.
     */
    public int wakeOp(long uaddr, boolean priv, int n, int n2, long uaddr2, int encoded) {
        int op = (encoded >>> 28) & 7;
        boolean shift = (encoded >>> 28 & 8) != 0;
        int cmp = (encoded >>> 24) & 15;
        int oparg = (encoded << 8) >> 20; // sign-extended 12 bits
        int cmparg = (encoded << 20) >> 20;
        if (shift) {
            if (oparg < 0 || oparg > 31) throw new LinuxError(Errno.EINVAL);
            oparg = 1 << oparg;
        }
        if (op > 4 || cmp > 5) throw new LinuxError(Errno.ENOSYS);
        Key k1 = key(uaddr, priv), k2 = key(uaddr2, priv);
        long pa2 = words.physical(uaddr2, true);
        List<Waiter> woken = new ArrayList<>();
        synchronized (this) {
            int old;
            while (true) {
                old = words.load(pa2);
                int v = switch (op) {
                    case 0 -> oparg;
                    case 1 -> old + oparg;
                    case 2 -> old | oparg;
                    case 3 -> old & ~oparg;
                    default -> old ^ oparg;
                };
                if (words.compareAndExchange(pa2, old, v) == old) break;
            }
            take(k1, n, -1, woken);
            boolean hit = switch (cmp) {
                case 0 -> old == cmparg;
                case 1 -> old != cmparg;
                case 2 -> old < cmparg;
                case 3 -> old <= cmparg;
                case 4 -> old > cmparg;
                default -> old >= cmparg;
            };
            if (hit) {
                List<Waiter> second = new ArrayList<>();
                take(k2, n2, -1, second);
                woken.addAll(second);
            }
        }
        for (Waiter w : woken) LockSupport.unpark(w.thread);
        return woken.size();
    }

    /** Sleepers on all queues (for tests and statistics). */
    public synchronized int waiters() {
        return queues.values().stream().mapToInt(ArrayDeque::size).sum();
    }
}
