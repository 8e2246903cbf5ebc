package org.jvmx.guest.fuzz;

import java.util.EnumMap;
import java.util.Map;
import org.jvmx.decoder.Mnemonic;

/**
 * Mnemonics the random sequences never use, and why: their result depends on something the
 * harness does not share between the host process and jvmx (time, entropy, the CPU model, the
 * kernel's descriptor tables), or running them natively would leave the sandbox (system calls,
 * segment bases the host's C library relies on). Directed tests cover them where they can.
 */
final class Exclusions {
    private static final Map<Mnemonic, String> WHY = new EnumMap<>(Mnemonic.class);

    private static void put(String why, String... names) {
        for (String n : names) {
            try {
                WHY.put(Mnemonic.valueOf(n), why);
            } catch (IllegalArgumentException e) {
                // a name the decoder does not have: nothing to exclude
            }
        }
    }

    static {
        put("enters the host kernel", "SYSCALL", "SYSENTER", "INTO");
        put("vendor-specific in 64-bit mode (#UD on AMD, #GP at CPL 3 on Intel)", "SYSEXIT", "SYSEXITQ");
        put("time or entropy", "RDTSC", "RDTSCP", "RDPMC", "RDRAND", "RDSEED", "RDPID", "RDPRU", "TPAUSE", "UMWAIT",
                "UMONITOR", "HRESET");
        put("CPU model, not an architectural result", "CPUID", "XGETBV", "XSAVE", "XSAVE64", "XSAVEC", "XSAVEC64",
                "XSAVEOPT", "XSAVEOPT64", "XSAVES", "XSAVES64", "XRSTOR", "XRSTOR64", "XRSTORS", "XRSTORS64",
                "FXSAVE", "FXSAVE64", "FXRSTOR", "FXRSTOR64");
        put("segment state the host kernel owns", "LFS", "LGS", "LSS", "LDS", "LES", "RDFSBASE", "RDGSBASE",
                "WRFSBASE", "WRGSBASE", "LAR", "LSL", "VERR", "VERW", "LKGS", "ARPL");
        put("the host kernel's UMIP handling decides (fault or emulated value)", "SLDT", "STR", "SGDT", "SIDT", "SMSW");
        put("far transfers between code segments", "RETF", "IRET", "IRETD", "IRETQ", "UIRET", "ERETS", "ERETU");
        put("transactional memory, absent or disabled here", "XBEGIN", "XEND", "XABORT", "XTEST", "XSUSLDTRK",
                "XRESLDTRK");
        put("hardware virtualization (VMX/SVM/TDX/SEV)", "VMCALL", "VMCLEAR", "VMFUNC", "VMGEXIT", "VMLAUNCH",
                "VMLOAD", "VMMCALL", "VMPTRLD", "VMPTRST", "VMREAD", "VMRESUME", "VMRUN", "VMSAVE", "VMWRITE", "VMXOFF",
                "VMXON", "INVEPT", "INVVPID", "CLGI", "STGI", "SKINIT", "INVLPGA", "SEAMCALL",
                "SEAMOPS", "SEAMRET", "TDCALL", "PVALIDATE", "PSMASH", "RMPADJUST", "RMPQUERY", "RMPUPDATE");
        put("approximate result: the SDM bounds the error, the bits are each CPU's own", "RCPPS", "RCPSS",
                "RSQRTPS", "RSQRTSS", "VRCPPS", "VRCPSS", "VRSQRTPS", "VRSQRTSS", "VRCP14PS", "VRCP14PD", "VRCP14SS",
                "VRCP14SD", "VRSQRT14PS", "VRSQRT14PD", "VRSQRT14SS", "VRSQRT14SD", "VRCPPH", "VRCPSH", "VRSQRTPH",
                "VRSQRTSH", "VRCP28PS", "VRCP28PD", "VRCP28SS", "VRCP28SD", "VRSQRT28PS", "VRSQRT28PD", "VRSQRT28SS",
                "VRSQRT28SD", "PFRCP", "PFRSQRT", "PFRCPIT1", "PFRCPIT2", "PFRSQIT1");
        put("writes a cache line at RAX", "CLZERO");
        put("x87 transcendental: within an ulp of the host, the last bit is each CPU's own (X87TranscendentalTest)",
                "FSIN", "FCOS", "FSINCOS", "FPTAN", "FPATAN", "FYL2X", "FYL2XP1", "F2XM1");
        put("x87 environment from random bytes: how the host derives ES/B from such a status word is not modelled",
                "FLDENV", "FRSTOR");
        put("shadow stacks, user interrupts and enclaves are not modelled", "INCSSPD", "INCSSPQ", "RDSSPD", "RDSSPQ",
                "SAVEPREVSSP", "RSTORSSP", "WRSSD", "WRSSQ", "WRUSSD", "WRUSSQ", "SETSSBSY", "CLRSSBSY", "CLUI", "STUI",
                "TESTUI", "SENDUIPI", "ENCLU", "ENCLS", "ENCLV", "ENQCMD", "ENQCMDS");
    }

    private Exclusions() {
    }

    /** Why {@code m} is left out of random sequences, or null when it is not. */
    static String why(Mnemonic m) {
        return WHY.get(m);
    }

    static Map<Mnemonic, String> all() { return WHY; }
}
