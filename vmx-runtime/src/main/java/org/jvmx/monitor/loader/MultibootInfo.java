package org.jvmx.monitor.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays out the Multiboot information structure (0.6.96, 3.3 "Boot information format") and
 * everything it points to in one block of guest memory:
 *
 * <pre>
 * +0      the structure (88 bytes: flags ... vbe_interface_len)
 * +88     mods: {mod_start, mod_end, string, reserved} per module (16 bytes each)
 *         mmap: {size = 20, base_addr (8), length (8), type} per entry (24 bytes each);
 *               mmap_addr points at the first size field
 *         strings: cmdline, boot_loader_name, module strings (each NUL-terminated)
 * </pre>
 *
 * All addresses are 32-bit: the block must lie below 4 GiB.
 */
public final class MultibootInfo {
    /** Information structure flags (which fields are valid). */
    public static final int INFO_MEMORY = 1, INFO_BOOT_DEVICE = 1 << 1, INFO_CMDLINE = 1 << 2, INFO_MODS = 1 << 3,
            INFO_MEM_MAP = 1 << 6, INFO_BOOT_LOADER_NAME = 1 << 9;
    /** Field offsets in the structure. */
    public static final int FLAGS = 0, MEM_LOWER = 4, MEM_UPPER = 8, BOOT_DEVICE = 12, CMDLINE = 16, MODS_COUNT = 20,
            MODS_ADDR = 24, MMAP_LENGTH = 44, MMAP_ADDR = 48, BOOT_LOADER_NAME = 64;
    public static final int STRUCT_SIZE = 88, MODULE_SIZE = 16, MMAP_ENTRY_SIZE = 24;
    public static final String BOOT_LOADER_NAME_VALUE = "jvmx";

    /** A module already placed in guest memory at {@code [start, end)}. */
    public record Module(long start, long end, String string) {
    }

    private final long ramSize;
    private final String cmdline;
    private final List<Module> modules;
    private final List<PcMemoryMap.Entry> mmap;

    /** {@code cmdline} null: the kernel gets no command line (flag 2 clear). */
    public MultibootInfo(long ramSize, String cmdline, List<Module> modules) {
        this.ramSize = ramSize;
        this.cmdline = cmdline;
        this.modules = List.copyOf(modules);
        this.mmap = PcMemoryMap.entries(ramSize);
    }

    private int modsOffset() {
        return STRUCT_SIZE;
    }

    private int mmapOffset() {
        return modsOffset() + modules.size() * MODULE_SIZE;
    }

    private int stringsOffset() {
        return mmapOffset() + mmap.size() * MMAP_ENTRY_SIZE;
    }

    private List<byte[]> strings() {
        List<byte[]> s = new ArrayList<>();
        if (cmdline != null) s.add(cString(cmdline));
        s.add(cString(BOOT_LOADER_NAME_VALUE));
        for (Module m : modules) s.add(cString(m.string()));
        return s;
    }

    /** Bytes the block needs. */
    public int size() {
        int n = stringsOffset();
        for (byte[] s : strings()) n += s.length;
        return n;
    }

    /** The block's bytes for guest-physical address {@code base}. */
    public byte[] build(long base) {
        ByteBuffer b = ByteBuffer.allocate(size()).order(ByteOrder.LITTLE_ENDIAN);
        int flags = INFO_MEMORY | INFO_MODS | INFO_MEM_MAP | INFO_BOOT_LOADER_NAME;
        b.putInt(MEM_LOWER, (int) PcMemoryMap.memLowerKiB(ramSize));
        b.putInt(MEM_UPPER, (int) PcMemoryMap.memUpperKiB(ramSize));
        // strings first, so the structure can point at them
        int at = stringsOffset();
        List<byte[]> strings = strings();
        int k = 0;
        if (cmdline != null) {
            flags |= INFO_CMDLINE;
            b.putInt(CMDLINE, (int) (base + at));
            b.put(at, strings.get(k));
            at += strings.get(k++).length;
        }
        b.putInt(BOOT_LOADER_NAME, (int) (base + at));
        b.put(at, strings.get(k));
        at += strings.get(k++).length;
        b.putInt(MODS_COUNT, modules.size());
        b.putInt(MODS_ADDR, modules.isEmpty() ? 0 : (int) (base + modsOffset()));
        for (int i = 0; i < modules.size(); i++, k++) {
            Module m = modules.get(i);
            int e = modsOffset() + i * MODULE_SIZE;
            b.putInt(e, (int) m.start()).putInt(e + 4, (int) m.end()).putInt(e + 8, (int) (base + at)).putInt(e + 12, 0);
            b.put(at, strings.get(k));
            at += strings.get(k).length;
        }
        b.putInt(MMAP_LENGTH, mmap.size() * MMAP_ENTRY_SIZE);
        b.putInt(MMAP_ADDR, (int) (base + mmapOffset()));
        for (int i = 0; i < mmap.size(); i++) {
            PcMemoryMap.Entry e = mmap.get(i);
            int o = mmapOffset() + i * MMAP_ENTRY_SIZE;
            // size counts the bytes after itself: base (8) + length (8) + type (4)
            b.putInt(o, MMAP_ENTRY_SIZE - 4).putLong(o + 4, e.base()).putLong(o + 12, e.length()).putInt(o + 20, e.type());
        }
        b.putInt(FLAGS, flags);
        return b.array();
    }

    /** The string as UTF-8 bytes and a terminating NUL (a C string). */
    private static byte[] cString(String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[raw.length + 1];
        System.arraycopy(raw, 0, z, 0, raw.length);
        return z;
    }
}
