package org.jvmx.guest.fuzz;

import org.jvmx.decoder.Mnemonic;

/**
 * The status flags a template reads, defines and leaves undefined, from the spec's
 * {@code r:}/{@code w:}/{@code c:}/{@code s:}/{@code u:} attributes, so that the generator never
 * lets an undefined flag (SDM Vol. 1 Appendix A) decide a branch or a value. Instructions whose
 * flag writes depend on a count (shifts and rotates by 0 leave the flags alone; REP string
 * compares with RCX = 0 do nothing) are taken to define nothing, only to possibly undefine.
 */
record FlagUse(int reads, int defines, int undefines) {
    static final int OF = 1 << 11, SF = 1 << 7, ZF = 1 << 6, AF = 1 << 4, PF = 1 << 2, CF = 1;
    static final int STATUS = OF | SF | ZF | AF | PF | CF;
    private static final FlagUse NONE = new FlagUse(0, 0, 0);

    /** The flags that may be undefined after this piece, given those that may be before. */
    int after(int undefined) {
        return (undefined & ~defines) | undefines;
    }

    static FlagUse of(Object template) {
        if (template instanceof Units.Unit u) {
            return switch (u.mnemonic()) {
                case PUSHF, PUSHFQ -> new FlagUse(STATUS, 0, 0);
                case POPF, POPFQ -> new FlagUse(0, STATUS, 0);
                default -> NONE;
            };
        }
        SpecForm f = ((Catalog.Template) template).form();
        int reads = 0, defines = 0, undefines = 0;
        for (String a : f.attributes()) {
            if (a.length() < 3 || a.charAt(1) != ':') continue;
            int bits = letters(a.substring(2));
            switch (a.charAt(0)) {
                case 'r' -> reads |= bits;
                case 'w', 'c', 's' -> defines |= bits;
                case 'u' -> undefines |= bits;
                default -> {
                }
            }
        }
        if (conditionalWrites(f)) defines = 0;
        // a count reaching the operand width leaves more flags undefined than the general case
        if (isShift(f.mnemonic())) undefines = STATUS;
        return new FlagUse(reads, defines, undefines);
    }

    private static boolean conditionalWrites(SpecForm f) {
        return isShift(f.mnemonic()) || f.has("repne") || f.has("rep");
    }

    private static boolean isShift(Mnemonic m) {
        return switch (m) {
            case SHL, SHR, SAR, SAL, ROL, ROR, RCL, RCR, SHLD, SHRD -> true;
            default -> false;
        };
    }

    static int letters(String s) {
        int b = 0;
        for (char c : s.toCharArray()) {
            b |= switch (c) {
                case 'O' -> OF;
                case 'S' -> SF;
                case 'Z' -> ZF;
                case 'A' -> AF;
                case 'P' -> PF;
                case 'C' -> CF;
                default -> 0;
            };
        }
        return b;
    }
}
