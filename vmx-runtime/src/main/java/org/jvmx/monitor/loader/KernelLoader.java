package org.jvmx.monitor.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jvmx.vm.Vm;

/**
 * Chooses how to boot a kernel file: a Multiboot header in the first 8 KiB (with a valid checksum)
 * means Multiboot v1 ({@link MultibootLoader}); otherwise an ELF64 file is entered directly in
 * 64-bit mode ({@link Elf64Loader}). Anything else is refused.
 */
public final class KernelLoader {
    private KernelLoader() {
    }

    /**
     * Reads and loads {@code kernel} with its {@code cmdline} (null: none) and {@code modules}
     * (each "path" or "path args": the whole text becomes the module string, as boot loaders do).
     *
     * @throws LoaderException the image cannot be booted; one line naming the file
     * @throws IOException     a file cannot be read
     */
    public static LoadedKernel load(Vm vm, long ramSize, Path kernel, String cmdline, List<String> modules) throws IOException {
        List<BootModule> mods = new ArrayList<>();
        for (String m : modules) {
            String file = m.strip().split("\\s+", 2)[0];
            mods.add(BootModule.read(Path.of(file), m.strip()));
        }
        return load(vm, ramSize, kernel.toString(), Files.readAllBytes(kernel), cmdline, mods);
    }

    /** Loads an image held in memory; {@code source} names it in messages. */
    public static LoadedKernel load(Vm vm, long ramSize, String source, byte[] image, String cmdline, List<BootModule> modules)
            throws LoaderException {
        // a header with a bad checksum or unknown required flags still marks a Multiboot image: report its error
        if (MultibootHeader.present(image)) return MultibootLoader.load(vm, ramSize, source, image, cmdline, modules);
        if (image.length > 4 && image[0] == 0x7f && image[1] == 'E' && image[2] == 'L' && image[3] == 'F' && image[4] == 2) {
            if (!modules.isEmpty()) {
                throw new LoaderException(source, "modules need a Multiboot kernel; this ELF64 file has no Multiboot header");
            }
            return Elf64Loader.load(vm, ramSize, source, image);
        }
        throw new LoaderException(source, "not a bootable kernel: no Multiboot header (magic 0x1badb002) in the first "
                + "8192 bytes and not an ELF64 file");
    }
}
