package org.jvmx.monitor.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A Multiboot boot module (0.6.96, 3.3 "mods_*"): an image loaded next to the kernel, typically
 * an initial ramdisk, with its string, which by convention is the module's command line.
 *
 * @param source names the module in messages (its file name)
 * @param data   the bytes loaded into guest memory
 * @param string the zero-terminated string the kernel finds at {@code mods[i].string}
 */
public record BootModule(String source, byte[] data, String string) {
    public BootModule {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(string, "string");
    }

    /** Reads the module at {@code path}; its string is {@code string}, or the path when null. */
    public static BootModule read(Path path, String string) throws IOException {
        return new BootModule(path.toString(), Files.readAllBytes(path), string == null ? path.toString() : string);
    }
}
