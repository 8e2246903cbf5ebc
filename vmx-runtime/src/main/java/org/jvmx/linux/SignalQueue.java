package org.jvmx.linux;

import static org.jvmx.linux.signal.SignalTable.NSIG;
import static org.jvmx.linux.signal.SignalTable.bit;

import java.util.ArrayDeque;
import org.jvmx.linux.signal.SigInfo;

/**
 * Signals pending on one queue (struct sigpending: a thread's own or the process's shared one);
 * standard signals coalesce (at most one pending), real-time ones queue. Guarded by the
 * {@link LinuxSignals} monitor.
 */
final class SignalQueue {
    @SuppressWarnings("unchecked")
    final ArrayDeque<SigInfo>[] queues = new ArrayDeque[NSIG + 1];
    long pending;

    SignalQueue() {
        for (int s = 1; s <= NSIG; s++) queues[s] = new ArrayDeque<>();
    }

    void add(SigInfo info) {
        int sig = info.signo();
        if (sig < 32 && !queues[sig].isEmpty()) return;
        queues[sig].add(info);
        pending |= bit(sig);
    }

    SigInfo poll(int sig) {
        SigInfo info = queues[sig].poll();
        if (queues[sig].isEmpty()) pending &= ~bit(sig);
        return info;
    }

    void clear(int sig) {
        queues[sig].clear();
        pending &= ~bit(sig);
    }
}

