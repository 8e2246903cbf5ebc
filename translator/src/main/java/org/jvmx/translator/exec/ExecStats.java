package org.jvmx.translator.exec;

import java.util.Map;
import java.util.TreeMap;
import org.jvmx.decoder.Mnemonic;

/** What one vCPU has executed: instructions by tier, blocks translated, unimplemented opcodes hit. */
public final class ExecStats {
    public long interpreted;
    public long compiled;
    public long blocksDecoded;
    public long blocksCompiled;
    public long regionsCompiled;
    public long codeInvalidations;
    public long translateNanos;
    private final long[] unimplemented = new long[Mnemonic.values().length];

    public void unimplemented(int mnemonicId) {
        unimplemented[mnemonicId]++;
    }

    /** Unimplemented mnemonics met (each raised #UD in the guest), with their counts. */
    public Map<Mnemonic, Long> unimplementedCounts() {
        Map<Mnemonic, Long> m = new TreeMap<>();
        for (int i = 0; i < unimplemented.length; i++) if (unimplemented[i] != 0) m.put(Mnemonic.of(i), unimplemented[i]);
        return m;
    }

    public long instructions() {
        return interpreted + compiled;
    }

    @Override
    public String toString() {
        return "instructions: " + interpreted + " interpreted, " + compiled + " compiled; blocks: " + blocksDecoded
                + " decoded, " + blocksCompiled + " compiled in " + regionsCompiled + " regions; code invalidations: "
                + codeInvalidations + (unimplementedCounts().isEmpty() ? "" : "; unimplemented: " + unimplementedCounts());
    }
}
