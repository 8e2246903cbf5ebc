package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The futex table: wait/wake with real blocking, EAGAIN on a value mismatch, timeouts,
 * interruption, bitsets, private vs shared keys (two virtual addresses of one frame meet on a
 * shared key only), requeue and wake-op.
 */
class FutexesTest {
    /** 4 KiB of "physical" words; virtual addresses 0x1000-0x1fff and 0x5000-0x5fff both map to it. */
    static final class Words implements Futexes.Words {
        final AtomicIntegerArray ram = new AtomicIntegerArray(1024);

        @Override
        public long physical(long va, boolean write) {
            if (va >= 0x1000 && va < 0x2000 || va >= 0x5000 && va < 0x6000) return va & 0xFFF;
            throw new LinuxError(Errno.EFAULT);
        }

        @Override
        public int load(long pa) {
            return ram.get((int) pa / 4);
        }

        @Override
        public int compareAndExchange(long pa, int expected, int update) {
            return ram.compareAndExchange((int) pa / 4, expected, update);
        }
    }

    final Words words = new Words();
    final Futexes f = new Futexes(new Object(), words);
    static final long A = 0x1000, B = 0x1040, ALIAS_A = 0x5000;
    static final long NONE = Long.MIN_VALUE;

    private CompletableFuture<Futexes.WaitResult> waitAsync(long addr, boolean priv, int val, int bitset, long deadline,
            AtomicBoolean stop) {
        CompletableFuture<Futexes.WaitResult> r = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                r.complete(f.wait(addr, priv, val, bitset, deadline, stop::get));
            } catch (Throwable e) {
                r.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return r;
    }

    private void awaitWaiters(int n) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (f.waiters() < n) {
            if (System.nanoTime() > end) throw new AssertionError("waiters: " + f.waiters() + ", expected " + n);
            Thread.sleep(1);
        }
    }

    @Test
    void mismatchIsEagainAndNobodySleeps() {
        words.ram.set(0, 5);
        LinuxError e = assertThrows(LinuxError.class, () -> f.wait(A, true, 4, -1, NONE, () -> false));
        assertEquals(Errno.EAGAIN, e.errno);
        assertEquals(0, f.waiters());
    }

    @Test
    void unalignedIsEinvalAndUnmappedEfault() {
        assertEquals(Errno.EINVAL, assertThrows(LinuxError.class, () -> f.wake(A + 2, true, 1, -1)).errno);
        assertEquals(Errno.EFAULT, assertThrows(LinuxError.class, () -> f.wait(0x9000, true, 0, -1, NONE, () -> false)).errno);
    }

    @Test
    void waitBlocksUntilWoken() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        var r = waitAsync(A, true, 0, -1, NONE, stop);
        awaitWaiters(1);
        Thread.sleep(20);
        assertTrue(!r.isDone(), "still sleeping");
        assertEquals(1, f.wake(A, true, 1, -1));
        assertEquals(Futexes.WaitResult.WOKEN, r.get(5, TimeUnit.SECONDS));
        assertEquals(0, f.wake(A, true, 1, -1), "nobody left");
    }

    @Test
    void wakeCountsAndOrder() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        var r1 = waitAsync(A, true, 0, -1, NONE, stop);
        awaitWaiters(1);
        var r2 = waitAsync(A, true, 0, -1, NONE, stop);
        awaitWaiters(2);
        var r3 = waitAsync(A, true, 0, -1, NONE, stop);
        awaitWaiters(3);
        assertEquals(1, f.wake(A, true, 1, -1));
        assertEquals(Futexes.WaitResult.WOKEN, r1.get(5, TimeUnit.SECONDS), "FIFO: the first waiter first");
        assertEquals(2, f.wake(A, true, Integer.MAX_VALUE, -1));
        r2.get(5, TimeUnit.SECONDS);
        r3.get(5, TimeUnit.SECONDS);
    }

    @Test
    void timeoutExpires() {
        long t0 = System.nanoTime();
        assertEquals(Futexes.WaitResult.TIMED_OUT, f.wait(A, true, 0, -1, t0 + 30_000_000L, () -> false));
        assertTrue(System.nanoTime() - t0 >= 30_000_000L);
        assertEquals(0, f.waiters(), "a timed-out waiter leaves the queue");
        assertEquals(Futexes.WaitResult.TIMED_OUT, f.wait(A, true, 0, -1, t0 - 1, () -> false), "a past deadline");
    }

    @Test
    void interruptionStopsTheWait() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] who = new Thread[1];
        CompletableFuture<Futexes.WaitResult> r = new CompletableFuture<>();
        who[0] = new Thread(() -> r.complete(f.wait(A, true, 0, -1, NONE, stop::get)));
        who[0].start();
        awaitWaiters(1);
        stop.set(true);
        java.util.concurrent.locks.LockSupport.unpark(who[0]); // what a signal's wake-up does
        assertEquals(Futexes.WaitResult.INTERRUPTED, r.get(5, TimeUnit.SECONDS));
        assertEquals(0, f.waiters());
    }

    @Test
    void bitsetsSelectWaiters() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        var odd = waitAsync(A, true, 0, 1, NONE, stop);
        awaitWaiters(1);
        var even = waitAsync(A, true, 0, 2, NONE, stop);
        awaitWaiters(2);
        assertEquals(1, f.wake(A, true, 10, 2));
        assertEquals(Futexes.WaitResult.WOKEN, even.get(5, TimeUnit.SECONDS));
        assertTrue(!odd.isDone());
        assertEquals(1, f.wake(A, true, 10, -1));
        odd.get(5, TimeUnit.SECONDS);
    }

    @Test
    void sharedKeysAreFramesPrivateKeysAddresses() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        var shared = waitAsync(A, false, 0, -1, NONE, stop);
        awaitWaiters(1);
        assertEquals(0, f.wake(ALIAS_A, true, 1, -1), "a private wake never meets a shared waiter");
        assertEquals(1, f.wake(ALIAS_A, false, 1, -1), "another mapping of the same frame does");
        shared.get(5, TimeUnit.SECONDS);
        var priv = waitAsync(A, true, 0, -1, NONE, stop);
        awaitWaiters(1);
        assertEquals(0, f.wake(ALIAS_A, true, 1, -1), "private keys are virtual addresses");
        assertEquals(0, f.wake(A, false, 1, -1));
        assertEquals(1, f.wake(A, true, 1, -1));
        priv.get(5, TimeUnit.SECONDS);
    }

    @Test
    void requeueMovesWaiters() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        var r1 = waitAsync(A, true, 0, -1, NONE, stop);
        awaitWaiters(1);
        var r2 = waitAsync(A, true, 0, -1, NONE, stop);
        awaitWaiters(2);
        var r3 = waitAsync(A, true, 0, -1, NONE, stop);
        awaitWaiters(3);
        words.ram.set(0, 9);
        assertEquals(Errno.EAGAIN, assertThrows(LinuxError.class, () -> f.requeue(A, true, 1, 1, B, true, 8)).errno);
        assertEquals(2, f.requeue(A, true, 1, 1, B, true, 9), "CMP_REQUEUE: woken + requeued");
        r1.get(5, TimeUnit.SECONDS);
        assertEquals(1, f.wake(B, true, 5, -1), "one moved to B");
        assertEquals(1, f.wake(A, true, 5, -1), "one stayed on A");
        r2.get(5, TimeUnit.SECONDS);
        r3.get(5, TimeUnit.SECONDS);
    }

    @Test
    void wakeOpUpdatesAndWakesBoth() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        var onA = waitAsync(A, true, 0, -1, NONE, stop);
        awaitWaiters(1);
        words.ram.set(0x10, 1); // the word at B
        var onB = waitAsync(B, true, 1, -1, NONE, stop);
        awaitWaiters(2);
        // FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_GT, 0): *B += 5; wake on B if old > 0
        int encoded = 1 << 28 | 4 << 24 | 5 << 12;
        assertEquals(2, f.wakeOp(A, true, 1, 1, B, encoded));
        assertEquals(6, words.ram.get(0x10));
        onA.get(5, TimeUnit.SECONDS);
        onB.get(5, TimeUnit.SECONDS);
    }

    /** No lost wake-up: the value check and the enqueueing are atomic with respect to wakers. */
    @Test
    void noLostWakeups() throws Exception {
        int rounds = 2000;
        Thread waker = new Thread(() -> {
            for (int k = 1; k <= rounds; k++) {
                while (words.ram.get(0) != 2 * k - 1) Thread.onSpinWait();
                words.ram.set(0, 2 * k);
                f.wake(A, true, 1, -1);
            }
        });
        waker.setDaemon(true);
        waker.start();
        for (int k = 1; k <= rounds; k++) {
            words.ram.set(0, 2 * k - 1);
            while (words.ram.get(0) == 2 * k - 1) {
                try {
                    f.wait(A, true, 2 * k - 1, -1, System.nanoTime() + 5_000_000_000L, () -> false);
                } catch (LinuxError e) {
                    assertEquals(Errno.EAGAIN, e.errno);
                }
            }
        }
        waker.join(5000);
        assertEquals(0, f.waiters());
    }
}
