package org.jvmx.linux;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import org.jvmx.linux.fs.DevFile;
import org.jvmx.linux.fs.DirFile;
import org.jvmx.linux.fs.Fcntl;
import org.jvmx.linux.fs.HostErrors;
import org.jvmx.linux.fs.HostFile;
import org.jvmx.linux.fs.HostStat;
import org.jvmx.linux.fs.OpenFile;
import org.jvmx.linux.fs.PathOnlyFile;
import org.jvmx.linux.fs.PathResolver.Resolved;

/**
 * open/openat/creat and the calls that name files by path: the open flags of open(2), created
 * files' mode {@code & ~umask}. The stat family, directories, links and attributes are in
 * {@link LinuxFilesMeta}.
 */
final class LinuxFilesPaths {
    private final LinuxFiles fs;
    private final UserMemory mem;

    LinuxFilesPaths(LinuxFiles fs) {
        this.fs = fs;
        this.mem = fs.mem;
    }

    void install(SyscallTable t) {
        t.put(2, "open", "sxo", (a, b, c, d, e, f) -> open(Fcntl.AT_FDCWD, fs.path(a), (int) b, (int) c));
        t.put(85, "creat", "so", (a, b, c, d, e, f) ->
                open(Fcntl.AT_FDCWD, fs.path(a), Fcntl.O_CREAT | Fcntl.O_WRONLY | Fcntl.O_TRUNC, (int) b));
        t.put(257, "openat", "fsxo", (a, b, c, d, e, f) -> open((int) a, fs.path(b), (int) c, (int) d));
        new LinuxFilesMeta(fs).install(t);
    }

    /** openat(2). */
    long open(int dirfd, String path, int flags, int mode) {
        if ((flags & Fcntl.O_TMPFILE) != 0) return tmpfile(dirfd, path, flags, mode);
        boolean pathOnly = (flags & Fcntl.O_PATH) != 0;
        if (pathOnly) flags &= Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC;
        boolean creat = (flags & Fcntl.O_CREAT) != 0, excl = creat && (flags & Fcntl.O_EXCL) != 0;
        int acc = flags & Fcntl.O_ACCMODE;
        // access mode 3 asks for read and write permission but allows neither (ioctl-only opens)
        boolean write = acc != Fcntl.O_RDONLY;
        boolean follow = (flags & Fcntl.O_NOFOLLOW) == 0 && !excl;
        if (creat && path.endsWith("/")) {
            fs.resolveCreate(dirfd, path); // the parent's errors first
            throw new LinuxError(Errno.EISDIR);
        }
        Resolved r = fs.resolveAt(dirfd, path, follow);
        // what F_GETFL reports: the access mode and status flags (x86-64 open forces O_LARGEFILE)
        int keep = flags & ~(Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_NOCTTY | Fcntl.O_TRUNC | Fcntl.O_CLOEXEC)
                | (pathOnly ? 0 : Fcntl.O_LARGEFILE);
        boolean cloexec = (flags & Fcntl.O_CLOEXEC) != 0;
        OpenFile file;
        if (r.magicTarget() != null) {
            OpenFile same = follow ? fs.procFd(r) : null;
            if (same != null) return fs.fds.installShared(same, cloexec); // Linux reopens the pipe; jvmx shares it
            throw new LinuxError(r.magicTarget().startsWith("/") ? Errno.ELOOP : Errno.ENOENT);
        } else if (r.stat() == null) {
            DevFile.Kind dev = DevFile.kindOf(r.guest());
            if (dev != null && !pathOnly) {
                file = new DevFile(dev, keep, r.guest());
            } else {
                if (!creat) throw new LinuxError(Errno.ENOENT);
                file = create(r, keep, write, excl, mode);
            }
        } else {
            if (excl) throw new LinuxError(Errno.EEXIST);
            file = openExisting(r, flags, keep, write);
        }
        try {
            return fs.fds.install(file, cloexec);
        } catch (LinuxError e) {
            file.release();
            throw e;
        }
    }

    private OpenFile openExisting(Resolved r, int flags, int keep, boolean write) {
        HostStat st = r.stat();
        boolean pathOnly = (flags & Fcntl.O_PATH) != 0;
        if (st.isSymlink()) {
            // not followed: O_NOFOLLOW (or O_CREAT|O_EXCL, handled before)
            if ((flags & Fcntl.O_DIRECTORY) != 0) throw new LinuxError(Errno.ENOTDIR);
            if (pathOnly) return new PathOnlyFile(r.host(), keep, r.guest());
            throw new LinuxError(Errno.ELOOP);
        }
        boolean trunc = (flags & Fcntl.O_TRUNC) != 0 && !pathOnly;
        if (st.isDirectory()) {
            // O_TRUNC asks for write permission, which a directory refuses (fs/namei.c do_open)
            if (!pathOnly && ((flags & Fcntl.O_CREAT) != 0 || write || trunc)) throw new LinuxError(Errno.EISDIR);
            return new DirFile(r.host(), keep, r.guest(), parentIno(r));
        }
        if ((flags & Fcntl.O_DIRECTORY) != 0) throw new LinuxError(Errno.ENOTDIR);
        if (pathOnly) return new PathOnlyFile(r.host(), keep, r.guest());
        int type = st.mode() & Fcntl.S_IFMT;
        if (type == Fcntl.S_IFSOCK) throw new LinuxError(Errno.ENXIO);
        boolean regular = type == Fcntl.S_IFREG;
        Set<OpenOption> opts = new HashSet<>();
        int acc = flags & Fcntl.O_ACCMODE;
        if (acc != Fcntl.O_WRONLY) opts.add(StandardOpenOption.READ);
        if (write) opts.add(StandardOpenOption.WRITE);
        if (write && regular && trunc) opts.add(StandardOpenOption.TRUNCATE_EXISTING);
        opts.add(LinkOption.NOFOLLOW_LINKS);
        try {
            if (!write && regular && trunc) {
                // O_RDONLY|O_TRUNC truncates on Linux (with write permission): through a short-lived channel
                FileChannel.open(r.host(), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING).close();
            }
            return new HostFile(FileChannel.open(r.host(), opts), r.host(), keep, r.guest(), regular, fs.mappedPages());
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    /** O_CREAT of a missing name: the file gets {@code mode & ~umask} (set after opening, so a read-only mode still lets this open write). */
    private OpenFile create(Resolved r, int keep, boolean write, boolean excl, int mode) {
        Path p = r.host();
        try {
            try {
                Files.createFile(p);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                if (excl) throw raced;
            }
            Set<OpenOption> opts = new HashSet<>();
            if (!write || (keep & Fcntl.O_ACCMODE) == Fcntl.O_RDWR) opts.add(StandardOpenOption.READ);
            if (write) opts.add(StandardOpenOption.WRITE);
            opts.add(LinkOption.NOFOLLOW_LINKS);
            FileChannel ch = FileChannel.open(p, opts);
            Files.setAttribute(p, "unix:mode", mode & ~fs.umask() & 07777, LinkOption.NOFOLLOW_LINKS);
            return new HostFile(ch, p, keep, r.guest(), true, fs.mappedPages());
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    /**
     * O_TMPFILE (O_TMPFILE includes O_DIRECTORY): an unnamed regular file in directory {@code path};
     * made as a host file with a private name that is unlinked at once. Needs write access (EINVAL).
     */
    private long tmpfile(int dirfd, String path, int flags, int mode) {
        int acc = flags & Fcntl.O_ACCMODE;
        if (acc == Fcntl.O_RDONLY || acc == 3 || (flags & Fcntl.O_CREAT) != 0) throw new LinuxError(Errno.EINVAL);
        Resolved dir = fs.existing(dirfd, path, true);
        if (dir.stat() == null || !dir.stat().isDirectory()) throw new LinuxError(Errno.ENOTDIR);
        Path p = dir.host().resolve(".jvmx-tmpfile-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        String guest = (dir.guest().equals("/") ? "" : dir.guest()) + "/#" + System.nanoTime() + " (deleted)";
        try {
            Files.createFile(p);
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Files.setAttribute(p, "unix:mode", mode & ~fs.umask() & 07777);
            Files.delete(p);
            int keep = (flags & ~(Fcntl.O_TMPFILE | Fcntl.O_DIRECTORY | Fcntl.O_CREAT | Fcntl.O_EXCL
                    | Fcntl.O_NOCTTY | Fcntl.O_TRUNC | Fcntl.O_CLOEXEC)) | Fcntl.O_LARGEFILE;
            OpenFile f = new HostFile(ch, null, keep, guest, true, fs.mappedPages());
            try {
                return fs.fds.install(f, (flags & Fcntl.O_CLOEXEC) != 0);
            } catch (LinuxError e) {
                f.release();
                throw e;
            }
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    /** The inode ".." lists: the parent's, or the directory's own at the guest's root. */
    long parentIno(Resolved r) {
        String g = r.guest();
        String parent = g.lastIndexOf('/') <= 0 ? "/" : g.substring(0, g.lastIndexOf('/'));
        return HostStat.of(fs.resolver.host(parent), true).ino();
    }

    static byte[] cstring(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }
}
