package org.jvmx.monitor.loader;

import java.util.ArrayList;
import java.util.List;
import org.jvmx.vm.Vm;

/**
 * Boots an ELF64 x86-64 kernel directly in 64-bit mode, with no firmware or boot protocol: the
 * PT_LOAD segments go to their physical addresses (p_paddr), page tables mapping all of RAM
 * to itself are built in free memory ({@link Vm#identityMap}), and the kernel starts at its
 * entry point in IA-32e mode with a flat 64-bit code segment, IF clear and RSP at the top of a
 * free {@link #STACK_SIZE}-byte stack ({@link BootState#longMode}). Since virtual equals physical
 * under the identity map, a kernel linked at addresses other than those it is loaded at must
 * begin with position-independent code.
 */
public final class Elf64Loader {
    /** The boot stack. */
    public static final long STACK_SIZE = 0x4000;

    private Elf64Loader() {
    }

    /** Loads {@code image} (named {@code source} in messages) into RAM {@code [0, ramSize)}. */
    public static LoadedKernel load(Vm vm, long ramSize, String source, byte[] image) throws LoaderException {
        GuestLayout layout = new GuestLayout(source, ramSize, vm);
        List<GuestWriter.Chunk> chunks = new ArrayList<>();
        long entry = ElfImages.plan(source, image, layout, chunks, false);
        long gdt = layout.allocate(BootGdt.SIZE, "boot GDT");
        long gibs = (ramSize + (1L << 30) - 1) >>> 30;
        long tables = layout.allocate((2 + gibs) * GuestLayout.PAGE, "page tables");
        long stack = layout.allocate(STACK_SIZE, "boot stack");
        GuestWriter.write(vm, chunks);
        vm.write(gdt, BootGdt.build(gdt, true));
        GuestWriter.zero(vm, tables, (2 + gibs) * GuestLayout.PAGE);
        long cr3 = vm.identityMap(tables, ramSize);
        return new LoadedKernel(LoadedKernel.Kind.ELF64_LONG_MODE, BootState.longMode(entry, stack + STACK_SIZE, cr3, gdt),
                layout.placements(), -1);
    }
}
