package org.jvmx.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./jvmx} launcher as a user meets it without a JDK 25 (the default java here is 17).
 * (Finding one is what every other use of {@code ./jvmx} exercises; not tested here, since a stale
 * jar would start a nested Maven build inside this one.)
 */
class LauncherTest {
    private static final Path ROOT = Path.of(System.getProperty("jvmx.root", "..")).toAbsolutePath().normalize();

    record Result(int exit, String out, String err) { }

    private static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("jvmx-out", ".txt"), err = Files.createTempFile("jvmx-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd(args)).directory(ROOT.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            int exit = pb.start().waitFor();
            return new Result(exit, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static List<String> cmd(String... args) {
        List<String> c = new java.util.ArrayList<>(List.of(ROOT.resolve("jvmx").toString()));
        c.addAll(List.of(args));
        return c;
    }

    @Test
    void withoutJdk25ItSaysSoInOneLineAndExits2() throws Exception {
        // only a JDK 17 in sight: JAVA_HOME, PATH and the JDK folders all lead to nothing newer
        Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        Map<String, String> env = Map.of(
                "JAVA_HOME", Files.isDirectory(jdk17) ? jdk17.toString() : "/nonexistent",
                "PATH", "/usr/bin:/bin",
                "JVMX_JDK_DIRS", "/nonexistent");
        Result r = run(env, "--version");
        assertEquals(2, r.exit(), r.err());
        assertEquals("", r.out());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("jvmx: no JDK 25 found"), lines[0]);
    }
}
