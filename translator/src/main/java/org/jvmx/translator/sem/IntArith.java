package org.jvmx.translator.sem;

import static org.jvmx.translator.sem.IntAccess.*;

import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.Register;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;

/**
 * Integer arithmetic and logic (SDM Vol. 1, 7.3.2 and 7.3.4; Vol. 2 pages of each mnemonic): ADD
 * ADC SUB SBB CMP AND OR XOR TEST (every r/m, register and immediate form: the decoder has already
 * sign-extended Is/Iz immediates), NOT NEG INC DEC, and the ADX carries ADCX ADOX. Flags go
 * through the lazy-flags engine; memory destinations honour LOCK (see {@link IntAccess}).
 */
final class IntArith {
    private IntArith() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.ADD, (c, i) -> rmw(c, i, ADD, Operands.read(c, i, 1)));
        in.put(Mnemonic.OR, (c, i) -> rmw(c, i, OR, Operands.read(c, i, 1)));
        in.put(Mnemonic.ADC, (c, i) -> rmw(c, i, ADC, Operands.read(c, i, 1)));
        in.put(Mnemonic.SBB, (c, i) -> rmw(c, i, SBB, Operands.read(c, i, 1)));
        in.put(Mnemonic.AND, (c, i) -> rmw(c, i, AND, Operands.read(c, i, 1)));
        in.put(Mnemonic.SUB, (c, i) -> rmw(c, i, SUB, Operands.read(c, i, 1)));
        in.put(Mnemonic.XOR, (c, i) -> rmw(c, i, XOR, Operands.read(c, i, 1)));
        in.put(Mnemonic.CMP, (c, i) -> rmw(c, i, CMP, Operands.read(c, i, 1)));
        in.put(Mnemonic.TEST, (c, i) -> rmw(c, i, TEST, Operands.read(c, i, 1)));
        in.put(Mnemonic.NOT, (c, i) -> rmw(c, i, NOT, 0));
        in.put(Mnemonic.NEG, (c, i) -> rmw(c, i, NEG, 0));
        in.put(Mnemonic.INC, (c, i) -> rmw(c, i, INC, 0));
        in.put(Mnemonic.DEC, (c, i) -> rmw(c, i, DEC, 0));
        // ADCX/ADOX Gy,Ey: register destination; only CF (ADOX: OF) changes (SDM Vol. 2A, ADCX)
        in.put(Mnemonic.ADCX, (c, i) -> {
            Register r = i.register(0);
            long src = Operands.read(c, i, 1);
            Operands.writeReg(c.gpr, r, c.flags.adcx(i.operandBits(0), Operands.readReg(c.gpr, r), src));
        });
        in.put(Mnemonic.ADOX, (c, i) -> {
            Register r = i.register(0);
            long src = Operands.read(c, i, 1);
            Operands.writeReg(c.gpr, r, c.flags.adox(i.operandBits(0), Operands.readReg(c.gpr, r), src));
        });
    }
}
