package org.jvmx.linux.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import org.jvmx.linux.Errno;
import org.jvmx.linux.LinuxError;

/**
 * Path lookup in the guest's view (fs/namei.c semantics), done by the monitor one component at
 * a time so that no host path outside the root is ever touched: the guest's "/" is the host
 * directory {@code root}; ".." stops at it; a symlink is read on the host and its target
 * reinterpreted inside the root (an absolute target starts again at the root). At most
 * {@link #MAXSYMLINKS} links are followed per lookup (ELOOP beyond); a non-final component
 * that is not a directory gives ENOTDIR, a missing one ENOENT; a component longer than
 * NAME_MAX or a path of PATH_MAX bytes or more gives ENAMETOOLONG.
 *
 * <p>Some names are "magic links" the monitor answers itself (e.g. /proc/self/exe): {@code magic}
 * maps a guest path to its link target, or null.
 */
public final class PathResolver {
    public static final int MAXSYMLINKS = 40;

    private final Path root;
    private final Function<String, String> magic;

    /** The outcome of a lookup: the host path, the canonical guest path, and the final lstat (null if absent). */
    public record Resolved(Path host, String guest, HostStat stat, String magicTarget) {
        public boolean exists() {
            return stat != null || magicTarget != null;
        }

        /** The last component's name ("/" for the root). */
        public String name() {
            int i = guest.lastIndexOf('/');
            return guest.length() == 1 ? "/" : guest.substring(i + 1);
        }
    }

    public PathResolver(Path root, Function<String, String> magic) {
        this.root = root.toAbsolutePath().normalize();
        this.magic = magic;
    }

    public Path root() {
        return root;
    }

    /** The host path of a canonical guest path ("/a/b"). */
    public Path host(String guest) {
        String rel = guest.startsWith("/") ? guest.substring(1) : guest;
        try {
            return rel.isEmpty() ? root : root.resolve(rel);
        } catch (java.nio.file.InvalidPathException e) {
            // the JVM's file name encoding (sun.jnu.encoding) cannot express the name
            throw new LinuxError(Errno.ENOENT, "name not representable on the host: " + guest);
        }
    }

    /**
     * Looks up {@code path} relative to the canonical guest directory {@code startDir}.
     * The last component may be missing (the result then has no stat: creation calls use it),
     * but every directory before it must exist. {@code followLast}: whether a final symlink is
     * followed (a trailing slash always follows it and requires a directory).
     */
    public Resolved resolve(String startDir, String path, boolean followLast) {
        if (path.isEmpty()) throw new LinuxError(Errno.ENOENT);
        if (path.length() >= Fcntl.PATH_MAX) throw new LinuxError(Errno.ENAMETOOLONG);
        boolean trailingSlash = path.endsWith("/");
        List<String> cur = new ArrayList<>();
        if (!path.startsWith("/")) cur.addAll(split(startDir));
        Deque<String> todo = new ArrayDeque<>(split(path));
        int links = 0;
        HostStat last = todo.isEmpty() ? HostStat.of(host(join(cur)), false) : null;
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            boolean isLast = todo.isEmpty();
            if (name.length() > Fcntl.NAME_MAX) throw new LinuxError(Errno.ENAMETOOLONG);
            if (name.equals(".") || name.equals("..")) {
                if (name.equals("..") && !cur.isEmpty()) cur.remove(cur.size() - 1);
                if (isLast) last = HostStat.of(host(join(cur)), false);
                continue;
            }
            String guest = join(cur) + (cur.isEmpty() ? "" : "/") + name;
            if (!isLast && magic != null && isVirtualDir(guest)) {
                cur.add(name);
                continue;
            }
            String target = magic == null ? null : magic.apply(guest);
            HostStat st = null;
            if (target == null) {
                try {
                    st = HostStat.of(host(guest), false);
                } catch (LinuxError e) {
                    if (e.errno != Errno.ENOENT) throw e;
                    if (!isLast) throw e;
                    cur.add(name);
                    return new Resolved(host(join(cur)), join(cur), null, null);
                }
            }
            if (target != null && !target.startsWith("/")) {
                // a magic link to something without a path (pipe:[N], an unnamed file): only the
                // caller can follow it (reopening the fd), so the lookup ends here
                if (!isLast) throw new LinuxError(Errno.ENOTDIR);
                cur.add(name);
                return new Resolved(host(join(cur)), join(cur), null, target);
            }
            boolean isLink = target != null || st.isSymlink();
            if (isLink && (!isLast || followLast || trailingSlash)) {
                if (++links > MAXSYMLINKS) throw new LinuxError(Errno.ELOOP);
                if (target == null) target = readHostLink(host(guest));
                if (target.isEmpty()) throw new LinuxError(Errno.ENOENT);
                if (target.startsWith("/")) cur.clear();
                if (isLast && target.endsWith("/")) trailingSlash = true; // "dir/" in a link body asks for a directory too
                List<String> t = split(target);
                for (int i = t.size() - 1; i >= 0; i--) todo.addFirst(t.get(i));
                if (todo.isEmpty()) last = HostStat.of(host(join(cur)), false); // link to "/"
                continue;
            }
            cur.add(name);
            if (isLast) {
                if (target != null) return new Resolved(host(join(cur)), join(cur), null, target);
                last = st;
            } else if (!st.isDirectory()) {
                throw new LinuxError(Errno.ENOTDIR);
            }
        }
        if (trailingSlash && last != null && !last.isDirectory()) throw new LinuxError(Errno.ENOTDIR);
        return new Resolved(host(join(cur)), join(cur), last, null);
    }

    /**
     * Directories the monitor provides on the way to its own names: /proc/self and /proc/self/fd
     * (never the host's: under root "/" they would be the JVM's), and /proc and /dev so that
     * /proc/self/exe and the synthesized /dev/null exist even when the root has no such directory.
     */
    private boolean isVirtualDir(String guest) {
        if (guest.equals("/proc/self") || guest.equals("/proc/self/fd")) return true;
        return (guest.equals("/proc") || guest.equals("/dev")) && !Files.isDirectory(host(guest));
    }

    private static String readHostLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    static List<String> split(String p) {
        List<String> l = new ArrayList<>();
        for (String s : p.split("/")) if (!s.isEmpty()) l.add(s);
        return l;
    }

    static String join(List<String> cur) {
        return "/" + String.join("/", cur);
    }
}
