package org.jvmx.monitor.loader;

import java.util.List;

/**
 * The result of loading a kernel: the state to enter it in, and where everything went.
 *
 * @param kind        how the kernel is booted
 * @param state       the initial CPU state
 * @param placements  every guest-physical range written, in order: kernel segments, modules,
 *                    boot GDT, information structure, page tables, stack
 * @param infoAddress the Multiboot information structure (EBX), or -1 for a direct ELF64 boot
 */
public record LoadedKernel(Kind kind, BootState state, List<GuestLayout.Placement> placements, long infoAddress) {
    public enum Kind {
        /** Multiboot v1, image described by the a.out kludge header fields. */
        MULTIBOOT_AOUT,
        /** Multiboot v1, ELF image (ELF32, or ELF64 loaded the same way). */
        MULTIBOOT_ELF,
        /** An ELF64 kernel entered directly in 64-bit mode. */
        ELF64_LONG_MODE
    }

    public LoadedKernel {
        placements = List.copyOf(placements);
    }

    /** The placement named {@code what} (exact match). */
    public GuestLayout.Placement placement(String what) {
        for (GuestLayout.Placement p : placements) if (p.what().equals(what)) return p;
        throw new IllegalArgumentException("nothing placed as '" + what + "': " + placements);
    }
}
