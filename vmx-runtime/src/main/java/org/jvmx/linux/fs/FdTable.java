package org.jvmx.linux.fs;

import org.jvmx.linux.Errno;
import org.jvmx.linux.LinuxError;

/**
 * The process's file descriptor table (fs/file.c): fd → open file description plus the
 * per-fd FD_CLOEXEC flag. New fds take the lowest free number; at most {@link #limit}
 * (RLIMIT_NOFILE, 1024 by default) fds exist, beyond that EMFILE.
 */
public final class FdTable {
    private OpenFile[] files = new OpenFile[64];
    private boolean[] cloexec = new boolean[64];
    private int limit = 1024;

    public synchronized int limit() {
        return limit;
    }

    /** setrlimit(RLIMIT_NOFILE) soft limit. */
    public synchronized void setLimit(int limit) {
        this.limit = limit;
    }

    /** The open file of {@code fd}, EBADF if none. */
    public synchronized OpenFile get(int fd) {
        if (fd < 0 || fd >= files.length || files[fd] == null) throw new LinuxError(Errno.EBADF);
        return files[fd];
    }

    public synchronized boolean isOpen(int fd) {
        return fd >= 0 && fd < files.length && files[fd] != null;
    }

    /** Installs a newly opened file at the lowest free fd ≥ {@code min} (it takes the caller's reference). */
    public synchronized int install(OpenFile f, boolean closeOnExec, int min) {
        int fd = lowestFree(min);
        put(fd, f, closeOnExec);
        return fd;
    }

    public int install(OpenFile f, boolean closeOnExec) {
        return install(f, closeOnExec, 0);
    }

    private int lowestFree(int min) {
        if (min < 0 || min >= limit) throw new LinuxError(Errno.EINVAL);
        for (int fd = min; fd < limit; fd++) {
            if (fd >= files.length || files[fd] == null) return fd;
        }
        throw new LinuxError(Errno.EMFILE);
    }

    private void put(int fd, OpenFile f, boolean closeOnExec) {
        if (fd >= files.length) {
            int n = Math.max(fd + 1, files.length * 2);
            files = java.util.Arrays.copyOf(files, n);
            cloexec = java.util.Arrays.copyOf(cloexec, n);
        }
        files[fd] = f;
        cloexec[fd] = closeOnExec;
    }

    /** Another fd for an open file some fd already holds (reopening /proc/self/fd/N of a pipe). */
    public synchronized int installShared(OpenFile f, boolean closeOnExec) {
        int fd = lowestFree(0);
        f.retain();
        put(fd, f, closeOnExec);
        return fd;
    }

    /** dup/F_DUPFD: a new fd ≥ {@code min} for the same open file. */
    public synchronized int dup(int oldfd, int min, boolean closeOnExec) {
        OpenFile f = get(oldfd);
        int fd = lowestFree(min);
        f.retain();
        put(fd, f, closeOnExec);
        return fd;
    }

    /** dup2/dup3: {@code newfd} now refers to {@code oldfd}'s file (closing what was there). */
    public int dup2(int oldfd, int newfd, boolean closeOnExec) {
        OpenFile old;
        synchronized (this) {
            OpenFile f = get(oldfd);
            if (newfd < 0 || newfd >= limit) throw new LinuxError(Errno.EBADF);
            old = newfd < files.length ? files[newfd] : null;
            f.retain();
            put(newfd, f, closeOnExec);
        }
        if (old != null) old.release();
        return newfd;
    }

    public void close(int fd) {
        OpenFile f;
        synchronized (this) {
            f = get(fd);
            files[fd] = null;
            cloexec[fd] = false;
        }
        f.release();
    }

    public synchronized boolean closeOnExec(int fd) {
        get(fd);
        return cloexec[fd];
    }

    public synchronized void setCloseOnExec(int fd, boolean on) {
        get(fd);
        cloexec[fd] = on;
    }

    /** execve: closes every FD_CLOEXEC fd. */
    public void execCloseOnExec() {
        for (int fd = 0; ; fd++) {
            OpenFile f;
            synchronized (this) {
                if (fd >= files.length) return;
                if (files[fd] == null || !cloexec[fd]) continue;
                f = files[fd];
                files[fd] = null;
                cloexec[fd] = false;
            }
            f.release();
        }
    }

    /** exit: closes everything. */
    public void closeAll() {
        for (int fd = 0; ; fd++) {
            synchronized (this) {
                if (fd >= files.length) return;
            }
            if (isOpen(fd)) close(fd);
        }
    }

    /** fork: a copy sharing the open file descriptions. */
    public synchronized FdTable copy() {
        FdTable t = new FdTable();
        t.limit = limit;
        t.files = files.clone();
        t.cloexec = cloexec.clone();
        for (OpenFile f : t.files) if (f != null) f.retain();
        return t;
    }
}
