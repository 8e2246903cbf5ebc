package org.jvmx.translator.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.jvmx.decoder.Mnemonic;

/**
 * CPUID tells the truth: for every feature the model advertises, every legacy-encoded form the
 * decoder's spec assigns to that feature (MMX-register forms included) has its semantics
 * implemented, and every x87 form (CPUID.1:EDX.FPU) too; and the leaves are shaped as the SDM says.
 */
class CpuidModelTest {
    /** Advertised CPUID features, by the spec's feature names. */
    static final String[] ADVERTISED = {"FPU", "MMX", "SSE", "SSE2", "SSE3", "SSSE3", "SSE4_1", "SSE4_2", "CX8", "CMPXCHG16B", "CMOV",
            "POPCNT", "LZCNT", "BMI1", "BMI2", "ADX", "MOVBE", "LAHF_SAHF", "FXSR", "CLFSH", "TSC", "MSR", "SYSCALL",
            "RDTSCP"};
    static final Pattern LINE = Pattern.compile("^([^|#]*)\\|\\s*([A-Z0-9_]+)\\s*([^|]*)\\|?(.*)$");

    @Test
    void everyAdvertisedFeatureIsImplemented() throws IOException {
        Path spec = Path.of(System.getProperty("jvmx.root", "..")).resolve("decoder/src/main/spec");
        Map<String, TreeSet<String>> missing = new TreeMap<>();
        int checked = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(spec)) {
            files = s.filter(p -> p.toString().endsWith(".spec")).sorted().toList();
        }
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                Matcher m = LINE.matcher(line);
                if (!m.matches()) continue;
                String enc = m.group(1), mnemonic = m.group(2), operands = m.group(3), attrs = m.group(4);
                if (enc.contains("VEX.") || enc.contains("XOP.")) continue;
                Matcher cf = Pattern.compile("cpuid=([A-Z0-9_,]+)").matcher(attrs);
                // the x87 forms without a feature of their own belong to CPUID.1:EDX.FPU
                String features = cf.find() ? cf.group(1) : f.getFileName().toString().contains("x87") ? "FPU" : null;
                if (features == null) continue;
                for (String feature : features.split(",")) {
                    if (!List.of(ADVERTISED).contains(feature)) continue;
                    checked++;
                    if (!Isa.implemented(Mnemonic.valueOf(mnemonic))) {
                        missing.computeIfAbsent(feature, k -> new TreeSet<>()).add(mnemonic);
                    }
                }
            }
        }
        assertTrue(checked > 200, "spec forms found: " + checked);
        assertTrue(missing.isEmpty(), "advertised in CPUID but not implemented: " + missing);
    }

    @Test
    void leavesAreShapedAsTheSdmSays() {
        int[] l0 = CpuidModel.query(0, 0);
        assertEquals(7, l0[0], "maximum basic leaf");
        int[] l1 = CpuidModel.query(1, 0);
        assertTrue((l1[3] & CpuidModel.EDX1_SSE2) != 0 && (l1[2] & CpuidModel.ECX1_SSE42) != 0);
        assertTrue((l1[2] & CpuidModel.ECX1_HYPERVISOR) != 0, "a guest knows it runs under a hypervisor");
        assertTrue((CpuidModel.query(0x8000_0001, 0)[3] & CpuidModel.EDX81_LM) != 0, "long mode");
        StringBuilder brand = new StringBuilder();
        for (int leaf = 0x8000_0002; leaf <= 0x8000_0004; leaf++) {
            for (int r : CpuidModel.query(leaf, 0)) for (int k = 0; k < 4; k++) brand.append((char) (r >>> (8 * k) & 0xFF));
        }
        assertEquals(CpuidModel.BRAND, brand.toString().replace("\0", ""));
        // A leaf above the maximum answers as the highest basic leaf (SDM, CPUID "INPUT EAX").
        assertEquals(List.of(box(CpuidModel.query(7, 0))), List.of(box(CpuidModel.query(0x20, 0))));
    }

    @Test
    void aMonitorConfiguresItsModelButCannotAddFeatures() {
        CpuidModel m = CpuidModel.DEFAULT.withVendor("jvmxJVMXjvmx").withBrand("test cpu").withSignature(0x906EA)
                .hiding(0, CpuidModel.ECX1_SSE42, CpuidModel.EBX7_BMI2, 0, 0);
        assertEquals(0x906EA, m.answer(1, 0)[0]);
        assertEquals(0, m.answer(1, 0)[2] & CpuidModel.ECX1_SSE42);
        assertTrue((m.answer(1, 0)[2] & CpuidModel.ECX1_SSE41) != 0);
        assertEquals(0, m.answer(7, 0)[1] & CpuidModel.EBX7_BMI2);
        assertEquals(0x786D766A, m.answer(0, 0)[1], "EBX = 'jvmx'");
        assertTrue((CpuidModel.DEFAULT.answer(1, 0)[2] & CpuidModel.ECX1_SSE42) != 0, "the default is unchanged");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.withVendor("short"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.withBrand("x".repeat(48)));
    }

    private static List<Integer> box(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int v : a) l.add(v);
        return l;
    }
}
