package org.jvmx.monitor.loader;

import static org.jvmx.monitor.loader.LoaderException.hex;
import static org.jvmx.monitor.loader.LoaderException.range;

import java.util.ArrayList;
import java.util.List;
import org.jvmx.vm.Vm;

/**
 * Boots a Multiboot version 1 kernel (Multiboot Specification 0.6.96): finds the header
 * ({@link MultibootHeader}), loads the image either as the a.out-kludge address fields describe it
 * (flag 16) or from its ELF program headers, loads the modules page-aligned after the kernel,
 * writes the boot GDT and the information structure into free guest memory and returns the
 * machine state of 3.2 ({@link BootState#multiboot}).
 *
 * <p>Guest RAM is {@code [0, ramSize)} and must already be added to the {@link Vm}. Nothing is
 * written to guest memory before the whole image has been checked (segments in available RAM,
 * no overlaps, entry inside a loaded range), so a refused image leaves the guest untouched.
 */
public final class MultibootLoader {
    private MultibootLoader() {
    }

    /** Loads {@code image} (named {@code source} in messages) with {@code cmdline} (null: none) and {@code modules}. */
    public static LoadedKernel load(Vm vm, long ramSize, String source, byte[] image, String cmdline,
                                    List<BootModule> modules) throws LoaderException {
        MultibootHeader h = MultibootHeader.find(source, image);
        GuestLayout layout = new GuestLayout(source, ramSize, vm);
        List<GuestWriter.Chunk> chunks = new ArrayList<>();
        long entry;
        LoadedKernel.Kind kind;
        if (h.aoutKludge()) {
            entry = planAout(source, image, h, layout, chunks);
            kind = LoadedKernel.Kind.MULTIBOOT_AOUT;
        } else {
            entry = ElfImages.plan(source, image, layout, chunks, true);
            kind = LoadedKernel.Kind.MULTIBOOT_ELF;
        }
        if (entry > 0xFFFF_FFFFL) {
            throw new LoaderException(source, "entry point " + hex(entry) + " is above 4 GiB: a Multiboot kernel starts in 32-bit mode");
        }
        // modules: page-aligned after the kernel and each other (flag 0 asks for it; always done)
        List<MultibootInfo.Module> mods = new ArrayList<>();
        long next = layout.highestEnd();
        for (int i = 0; i < modules.size(); i++) {
            BootModule m = modules.get(i);
            long start = GuestLayout.alignUp(next, GuestLayout.PAGE), end = start + m.data().length;
            if (start < PcMemoryMap.EXTENDED_START && end > PcMemoryMap.CONVENTIONAL_END) {
                // after a kernel in conventional memory: skip the PC hole, which the memory map reports reserved
                start = PcMemoryMap.EXTENDED_START;
                end = start + m.data().length;
            }
            if (end > 0x1_0000_0000L) {
                throw new LoaderException(m.source(), "module " + i + " at " + range(start, end)
                        + " does not fit below 4 GiB, where Multiboot addresses are");
            }
            layout.claim(m.source(), start, m.data().length, "module " + i, "module " + i);
            chunks.add(new GuestWriter.Chunk(start, m.data(), 0, m.data().length, m.data().length));
            mods.add(new MultibootInfo.Module(start, end, m.string()));
            next = Math.max(end, start + 1);
        }
        long gdt = layout.allocate(BootGdt.SIZE, "boot GDT");
        MultibootInfo info = new MultibootInfo(ramSize, cmdline, mods);
        long infoAddr = layout.allocate(info.size(), "Multiboot information");
        if (infoAddr + info.size() > 0x1_0000_0000L) {
            throw new LoaderException(source, "no room for the Multiboot information below 4 GiB");
        }
        // everything checked: write
        GuestWriter.write(vm, chunks);
        vm.write(gdt, BootGdt.build(gdt, false));
        vm.write(infoAddr, info.build(infoAddr));
        return new LoadedKernel(kind, BootState.multiboot(entry, infoAddr, gdt), layout.placements(), infoAddr);
    }

    /**
     * The a.out kludge (3.1.3): the header's file offset and header_addr tie file to memory, so
     * the load range starts in the file at {@code offset - (header_addr - load_addr)}; load_end_addr
     * 0 means "to the end of the file", bss_end_addr 0 means no BSS.
     */
    private static long planAout(String source, byte[] image, MultibootHeader h, GuestLayout layout, List<GuestWriter.Chunk> chunks)
            throws LoaderException {
        String at = "Multiboot header at offset " + hex(h.offset());
        long headerAddr = h.headerAddr(), loadAddr = h.loadAddr();
        if (loadAddr > headerAddr) {
            throw new LoaderException(source, at + ": load_addr " + hex(loadAddr) + " is above header_addr " + hex(headerAddr));
        }
        long fileOffset = h.offset() - (headerAddr - loadAddr);
        if (fileOffset < 0) {
            throw new LoaderException(source, at + ": header_addr - load_addr = " + hex(headerAddr - loadAddr)
                    + " puts the start of the load range before the start of the file");
        }
        long loadEnd = h.loadEndAddr() == 0 ? loadAddr + (image.length - fileOffset) : h.loadEndAddr();
        if (loadEnd <= loadAddr || loadEnd <= headerAddr) {
            throw new LoaderException(source, at + ": load_end_addr " + hex(loadEnd) + " must be above header_addr "
                    + hex(headerAddr));
        }
        long fileSize = loadEnd - loadAddr;
        if (fileOffset + fileSize > image.length) {
            throw new LoaderException(source, "truncated: the a.out kludge loads file bytes " + range(fileOffset, fileOffset + fileSize)
                    + " but the file has " + hex(image.length) + " bytes");
        }
        long bssEnd = h.bssEndAddr() == 0 ? loadEnd : h.bssEndAddr();
        if (bssEnd < loadEnd) {
            throw new LoaderException(source, at + ": bss_end_addr " + hex(bssEnd) + " is below load_end_addr " + hex(loadEnd));
        }
        if (bssEnd > 0x1_0000_0000L) {
            throw new LoaderException(source, at + ": image " + range(loadAddr, bssEnd) + " extends past 4 GiB");
        }
        layout.claim(loadAddr, bssEnd - loadAddr, "kernel image", "kernel image " + range(loadAddr, bssEnd));
        long entry = h.entryAddr();
        if (entry < loadAddr || entry >= bssEnd) {
            throw new LoaderException(source, at + ": entry_addr " + hex(entry) + " is outside the loaded image "
                    + range(loadAddr, bssEnd));
        }
        chunks.add(new GuestWriter.Chunk(loadAddr, image, fileOffset, fileSize, bssEnd - loadAddr));
        return entry;
    }
}
