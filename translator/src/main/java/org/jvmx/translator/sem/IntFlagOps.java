package org.jvmx.translator.sem;

import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.LazyFlags;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.exec.Isa;

/**
 * Flag instructions of the general-purpose set (SDM Vol. 1, 7.3.13): CLC STC CMC, CLD STD (DF is
 * a system flag, kept in {@code sysFlags}), LAHF SAHF.
 */
final class IntFlagOps {
    private IntFlagOps() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.CLC, (c, i) -> c.flags.setCf(false));
        in.put(Mnemonic.STC, (c, i) -> c.flags.setCf(true));
        in.put(Mnemonic.CMC, (c, i) -> c.flags.setCf(!c.flags.cf()));
        in.put(Mnemonic.CLD, (c, i) -> c.state.sysFlags &= ~Rflags.DF);
        in.put(Mnemonic.STD, (c, i) -> c.state.sysFlags |= Rflags.DF);
        // LAHF: AH = SF:ZF:0:AF:0:PF:1:CF (SDM Vol. 2A, LAHF)
        in.put(Mnemonic.LAHF, (c, i) -> {
            long f = c.flags.rflags() & (LazyFlags.SF | LazyFlags.ZF | LazyFlags.AF | LazyFlags.PF | LazyFlags.CF);
            c.gpr[0] = (c.gpr[0] & ~0xFF00L) | (f | 2) << 8;
        });
        in.put(Mnemonic.SAHF, (c, i) -> c.flags.sahf((int) (c.gpr[0] >>> 8) & 0xFF));
    }
}
