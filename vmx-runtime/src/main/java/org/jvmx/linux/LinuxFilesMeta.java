package org.jvmx.linux;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.jvmx.linux.fs.DirFile;
import org.jvmx.linux.fs.Fcntl;
import org.jvmx.linux.fs.HostErrors;
import org.jvmx.linux.fs.HostStat;
import org.jvmx.linux.fs.OpenFile;
import org.jvmx.linux.fs.PathResolver.Resolved;
import org.jvmx.linux.fs.StatLayout;

/**
 * Path metadata calls: the stat family and statx, readlink, access, the current directory,
 * mkdir/rmdir/unlink/rename/link/symlink, chmod/chown, utimensat, truncate, umask, statfs and
 * the xattr calls (no extended attributes: get → ENODATA, list → empty, set → EOPNOTSUPP).
 */
final class LinuxFilesMeta {
    private static final int UTIME_NOW = (1 << 30) - 1, UTIME_OMIT = (1 << 30) - 2;
    private static final int RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;

    private final LinuxFiles fs;
    private final UserMemory mem;

    LinuxFilesMeta(LinuxFiles fs) {
        this.fs = fs;
        this.mem = fs.mem;
    }

    private static final int CWD = Fcntl.AT_FDCWD;

    void install(SyscallTable t) {
        t.put(4, "stat", "sp", (a, b, c, d, e, f) -> stat(CWD, fs.path(a), b, 0));
        t.put(5, "fstat", "fp", (a, b, c, d, e, f) -> fstat((int) a, b));
        t.put(6, "lstat", "sp", (a, b, c, d, e, f) -> stat(CWD, fs.path(a), b, Fcntl.AT_SYMLINK_NOFOLLOW));
        t.put(262, "newfstatat", "fspx", (a, b, c, d, e, f) -> stat((int) a, fs.path(b), c, (int) d));
        t.put(332, "statx", "fsxxp", (a, b, c, d, e, f) -> statx((int) a, fs.path(b), (int) c, e));
        t.put(21, "access", "so", (a, b, c, d, e, f) -> access(CWD, fs.path(a), (int) b, 0));
        t.put(269, "faccessat", "fso", (a, b, c, d, e, f) -> access((int) a, fs.path(b), (int) c, 0));
        t.put(439, "faccessat2", "fsox", (a, b, c, d, e, f) -> access((int) a, fs.path(b), (int) c, (int) d));
        t.put(89, "readlink", "spu", (a, b, c, d, e, f) -> readlink(CWD, fs.path(a), b, c));
        t.put(267, "readlinkat", "fspu", (a, b, c, d, e, f) -> readlink((int) a, fs.path(b), c, d));
        t.put(79, "getcwd", "pu", (a, b, c, d, e, f) -> getcwd(a, b));
        t.put(80, "chdir", "s", (a, b, c, d, e, f) -> chdir(fs.path(a)));
        t.put(81, "fchdir", "f", (a, b, c, d, e, f) -> fchdir((int) a));
        t.put(83, "mkdir", "so", (a, b, c, d, e, f) -> mkdir(CWD, fs.path(a), (int) b));
        t.put(258, "mkdirat", "fso", (a, b, c, d, e, f) -> mkdir((int) a, fs.path(b), (int) c));
        t.put(84, "rmdir", "s", (a, b, c, d, e, f) -> rmdir(CWD, fs.path(a)));
        t.put(87, "unlink", "s", (a, b, c, d, e, f) -> unlink(CWD, fs.path(a)));
        t.put(263, "unlinkat", "fsx", (a, b, c, d, e, f) -> unlinkat((int) a, fs.path(b), (int) c));
        t.put(82, "rename", "ss", (a, b, c, d, e, f) -> rename(CWD, fs.path(a), CWD, fs.path(b), 0));
        t.put(264, "renameat", "fsfs", (a, b, c, d, e, f) -> rename((int) a, fs.path(b), (int) c, fs.path(d), 0));
        t.put(316, "renameat2", "fsfsx", (a, b, c, d, e, f) -> rename((int) a, fs.path(b), (int) c, fs.path(d), (int) e));
        t.put(88, "symlink", "ss", (a, b, c, d, e, f) -> symlink(fs.path(a), CWD, fs.path(b)));
        t.put(266, "symlinkat", "sfs", (a, b, c, d, e, f) -> symlink(fs.path(a), (int) b, fs.path(c)));
        t.put(86, "link", "ss", (a, b, c, d, e, f) -> link(CWD, fs.path(a), CWD, fs.path(b), 0));
        t.put(265, "linkat", "fsfsx", (a, b, c, d, e, f) -> link((int) a, fs.path(b), (int) c, fs.path(d), (int) e));
        t.put(90, "chmod", "so", (a, b, c, d, e, f) -> chmod(existing(CWD, fs.path(a), true), (int) b));
        t.put(91, "fchmod", "fo", (a, b, c, d, e, f) -> fchmod((int) a, (int) b));
        t.put(268, "fchmodat", "fso", (a, b, c, d, e, f) -> chmod(existing((int) a, fs.path(b), true), (int) c));
        t.put(92, "chown", "sdd", (a, b, c, d, e, f) -> chown(existing(CWD, fs.path(a), true), (int) b, (int) c, true));
        t.put(93, "fchown", "fdd", (a, b, c, d, e, f) -> fchown((int) a, (int) b, (int) c));
        t.put(94, "lchown", "sdd", (a, b, c, d, e, f) -> chown(existing(CWD, fs.path(a), false), (int) b, (int) c, false));
        t.put(260, "fchownat", "fsddx", (a, b, c, d, e, f) -> fchownat((int) a, b, (int) c, (int) d, (int) e));
        t.put(280, "utimensat", "fppx", (a, b, c, d, e, f) -> utimensat((int) a, b, c, (int) d));
        t.put(235, "utimes", "sp", (a, b, c, d, e, f) -> utimes(CWD, fs.path(a), b));
        t.put(261, "futimesat", "fsp", (a, b, c, d, e, f) -> utimes((int) a, fs.path(b), c));
        t.put(76, "truncate", "sd", (a, b, c, d, e, f) -> truncate(fs.path(a), b));
        t.put(95, "umask", "o", (a, b, c, d, e, f) -> fs.swapUmask((int) a));
        t.put(137, "statfs", "sp", (a, b, c, d, e, f) -> statfs(existing(CWD, fs.path(a), true).host(), b));
        t.put(138, "fstatfs", "fp", (a, b, c, d, e, f) -> fstatfs((int) a, b));
        String[] xattr = {"setxattr", "lsetxattr", "fsetxattr", "getxattr", "lgetxattr", "fgetxattr",
            "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr", "fremovexattr"};
        for (int i = 0; i < xattr.length; i++) {
            int kind = i / 3, by = i % 3; // kind: set/get/list/remove; by: path/lpath/fd
            t.put(188 + i, xattr[i], by == 2 ? (kind == 2 ? "fpu" : "fspux") : (kind == 2 ? "spu" : "sspux"),
                    (a, b, c, d, e, f) -> xattr(kind, by, a));
        }
    }

    private Resolved existing(int dirfd, String path, boolean follow) {
        return fs.existing(dirfd, path, follow);
    }

    // ---- stat ----

    /** The file of a *at call with AT_EMPTY_PATH and "": the dirfd itself (or the cwd). */
    private HostStat statOf(int dirfd, String path, int flags) {
        if (path.isEmpty() && (flags & Fcntl.AT_EMPTY_PATH) != 0) {
            if (dirfd == CWD) return HostStat.of(fs.resolver.host(fs.cwd()), true);
            return fs.fds.get(dirfd).stat();
        }
        Resolved r = existing(dirfd, path, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0);
        if (r.magicTarget() != null) {
            OpenFile same = (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0 ? fs.procFd(r) : null;
            if (same != null) return same.stat();
            return HostStat.synthetic(0x200 + r.guest().hashCode() & 0xffff, Fcntl.S_IFLNK | 0777, 0, 0, 0);
        }
        return r.stat();
    }

    long stat(int dirfd, String path, long buf, int flags) {
        if ((flags & ~(Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH | Fcntl.AT_NO_AUTOMOUNT)) != 0) {
            throw new LinuxError(Errno.EINVAL);
        }
        mem.write(buf, StatLayout.stat(statOf(dirfd, path, flags)));
        return 0;
    }

    long fstat(int fd, long buf) {
        mem.write(buf, StatLayout.stat(fs.fds.get(fd).stat()));
        return 0;
    }

    long statx(int dirfd, String path, int flags, long buf) {
        if ((flags & ~(Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH | Fcntl.AT_NO_AUTOMOUNT
                | Fcntl.AT_STATX_SYNC_TYPE)) != 0 || (flags & Fcntl.AT_STATX_SYNC_TYPE) == Fcntl.AT_STATX_SYNC_TYPE) {
            throw new LinuxError(Errno.EINVAL);
        }
        mem.write(buf, StatLayout.statx(statOf(dirfd, path, flags)));
        return 0;
    }

    // ---- names ----

    long access(int dirfd, String path, int mode, int flags) {
        if ((mode & ~7) != 0 || (flags & ~(Fcntl.AT_EACCESS | Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) {
            throw new LinuxError(Errno.EINVAL);
        }
        Resolved r = existing(dirfd, path, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0);
        Path p = r.host();
        if ((mode & 4) != 0 && !Files.isReadable(p)) throw new LinuxError(Errno.EACCES);
        if ((mode & 2) != 0 && !Files.isWritable(p)) throw new LinuxError(Errno.EACCES);
        if ((mode & 1) != 0 && !Files.isExecutable(p)) throw new LinuxError(Errno.EACCES);
        return 0;
    }

    long readlink(int dirfd, String path, long buf, long size) {
        if (size <= 0) throw new LinuxError(Errno.EINVAL);
        Resolved r = existing(dirfd, path, false);
        String target = r.magicTarget();
        if (target == null) {
            if (!r.stat().isSymlink()) throw new LinuxError(Errno.EINVAL);
            try {
                target = Files.readSymbolicLink(r.host()).toString();
            } catch (IOException e) {
                throw HostErrors.of(e);
            }
        }
        byte[] b = target.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int n = (int) Math.min(b.length, size);
        mem.write(buf, b, 0, n);
        return n;
    }

    long getcwd(long buf, long size) {
        byte[] b = LinuxFilesPaths.cstring(fs.cwd());
        if (size < b.length) throw new LinuxError(Errno.ERANGE);
        mem.write(buf, b);
        return b.length;
    }

    long chdir(String path) {
        Resolved r = existing(CWD, path, true);
        if (!r.stat().isDirectory()) throw new LinuxError(Errno.ENOTDIR);
        if (!Files.isExecutable(r.host())) throw new LinuxError(Errno.EACCES);
        fs.setCwd(r.guest());
        return 0;
    }

    long fchdir(int fd) {
        OpenFile f = fs.fds.get(fd);
        if (!(f instanceof DirFile)) throw new LinuxError(Errno.ENOTDIR);
        fs.setCwd(f.guestPath);
        return 0;
    }

    long mkdir(int dirfd, String path, int mode) {
        Resolved r = fs.resolveCreate(dirfd, path);
        if (r.exists()) throw new LinuxError(Errno.EEXIST);
        try {
            Files.createDirectory(r.host());
            Files.setAttribute(r.host(), "unix:mode", mode & ~fs.umask() & 01777, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
        return 0;
    }

    /** The last component as written ("." and ".." are refused by rmdir/unlink/rename). */
    private static String lastName(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        int i = p.lastIndexOf('/');
        return i < 0 ? p : p.substring(i + 1);
    }

    long rmdir(int dirfd, String path) {
        Resolved r = existing(dirfd, path, false);
        String last = lastName(path);
        if (last.equals(".")) throw new LinuxError(Errno.EINVAL);
        if (last.equals("..")) throw new LinuxError(Errno.ENOTEMPTY);
        if (r.magicTarget() != null || !r.stat().isDirectory()) throw new LinuxError(Errno.ENOTDIR);
        if (r.guest().equals("/")) throw new LinuxError(Errno.EBUSY);
        delete(r.host());
        return 0;
    }

    long unlink(int dirfd, String path) {
        Resolved r = existing(dirfd, path, false);
        if (r.magicTarget() != null) throw new LinuxError(Errno.EACCES);
        if (r.stat().isDirectory()) throw new LinuxError(Errno.EISDIR);
        delete(r.host());
        return 0;
    }

    long unlinkat(int dirfd, String path, int flags) {
        if ((flags & ~Fcntl.AT_REMOVEDIR) != 0) throw new LinuxError(Errno.EINVAL);
        return (flags & Fcntl.AT_REMOVEDIR) != 0 ? rmdir(dirfd, path) : unlink(dirfd, path);
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    /**
     * renameat2 (fs/namei.c do_renameat2): both parents are looked up, then "." / ".." / "/" as
     * either name is EBUSY, a missing source ENOENT, and a trailing slash on either name needs a
     * directory source (ENOTDIR). RENAME_EXCHANGE swaps through a private temporary name.
     */
    long rename(int olddirfd, String oldpath, int newdirfd, String newpath, int flags) {
        if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0
                || flags == (RENAME_NOREPLACE | RENAME_EXCHANGE)) throw new LinuxError(Errno.EINVAL);
        Resolved from = fs.resolveCreate(olddirfd, oldpath);
        Resolved to = fs.resolveCreate(newdirfd, newpath);
        if (special(oldpath, from) || special(newpath, to)) throw new LinuxError(Errno.EBUSY);
        if (!from.exists()) throw new LinuxError(Errno.ENOENT);
        if (from.magicTarget() != null || to.magicTarget() != null) throw new LinuxError(Errno.EXDEV);
        boolean fromDir = from.stat().isDirectory();
        if (!fromDir && (oldpath.endsWith("/") || newpath.endsWith("/"))) throw new LinuxError(Errno.ENOTDIR);
        if ((flags & RENAME_NOREPLACE) != 0 && to.exists()) throw new LinuxError(Errno.EEXIST);
        if ((flags & RENAME_EXCHANGE) != 0 && !to.exists()) throw new LinuxError(Errno.ENOENT);
        if (from.guest().equals(to.guest())) return 0;
        if (fromDir && to.guest().startsWith(from.guest() + "/")) throw new LinuxError(Errno.EINVAL);
        if (to.stat() != null && to.stat().isDirectory() && from.guest().startsWith(to.guest() + "/")) {
            throw new LinuxError((flags & RENAME_EXCHANGE) != 0 ? Errno.EINVAL : Errno.ENOTEMPTY);
        }
        try {
            if ((flags & RENAME_EXCHANGE) != 0) {
                Path tmp = from.host().resolveSibling(".jvmx-exchange-" + System.nanoTime());
                Files.move(from.host(), tmp, StandardCopyOption.ATOMIC_MOVE);
                Files.move(to.host(), from.host(), StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, to.host(), StandardCopyOption.ATOMIC_MOVE);
            } else {
                if (to.stat() != null) {
                    boolean toDir = to.stat().isDirectory();
                    if (fromDir && !toDir) throw new LinuxError(Errno.ENOTDIR);
                    if (!fromDir && toDir) throw new LinuxError(Errno.EISDIR);
                }
                Files.move(from.host(), to.host(), StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
        return 0;
    }

    /** A name rename cannot take: "." or ".." as the last component, or the root. */
    private static boolean special(String path, Resolved r) {
        String last = lastName(path);
        return last.equals(".") || last.equals("..") || last.equals("/") || r.guest().equals("/");
    }

    long symlink(String target, int dirfd, String linkpath) {
        if (target.isEmpty()) throw new LinuxError(Errno.ENOENT);
        Resolved r = fs.resolveCreate(dirfd, linkpath);
        if (r.exists()) throw new LinuxError(Errno.EEXIST);
        if (linkpath.endsWith("/")) throw new LinuxError(Errno.ENOENT);
        try {
            Files.createSymbolicLink(r.host(), Path.of(target));
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
        return 0;
    }

    long link(int olddirfd, String oldpath, int newdirfd, String newpath, int flags) {
        if ((flags & ~(Fcntl.AT_SYMLINK_FOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) throw new LinuxError(Errno.EINVAL);
        Resolved from;
        if (oldpath.isEmpty() && (flags & Fcntl.AT_EMPTY_PATH) != 0) {
            OpenFile f = fs.fds.get(olddirfd);
            if (f.hostPath() == null) throw new LinuxError(Errno.ENOENT);
            from = new Resolved(f.hostPath(), f.guestPath, f.stat(), null);
        } else {
            from = existing(olddirfd, oldpath, (flags & Fcntl.AT_SYMLINK_FOLLOW) != 0);
        }
        Resolved to = fs.resolveCreate(newdirfd, newpath);
        if (to.exists()) throw new LinuxError(Errno.EEXIST);
        if (newpath.endsWith("/")) throw new LinuxError(Errno.ENOENT);
        if (from.magicTarget() != null) throw new LinuxError(Errno.EXDEV);
        if (from.stat().isDirectory()) throw new LinuxError(Errno.EPERM);
        try {
            Files.createLink(to.host(), from.host());
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
        return 0;
    }

    // ---- attributes ----

    private long chmod(Resolved r, int mode) {
        if (r.magicTarget() != null) throw new LinuxError(Errno.EPERM);
        return setMode(r.host(), mode);
    }

    private static long setMode(Path p, int mode) {
        try {
            Files.setAttribute(p, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
        return 0;
    }

    long fchmod(int fd, int mode) {
        OpenFile f = fs.fds.get(fd);
        if (f.isPath()) throw new LinuxError(Errno.EBADF);
        return f.hostPath() == null ? 0 : setMode(f.hostPath(), mode);
    }

    /** chown: -1 keeps; a change to the current values always succeeds; otherwise the host decides. */
    private long chown(Resolved r, int uid, int gid, boolean follow) {
        if (r.magicTarget() != null) throw new LinuxError(Errno.EPERM);
        return setOwner(r.host(), r.stat(), uid, gid);
    }

    private static long setOwner(Path p, HostStat st, int uid, int gid) {
        try {
            if (uid != -1 && uid != st.uid()) Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            if (gid != -1 && gid != st.gid()) Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
        return 0;
    }

    long fchown(int fd, int uid, int gid) {
        OpenFile f = fs.fds.get(fd);
        if (f.isPath()) throw new LinuxError(Errno.EBADF);
        return f.hostPath() == null ? 0 : setOwner(f.hostPath(), f.stat(), uid, gid);
    }

    long fchownat(int dirfd, long pathPtr, int uid, int gid, int flags) {
        if ((flags & ~(Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) throw new LinuxError(Errno.EINVAL);
        String path = fs.path(pathPtr);
        if (path.isEmpty() && (flags & Fcntl.AT_EMPTY_PATH) != 0) {
            if (dirfd == CWD) return chown(existing(CWD, ".", true), uid, gid, true);
            OpenFile f = fs.fds.get(dirfd);
            return f.hostPath() == null ? 0 : setOwner(f.hostPath(), f.stat(), uid, gid);
        }
        return chown(existing(dirfd, path, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0), uid, gid, true);
    }

    /** utimensat(dirfd, path or NULL for the fd itself, times[2] or NULL for now, flags). */
    long utimensat(int dirfd, long pathPtr, long timesPtr, int flags) {
        if ((flags & ~(Fcntl.AT_SYMLINK_NOFOLLOW | Fcntl.AT_EMPTY_PATH)) != 0) throw new LinuxError(Errno.EINVAL);
        FileTime[] t = {null, null};
        if (timesPtr != 0) {
            for (int i = 0; i < 2; i++) {
                long s = mem.readLong(timesPtr + 16L * i), ns = mem.readLong(timesPtr + 16L * i + 8);
                if (ns == UTIME_OMIT) continue;
                if (ns == UTIME_NOW) t[i] = FileTime.from(Instant.now());
                else if (ns < 0 || ns >= 1_000_000_000L) throw new LinuxError(Errno.EINVAL);
                else t[i] = FileTime.from(Instant.ofEpochSecond(s, ns));
            }
            if (t[0] == null && t[1] == null) {
                // both omitted: nothing changes, but the file must still exist
                target(dirfd, pathPtr, flags);
                return 0;
            }
        } else {
            t[0] = t[1] = FileTime.from(Instant.now());
        }
        Path p = target(dirfd, pathPtr, flags);
        return setTimes(p, t[0], t[1]);
    }

    private Path target(int dirfd, long pathPtr, int flags) {
        String path = pathPtr == 0 ? "" : fs.path(pathPtr);
        if (path.isEmpty() && (pathPtr == 0 || (flags & Fcntl.AT_EMPTY_PATH) != 0)) {
            if (dirfd == CWD) return fs.resolver.host(fs.cwd());
            OpenFile f = fs.fds.get(dirfd);
            if (f.hostPath() == null) throw new LinuxError(Errno.EACCES);
            return f.hostPath();
        }
        Resolved r = existing(dirfd, path, (flags & Fcntl.AT_SYMLINK_NOFOLLOW) == 0);
        if (r.magicTarget() != null) throw new LinuxError(Errno.EPERM);
        return r.host();
    }

    private static long setTimes(Path p, FileTime atime, FileTime mtime) {
        try {
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(mtime, atime, null);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
        return 0;
    }

    /** utimes/futimesat: struct timeval times[2] (NULL: now). */
    long utimes(int dirfd, String path, long timesPtr) {
        Resolved r = existing(dirfd, path, true);
        FileTime a, m;
        if (timesPtr == 0) {
            a = m = FileTime.from(Instant.now());
        } else {
            long as = mem.readLong(timesPtr), au = mem.readLong(timesPtr + 8);
            long ms = mem.readLong(timesPtr + 16), mu = mem.readLong(timesPtr + 24);
            if (au < 0 || au >= 1_000_000 || mu < 0 || mu >= 1_000_000) throw new LinuxError(Errno.EINVAL);
            a = FileTime.from(Instant.ofEpochSecond(as, au * 1000));
            m = FileTime.from(Instant.ofEpochSecond(ms, mu * 1000));
        }
        return setTimes(r.host(), a, m);
    }

    long truncate(String path, long len) {
        if (len < 0) throw new LinuxError(Errno.EINVAL);
        Resolved r = existing(CWD, path, true);
        if (r.stat().isDirectory()) throw new LinuxError(Errno.EISDIR);
        if (!r.stat().isRegular()) throw new LinuxError(Errno.EINVAL);
        try (FileChannel ch = FileChannel.open(r.host(), StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (len < size) ch.truncate(len);
            else if (len > size) ch.write(ByteBuffer.allocate(1), len - 1);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
        return 0;
    }

    // ---- file systems ----

    long fstatfs(int fd, long buf) {
        OpenFile f = fs.fds.get(fd);
        if (f.hostPath() == null) {
            mem.write(buf, statfs(0x50495045L, 4096, 0, 0, 0)); // PIPEFS_MAGIC
            return 0;
        }
        return statfs(f.hostPath(), buf);
    }

    private long statfs(Path p, long buf) {
        try {
            FileStore store = Files.getFileStore(p);
            long bs = 4096;
            try {
                bs = store.getBlockSize();
            } catch (UnsupportedOperationException ignored) {
                // keep 4096
            }
            mem.write(buf, statfs(fsMagic(store.type()), bs, store.getTotalSpace() / bs,
                    store.getUnallocatedSpace() / bs, store.getUsableSpace() / bs));
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
        return 0;
    }

    /** The f_type of a file system name (the *_SUPER_MAGIC values of linux/magic.h). */
    static long fsMagic(String type) {
        return switch (type) {
            case "ext2", "ext3", "ext4" -> 0xEF53L;
            case "tmpfs" -> 0x01021994L;
            case "overlay" -> 0x794c7630L;
            case "xfs" -> 0x58465342L;
            case "btrfs" -> 0x9123683EL;
            case "proc" -> 0x9fa0L;
            case "sysfs" -> 0x62656572L;
            case "devtmpfs" -> 0x01021994L;
            case "nfs", "nfs4" -> 0x6969L;
            case "zfs" -> 0x2fc12fc1L;
            default -> 0xEF53L;
        };
    }

    /**
     * x86-64 struct statfs (120 bytes): f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files,
     * f_ffree, f_fsid (2 ints), f_namelen, f_frsize, f_flags, f_spare[4]; all 8 bytes wide.
     */
    static byte[] statfs(long type, long bsize, long blocks, long bfree, long bavail) {
        ByteBuffer b = ByteBuffer.allocate(120).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(type).putLong(bsize).putLong(blocks).putLong(bfree).putLong(bavail)
                .putLong(blocks > 0 ? 1 << 20 : 0).putLong(blocks > 0 ? 1 << 19 : 0).putLong(0)
                .putLong(255).putLong(bsize).putLong(0x20); // ST_RELATIME
        return b.array();
    }

    /** Extended attributes: none exist; the file must still be there (ENOENT, EBADF as Linux). */
    private long xattr(int kind, int by, long a0) {
        if (by == 2) fs.fds.get((int) a0);
        else existing(CWD, fs.path(a0), by == 0);
        return switch (kind) {
            case 0 -> throw new LinuxError(Errno.EOPNOTSUPP);
            case 1, 3 -> throw new LinuxError(Errno.ENODATA);
            default -> 0;
        };
    }
}
