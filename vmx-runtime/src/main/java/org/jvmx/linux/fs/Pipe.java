package org.jvmx.linux.fs;

import org.jvmx.linux.Errno;
import org.jvmx.linux.LinuxError;

/**
 * A pipe's buffer (fs/pipe.c semantics): a 64 KiB ring; a read blocks while it is empty and a
 * writer remains, and returns 0 (EOF) once every writer has closed; a write blocks while it is
 * full, fails with EPIPE when no reader remains (the caller then raises SIGPIPE), and writes
 * of at most PIPE_BUF bytes are atomic. O_NONBLOCK turns each wait into EAGAIN.
 */
public final class Pipe {
    public static final int CAPACITY = 65536, PIPE_BUF = 4096;
    private static long nextIno = 0x10000;

    private final byte[] ring = new byte[CAPACITY];
    private int head, count;
    private int readers, writers;
    public final long ino;

    public Pipe() {
        synchronized (Pipe.class) {
            ino = nextIno++;
        }
    }

    /** The read end and the write end (each counted as one open end). */
    public PipeEnd[] open(int extraFlags) {
        synchronized (this) {
            readers++;
            writers++;
        }
        return new PipeEnd[] {
            new PipeEnd(this, Fcntl.O_RDONLY | extraFlags, false),
            new PipeEnd(this, Fcntl.O_WRONLY | extraFlags, true)};
    }

    synchronized int read(byte[] dst, int off, int len, boolean nonBlocking) {
        if (len == 0) return 0;
        while (count == 0) {
            if (writers == 0) return 0;
            if (nonBlocking) throw new LinuxError(Errno.EAGAIN);
            await();
        }
        int n = Math.min(len, count);
        for (int i = 0; i < n; i++) dst[off + i] = ring[(head + i) % CAPACITY];
        head = (head + n) % CAPACITY;
        count -= n;
        notifyAll();
        return n;
    }

    synchronized int write(byte[] src, int off, int len, boolean nonBlocking) {
        int done = 0;
        while (done < len) {
            if (readers == 0) {
                if (done > 0) return done;
                throw new LinuxError(Errno.EPIPE);
            }
            int free = CAPACITY - count;
            int need = len - done <= PIPE_BUF ? len - done : 1; // small writes go in whole
            if (free < need) {
                if (nonBlocking) {
                    if (done > 0) return done;
                    throw new LinuxError(Errno.EAGAIN);
                }
                await();
                continue;
            }
            int n = Math.min(free, len - done);
            for (int i = 0; i < n; i++) ring[(head + count + i) % CAPACITY] = src[off + done + i];
            count += n;
            done += n;
            notifyAll();
        }
        return done;
    }

    synchronized int available() {
        return count;
    }

    synchronized int poll(boolean writeEnd, int events) {
        int r = 0;
        if (writeEnd) {
            if (readers == 0) r |= Fcntl.POLLERR;
            else if (CAPACITY - count >= PIPE_BUF) r |= events & (Fcntl.POLLOUT | Fcntl.POLLWRNORM);
        } else {
            if (count > 0) r |= events & (Fcntl.POLLIN | Fcntl.POLLRDNORM);
            if (writers == 0) r |= Fcntl.POLLHUP;
        }
        return r;
    }

    synchronized void closeEnd(boolean writeEnd) {
        if (writeEnd) writers--;
        else readers--;
        notifyAll();
    }

    private void await() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LinuxError(Errno.EINTR);
        }
    }
}
