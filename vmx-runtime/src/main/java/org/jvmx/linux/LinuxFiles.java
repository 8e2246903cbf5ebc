package org.jvmx.linux;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jvmx.linux.fs.DirFile;
import org.jvmx.linux.fs.Fcntl;
import org.jvmx.linux.fs.FdTable;
import org.jvmx.linux.fs.OpenFile;
import org.jvmx.linux.fs.PathResolver;
import org.jvmx.linux.fs.StreamFile;
import org.jvmx.linux.fs.Terminal;

/**
 * The Linux personality's files: the guest's view of the file system (the host directory
 * {@code root} seen as "/", see {@link PathResolver}), the process's fd table and current
 * directory, and the file, directory, pipe and tty system calls. The calls themselves live in
 * {@link LinuxFilesIo} (descriptor I/O, pipes, fcntl, ioctl, poll/select) and
 * {@link LinuxFilesPaths} (path-based calls: open, stat, directories, links, permissions).
 *
 * <p>Ownership decision (chown family): the change is passed to the host, so the guest sees the
 * host's verdict (EPERM for an unprivileged monitor changing the owner, as for an unprivileged
 * Linux process); a change to the current owner/group (or -1) always succeeds.
 */
public final class LinuxFiles implements SyscallTable.Group, FileMapper {
    final UserMemory mem;
    final PathResolver resolver;
    FdTable fds = new FdTable();
    private volatile String cwd;
    private volatile int umask = 022;
    private volatile String exe = "/";
    private volatile int pid = 1;
    private volatile Runnable onSigpipe = () -> { };
    final Terminal terminal = new Terminal();

    /**
     * @param root   the host directory the guest sees as "/" (must exist)
     * @param cwd    the guest's initial current directory, a guest path ("/" if in doubt)
     * @param mem    the process's memory as system calls see it
     * @param stdin  fd 0 (null: fd 0 is closed)
     * @param stdout fd 1 (null: closed)
     * @param stderr fd 2 (null: closed)
     */
    public LinuxFiles(Path root, String cwd, UserMemory mem, InputStream stdin, OutputStream stdout,
            OutputStream stderr) {
        this(root, cwd, mem, stdin, stdout, stderr, false, false, false);
    }

    /** As above, saying which standard streams are the host's terminal (see {@link #hostIsTerminal}). */
    public LinuxFiles(Path root, String cwd, UserMemory mem, InputStream stdin, OutputStream stdout,
            OutputStream stderr, boolean stdinTty, boolean stdoutTty, boolean stderrTty) {
        this.mem = mem;
        this.resolver = new PathResolver(root, this::magicLink);
        if (!Files.isDirectory(resolver.root())) throw new IllegalArgumentException("root is not a directory: " + root);
        this.cwd = "/";
        if (cwd != null && !cwd.equals("/")) {
            PathResolver.Resolved r = resolver.resolve("/", cwd, true);
            if (r.stat() == null || !r.stat().isDirectory()) throw new IllegalArgumentException("no such directory in root: " + cwd);
            this.cwd = r.guest();
        }
        openStd(0, stdin, null, stdinTty);
        openStd(1, null, stdout, stdoutTty);
        openStd(2, null, stderr, stderrTty);
    }

    private void openStd(int fd, InputStream in, OutputStream out, boolean tty) {
        if (in == null && out == null) return; // that standard fd starts closed
        String name = tty ? "/dev/pts/0" : "pipe:[" + (fd + 1) + "]";
        int got = fds.install(new StreamFile(in, out, tty, name, fd + 1), false, fd);
        if (got != fd) throw new IllegalStateException("fd " + fd + " landed at " + got);
    }

    /**
     * Whether the host's own file descriptor {@code hostFd} (0, 1, 2) is a terminal: the wiring
     * uses it when it hands System.in/out/err to the guest.
     */
    public static boolean hostIsTerminal(int hostFd) {
        try {
            String t = Files.readSymbolicLink(Path.of("/proc/self/fd/" + hostFd)).toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console");
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void install(SyscallTable table) {
        new LinuxFilesIo(this).install(table);
        new LinuxFilesPaths(this).install(table);
    }

    @Override
    public MappableFile mappable(int fd) {
        return fds.get(fd).mappable();
    }

    private LinuxFiles(LinuxFiles parent, UserMemory mem) {
        this.mem = mem;
        this.resolver = new PathResolver(parent.resolver.root(), this::magicLink);
        this.fds = parent.fds.copy();
        this.cwd = parent.cwd;
        this.umask = parent.umask;
        this.exe = parent.exe;
        this.pid = parent.pid;
        this.onSigpipe = parent.onSigpipe;
        this.terminal.setTermios(parent.terminal.termios());
    }

    /** fork: the child's files (a copy of the fd table sharing the open files, same cwd and umask) over the child's memory. */
    public LinuxFiles fork(UserMemory childMem) {
        return new LinuxFiles(this, childMem);
    }

    // ---- state the other groups use ----

    /** The shared file mappings of the memory the calls reach (kept coherent with file I/O). */
    org.jvmx.linux.fs.MappedPages mappedPages() {
        return mem instanceof org.jvmx.linux.fs.MappedPages m ? m : org.jvmx.linux.fs.MappedPages.NONE;
    }

    /** The fd table (execve: {@link FdTable#execCloseOnExec()}; RLIMIT_NOFILE: {@link FdTable#setLimit}). */
    public FdTable fds() {
        return fds;
    }

    /** fork: the child's table shares the open files. */
    public void replaceFds(FdTable t) {
        fds = t;
    }

    public String cwd() {
        return cwd;
    }

    void setCwd(String guestDir) {
        cwd = guestDir;
    }

    public int umask() {
        return umask;
    }

    int swapUmask(int m) {
        int old = umask;
        umask = m & 0777;
        return old;
    }

    /** The program's guest path: what readlink("/proc/self/exe") answers. */
    public void setExe(String guestPath) {
        exe = guestPath;
    }

    /** The process id the tty ioctls report as the foreground process group. */
    public void setPid(int pid) {
        this.pid = pid;
    }

    int pid() {
        return pid;
    }

    /** What to do when a write hits a pipe without readers (the signals group raises SIGPIPE); EPIPE is returned anyway. */
    public void setSigpipeHandler(Runnable r) {
        onSigpipe = r == null ? () -> { } : r;
    }

    void sigpipe() {
        onSigpipe.run();
    }

    /** The host path of a guest path as the process would open it (following symlinks), e.g. for execve. */
    public Path hostPathOf(String guestPath) {
        return resolveAt(Fcntl.AT_FDCWD, guestPath, true).host();
    }

    // ---- helpers shared by the call classes ----

    /** The monitor's own links: /proc/self/exe, /proc/self/cwd, /proc/self/fd/N. */
    private String magicLink(String guest) {
        if (!guest.startsWith("/proc/self/")) return null;
        String rest = guest.substring("/proc/self/".length());
        if (rest.equals("exe")) return exe;
        if (rest.equals("cwd")) return cwd;
        if (rest.startsWith("fd/")) {
            try {
                int fd = Integer.parseInt(rest.substring(3));
                return fds.isOpen(fd) ? fds.get(fd).guestPath : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** The open file a followed /proc/self/fd/N names when it has no path (a pipe, a stream), or null. */
    OpenFile procFd(PathResolver.Resolved r) {
        if (r.magicTarget() == null || r.magicTarget().startsWith("/") || !r.guest().startsWith("/proc/self/fd/")) return null;
        try {
            int fd = Integer.parseInt(r.guest().substring("/proc/self/fd/".length()));
            return fds.isOpen(fd) ? fds.get(fd) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Reads a path argument (EFAULT, ENAMETOOLONG at PATH_MAX). */
    String path(long va) {
        return mem.readCString(va, Fcntl.PATH_MAX - 1);
    }

    /** The guest directory a relative path starts from: cwd for AT_FDCWD, else the directory of {@code dirfd}. */
    String startDir(int dirfd, String path) {
        if (path.startsWith("/")) return "/";
        if (dirfd == Fcntl.AT_FDCWD) return cwd;
        OpenFile f = fds.get(dirfd);
        if (!(f instanceof DirFile)) throw new LinuxError(Errno.ENOTDIR);
        return f.guestPath;
    }

    PathResolver.Resolved resolveAt(int dirfd, String path, boolean follow) {
        if (path.isEmpty()) throw new LinuxError(Errno.ENOENT); // before the dirfd is looked at (getname)
        return resolver.resolve(startDir(dirfd, path), path, follow);
    }

    /**
     * The lookup of a name a call is about to create (mkdir, symlink, link, O_CREAT; namei's
     * LOOKUP_CREATE): the parent must exist, and the last component is not followed; trailing
     * slashes are dropped (each caller decides what they mean). {@link PathResolver.Resolved#exists}
     * tells whether the name is taken.
     */
    PathResolver.Resolved resolveCreate(int dirfd, String path) {
        if (path.isEmpty()) throw new LinuxError(Errno.ENOENT);
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return resolver.resolve(startDir(dirfd, path), p, false);
    }

    /** Like {@link #resolveAt} but the path must exist (ENOENT). */
    PathResolver.Resolved existing(int dirfd, String path, boolean follow) {
        PathResolver.Resolved r = resolveAt(dirfd, path, follow);
        if (!r.exists()) throw new LinuxError(Errno.ENOENT);
        return r;
    }
}
