package org.jvmx.translator.exec;

import java.nio.charset.StandardCharsets;
import org.jvmx.translator.cpu.CpuState;

/**
 * The processor jvmx presents through CPUID (SDM Vol. 2A, CPUID). It advertises only what the
 * semantics implement, so guests that test feature bits never meet #UD on a path they chose;
 * {@code CpuidModelTest} checks every advertised feature against {@link Isa}. A monitor may
 * configure its own model from {@link #DEFAULT}: another vendor string, brand or signature,
 * and fewer features ({@link #hiding}); it cannot advertise more than is implemented.
 */
public final class CpuidModel {
    private final String vendor, brand;
    private final int signature, edx1, ecx1, ebx7, ecx81, edx81;
    /** CPUID.1:EBX[31:24], the initial APIC ID of the processor asking (SDM Vol. 3A 9.4.5). */
    private final int initialApicId;

    private CpuidModel(String vendor, String brand, int signature, int edx1, int ecx1, int ebx7, int ecx81, int edx81) {
        this(vendor, brand, signature, edx1, ecx1, ebx7, ecx81, edx81, 0);
    }

    private CpuidModel(String vendor, String brand, int signature, int edx1, int ecx1, int ebx7, int ecx81, int edx81,
            int initialApicId) {
        if (vendor.length() != 12 || !vendor.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7F)) {
            throw new IllegalArgumentException("CPUID vendor must be 12 printable ASCII characters: '" + vendor + "'");
        }
        if (brand.length() > 47 || !brand.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7F)) {
            throw new IllegalArgumentException("CPUID brand must be at most 47 printable ASCII characters: '" + brand + "'");
        }
        this.vendor = vendor;
        this.brand = brand;
        this.signature = signature;
        this.edx1 = edx1;
        this.ecx1 = ecx1;
        this.ebx7 = ebx7;
        this.ecx81 = ecx81;
        this.edx81 = edx81;
        this.initialApicId = initialApicId;
    }

    public static final String VENDOR = "GenuineIntel";
    public static final String BRAND = "jvmx virtual x86-64 CPU";

    // CPUID.1:EDX
    public static final int EDX1_FPU = 1, EDX1_MMX = 1 << 23;
    public static final int EDX1_PSE = 1 << 3, EDX1_TSC = 1 << 4, EDX1_MSR = 1 << 5, EDX1_PAE = 1 << 6, EDX1_CX8 = 1 << 8,
            EDX1_APIC = 1 << 9, EDX1_SEP = 1 << 11, EDX1_PGE = 1 << 13, EDX1_CMOV = 1 << 15, EDX1_PAT = 1 << 16,
            EDX1_CLFSH = 1 << 19, EDX1_FXSR = 1 << 24, EDX1_SSE = 1 << 25, EDX1_SSE2 = 1 << 26;
    // CPUID.1:ECX
    public static final int ECX1_SSE3 = 1, ECX1_SSSE3 = 1 << 9, ECX1_CX16 = 1 << 13, ECX1_SSE41 = 1 << 19,
            ECX1_SSE42 = 1 << 20, ECX1_MOVBE = 1 << 22, ECX1_POPCNT = 1 << 23, ECX1_RDRAND = 1 << 30,
            ECX1_HYPERVISOR = 1 << 31;
    // CPUID.7.0:EBX
    public static final int EBX7_BMI1 = 1 << 3, EBX7_BMI2 = 1 << 8, EBX7_RDSEED = 1 << 18, EBX7_ADX = 1 << 19;
    // CPUID.80000001H
    public static final int ECX81_LAHF = 1, ECX81_ABM = 1 << 5;
    public static final int EDX81_SYSCALL = 1 << 11, EDX81_NX = 1 << 20, EDX81_RDTSCP = 1 << 27, EDX81_LM = 1 << 29;

    static final int EDX1 = EDX1_FPU | EDX1_MMX | EDX1_PSE | EDX1_TSC | EDX1_MSR | EDX1_PAE | EDX1_CX8 | EDX1_APIC | EDX1_SEP | EDX1_PGE | EDX1_CMOV
            | EDX1_PAT | EDX1_CLFSH | EDX1_FXSR | EDX1_SSE | EDX1_SSE2;
    static final int ECX1 = ECX1_SSE3 | ECX1_SSSE3 | ECX1_CX16 | ECX1_SSE41 | ECX1_SSE42 | ECX1_MOVBE | ECX1_POPCNT
            | ECX1_RDRAND | ECX1_HYPERVISOR;
    static final int EBX7 = EBX7_BMI1 | EBX7_BMI2 | EBX7_RDSEED | EBX7_ADX;
    static final int ECX81 = ECX81_LAHF | ECX81_ABM;
    static final int EDX81 = EDX81_SYSCALL | EDX81_NX | EDX81_RDTSCP | EDX81_LM;

    /** Family 6, model 0x55 (a Skylake-SP signature), stepping 4. */
    static final int SIGNATURE = 0x0005_0654;

    /** Everything jvmx implements, under its own vendor-compatible identity. */
    public static final CpuidModel DEFAULT = new CpuidModel(VENDOR, BRAND, SIGNATURE, EDX1, ECX1, EBX7, ECX81, EDX81);

    /** {@link #DEFAULT}'s answer. */
    public static int[] query(int leaf, int subleaf) {
        return DEFAULT.answer(leaf, subleaf);
    }

    /** This model with another 12-character vendor string (CPUID.0). */
    public CpuidModel withVendor(String v) {
        return new CpuidModel(v, brand, signature, edx1, ecx1, ebx7, ecx81, edx81, initialApicId);
    }

    /** This model with another brand string (CPUID.80000002H-80000004H). */
    public CpuidModel withBrand(String b) {
        return new CpuidModel(vendor, b, signature, edx1, ecx1, ebx7, ecx81, edx81, initialApicId);
    }

    /** This model with another family/model/stepping signature (CPUID.1:EAX). */
    public CpuidModel withSignature(int eax) {
        return new CpuidModel(vendor, brand, eax, edx1, ecx1, ebx7, ecx81, edx81, initialApicId);
    }

    /** This model without the given feature bits (CPUID.1:EDX, 1:ECX, 7.0:EBX, 80000001H:ECX, 80000001H:EDX). */
    public CpuidModel hiding(int edx1Bits, int ecx1Bits, int ebx7Bits, int ecx81Bits, int edx81Bits) {
        return new CpuidModel(vendor, brand, signature, edx1 & ~edx1Bits, ecx1 & ~ecx1Bits, ebx7 & ~ebx7Bits,
                ecx81 & ~ecx81Bits, edx81 & ~edx81Bits, initialApicId);
    }

    /** This model as the processor with initial APIC ID {@code id} (0-255) sees it: CPUID.1:EBX[31:24]. */
    public CpuidModel withInitialApicId(int id) {
        if (id < 0 || id > 0xFF) throw new IllegalArgumentException("initial APIC ID 0-255: " + id);
        return new CpuidModel(vendor, brand, signature, edx1, ecx1, ebx7, ecx81, edx81, id);
    }

    /** EAX, EBX, ECX, EDX for {@code leaf}/{@code subleaf}. */
    public int[] answer(int leaf, int subleaf) {
        return switch (leaf) {
            case 0 -> {
                int[] v = text(vendor, 0, 12);
                yield new int[] {7, v[0], v[2], v[1]}; // EBX EDX ECX spell the vendor
            }
            // EBX: CLFLUSH line 8*8, 1 logical CPU per package, the initial APIC ID in 31:24
            case 1 -> new int[] {signature, 0x0001_0800 | initialApicId << 24, ecx1, edx1};
            case 7 -> subleaf == 0 ? new int[] {0, ebx7, 0, 0} : new int[4];
            case 0x8000_0000 -> new int[] {0x8000_0008, 0, 0, 0};
            case 0x8000_0001 -> new int[] {0, 0, ecx81, edx81};
            case 0x8000_0002, 0x8000_0003, 0x8000_0004 -> text(brand, (leaf - 0x8000_0002) * 16, 16);
            case 0x8000_0008 -> new int[] {48 << 8 | CpuState.PHYSICAL_ADDRESS_BITS, 0, 0, 0}; // linear, physical address bits
            default -> leaf >= 0 && leaf <= 7 || leaf >= 0x8000_0000 && leaf <= 0x8000_0008 ? new int[4]
                    // Above the maximum basic leaf: the data of the highest basic leaf (SDM, CPUID).
                    : answer(7, subleaf);
        };
    }

    private static int[] text(String s, int from, int n) {
        byte[] b = new byte[n];
        byte[] src = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n && from + i < src.length; i++) b[i] = src[from + i];
        int[] r = new int[n / 4];
        for (int i = 0; i < r.length; i++) {
            r[i] = (b[4 * i] & 0xFF) | (b[4 * i + 1] & 0xFF) << 8 | (b[4 * i + 2] & 0xFF) << 16 | (b[4 * i + 3] & 0xFF) << 24;
        }
        return r;
    }
}
