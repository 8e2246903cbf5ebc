package org.jvmx.guest.boot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds the boot-test kernels of {@code src/guest/tests} with {@code src/guest/build-kernel.sh} (gcc, GNU ld). */
public final class GuestKernels {
    private GuestKernels() {
    }

    /** Kernels named {@code multiboot_*} enter through Multiboot in 32-bit mode (the build script's --multiboot). */
    public static boolean isMultiboot(String name) {
        return name.startsWith("multiboot_");
    }

    /** Kernels named {@code protected32_*} are 32-bit and stay in protected mode (the build script's --protected32). */
    public static boolean isProtected32(String name) {
        return name.startsWith("protected32_");
    }

    /** Whether the kernel's code (after any 32-bit entry) is 64-bit code throughout. */
    public static boolean isAll64Bit(String name) {
        return !isMultiboot(name) && !isProtected32(name);
    }

    /** Builds {@code src/guest/tests/NAME.c} into {@code target/guest-kernels/NAME.elf} and returns that path. */
    public static Path build(String name) throws IOException, InterruptedException {
        Path out = Path.of("target", "guest-kernels", name + ".elf");
        List<String> cmd = new ArrayList<>(List.of("sh", "src/guest/build-kernel.sh"));
        if (isMultiboot(name)) cmd.add("--multiboot");
        if (isProtected32(name)) cmd.add("--protected32");
        cmd.addAll(List.of(out.toString(), "src/guest/tests/" + name + ".c"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException("building " + name + " failed:\n" + log);
        return out;
    }
}
