package org.jvmx.linux.fs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The byte layouts the guest reads: x86-64 {@code struct stat} (arch/x86/include/uapi/asm/stat.h,
 * 144 bytes) and {@code struct statx} (include/uapi/linux/stat.h, 256 bytes).
 */
public final class StatLayout {
    private StatLayout() {
    }

    public static final int STAT_SIZE = 144, STATX_BYTES = 256;

    // struct stat field offsets (x86-64)
    public static final int ST_DEV = 0, ST_INO = 8, ST_NLINK = 16, ST_MODE = 24, ST_UID = 28, ST_GID = 32,
            ST_RDEV = 40, ST_SIZE = 48, ST_BLKSIZE = 56, ST_BLOCKS = 64, ST_ATIME = 72, ST_MTIME = 88,
            ST_CTIME = 104;

    // statx mask bits
    public static final int STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_NLINK = 0x4, STATX_UID = 0x8,
            STATX_GID = 0x10, STATX_ATIME = 0x20, STATX_MTIME = 0x40, STATX_CTIME = 0x80, STATX_INO = 0x100,
            STATX_SIZE = 0x200, STATX_BLOCKS = 0x400, STATX_BASIC_STATS = 0x7ff, STATX_BTIME = 0x800;

    // struct statx field offsets
    public static final int STX_MASK = 0, STX_BLKSIZE = 4, STX_ATTRIBUTES = 8, STX_NLINK = 16, STX_UID = 20,
            STX_GID = 24, STX_MODE = 28, STX_INO = 32, STX_SIZE = 40, STX_BLOCKS = 48, STX_ATTRIBUTES_MASK = 56,
            STX_ATIME = 64, STX_BTIME = 80, STX_CTIME = 96, STX_MTIME = 112, STX_RDEV_MAJOR = 128,
            STX_RDEV_MINOR = 132, STX_DEV_MAJOR = 136, STX_DEV_MINOR = 140;

    public static byte[] stat(HostStat s) {
        ByteBuffer b = ByteBuffer.allocate(STAT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(ST_DEV, s.dev()).putLong(ST_INO, s.ino()).putLong(ST_NLINK, s.nlink())
                .putInt(ST_MODE, s.mode()).putInt(ST_UID, s.uid()).putInt(ST_GID, s.gid())
                .putLong(ST_RDEV, s.rdev()).putLong(ST_SIZE, s.size()).putLong(ST_BLKSIZE, s.blksize())
                .putLong(ST_BLOCKS, s.blocks())
                .putLong(ST_ATIME, s.atimeSec()).putLong(ST_ATIME + 8, s.atimeNsec())
                .putLong(ST_MTIME, s.mtimeSec()).putLong(ST_MTIME + 8, s.mtimeNsec())
                .putLong(ST_CTIME, s.ctimeSec()).putLong(ST_CTIME + 8, s.ctimeNsec());
        return b.array();
    }

    /** struct statx: every basic field and the birth time are always filled (mask says so). */
    public static byte[] statx(HostStat s) {
        ByteBuffer b = ByteBuffer.allocate(STATX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(STX_MASK, STATX_BASIC_STATS | STATX_BTIME).putInt(STX_BLKSIZE, (int) s.blksize())
                .putInt(STX_NLINK, (int) s.nlink()).putInt(STX_UID, s.uid()).putInt(STX_GID, s.gid())
                .putShort(STX_MODE, (short) s.mode()).putLong(STX_INO, s.ino()).putLong(STX_SIZE, s.size())
                .putLong(STX_BLOCKS, s.blocks());
        timestamp(b, STX_ATIME, s.atimeSec(), s.atimeNsec());
        timestamp(b, STX_BTIME, s.btimeSec(), s.btimeNsec());
        timestamp(b, STX_CTIME, s.ctimeSec(), s.ctimeNsec());
        timestamp(b, STX_MTIME, s.mtimeSec(), s.mtimeNsec());
        b.putInt(STX_RDEV_MAJOR, HostStat.major(s.rdev())).putInt(STX_RDEV_MINOR, HostStat.minor(s.rdev()))
                .putInt(STX_DEV_MAJOR, HostStat.major(s.dev())).putInt(STX_DEV_MINOR, HostStat.minor(s.dev()));
        return b.array();
    }

    private static void timestamp(ByteBuffer b, int off, long sec, long nsec) {
        b.putLong(off, sec).putInt(off + 8, (int) nsec);
    }
}
