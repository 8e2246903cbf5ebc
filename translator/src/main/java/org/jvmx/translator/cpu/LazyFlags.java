package org.jvmx.translator.cpu;

/**
 * Lazily evaluated arithmetic status flags (CF PF AF ZF SF OF) of one vCPU: the last
 * flag-setting operation is recorded with its operand size, operands and result, and each flag
 * is computed only when read (DESIGN.md, "Lazy flags with liveness"). Written once, used by the
 * interpreter and by generated code; allocation-free, every method small enough to inline.
 *
 * <p>The recording methods ({@link #add}, {@link #shl}, …) compute and return the result
 * (truncated to {@code size} bits, zero-extended; the caller writes it back with the register
 * rules of the operand size) and record the flags. Sizes are 8, 16, 32 or 64 bits. Operands may
 * carry garbage above {@code size}; it is ignored.
 *
 * <p>Semantics follow the Intel SDM Vol. 2 instruction pages:
 * <ul>
 * <li>ADD ADC SUB SBB CMP NEG: all six flags defined.
 * <li>AND OR XOR TEST: CF = OF = 0; SF ZF PF from the result; AF undefined (0 is produced).
 * <li>INC DEC: CF unchanged (the previous CF is captured when recording), the others defined.
 * <li>SHL SHR SAR (count masked to 5 bits, 6 for 64-bit operands): a masked count of 0 changes
 *     no flags (nothing is recorded). Otherwise CF is the last bit shifted out, SF ZF PF come
 *     from the result, AF is undefined (0 produced). OF is defined only for a count of 1
 *     (SHL: MSB(result) XOR CF; SHR: MSB(original); SAR: 0); for other counts the same formula
 *     is produced but marked undefined. For SHL/SHR with a count &ge; the operand size (8- and
 *     16-bit operands only) CF is undefined (SHL produces 0 past the size, 0 or bit 0 at the size;
 *     SHR produces 0); SAR then produces the sign bit, which the SDM does not call undefined.
 * <li>ROL ROR: only CF and OF change; SF ZF AF PF keep their previous values (captured when
 *     recording). A masked count of 0 changes nothing. CF is LSB (ROL) / MSB (ROR) of the result
 *     even when the masked count is a multiple of the size. OF is defined for a masked count of
 *     1 only (ROL: MSB(res) XOR CF; ROR: MSB(res) XOR MSB-1(res)); that formula is produced for
 *     other counts and marked undefined.
 * <li>Flags set directly (POPF, SAHF, CLC/STC/CMC, or a state load): {@link #setDirect}.
 * </ul>
 * {@link #undefinedMask()} tells which status flags the SDM leaves undefined after the last
 * operation (a flag that an operation keeps unchanged stays undefined if it was undefined
 * before), so a differential test can mask exactly those.
 */
public final class LazyFlags {
    public static final long CF = 1L, PF = 1L << 2, AF = 1L << 4, ZF = 1L << 6, SF = 1L << 7, OF = 1L << 11;
    /** The six arithmetic status flags. */
    public static final long STATUS = CF | PF | AF | ZF | SF | OF;

    /** Operation kinds. CMP records as SUB, TEST/AND/OR/XOR as LOGIC. */
    public static final int DIRECT = 0, ADD = 1, ADC = 2, SUB = 3, SBB = 4, LOGIC = 5, INC = 6, DEC = 7, NEG = 8,
            SHL = 9, SHR = 10, SAR = 11, ROL = 12, ROR = 13;

    private int op = DIRECT;
    private int size = 64;
    /** First operand, second operand (shift/rotate: the masked count) and result, zero-extended to size. */
    private long dst, src, res;
    /** DIRECT, ROL, ROR: the flags word (ROL/ROR: as before the rotate); ADC/SBB: carry-in; INC/DEC: old CF. */
    private long aux;
    /** ADC SBB INC DEC ROL ROR DIRECT: flags undefined before this operation that it leaves unchanged. */
    private long inheritedUndefined;

    // ---- operand helpers

    static long mask(int size) { return -1L >>> (64 - size); }

    static long sign(int size) { return 1L << (size - 1); }

    static long signExtend(long v, int size) { return v << (64 - size) >> (64 - size); }

    static int countMask(int size) { return size == 64 ? 63 : 31; }

    private void set(int op, int size, long dst, long src, long res) {
        this.op = op;
        this.size = size;
        this.dst = dst;
        this.src = src;
        this.res = res;
    }

    /** Records an operation whose flags depend only on its operands and result (not ADC SBB INC DEC ROL ROR). */
    public void record(int op, int size, long dst, long src, long res) {
        long m = mask(size);
        set(op, size, dst & m, src & m, res & m);
    }

    // ---- arithmetic

    public long add(int size, long a, long b) {
        long m = mask(size);
        a &= m;
        b &= m;
        long r = (a + b) & m;
        set(ADD, size, a, b, r);
        return r;
    }

    /** ADC: the carry-in is the current CF. */
    public long adc(int size, long a, long b) {
        long c = cf() ? 1 : 0;
        long u = undefinedMask();
        long m = mask(size);
        a &= m;
        b &= m;
        long r = (a + b + c) & m;
        set(ADC, size, a, b, r);
        aux = c;
        inheritedUndefined = (u & CF) != 0 ? STATUS : 0;
        return r;
    }

    public long sub(int size, long a, long b) {
        long m = mask(size);
        a &= m;
        b &= m;
        long r = (a - b) & m;
        set(SUB, size, a, b, r);
        return r;
    }

    /** SBB: the borrow-in is the current CF. */
    public long sbb(int size, long a, long b) {
        long c = cf() ? 1 : 0;
        long u = undefinedMask();
        long m = mask(size);
        a &= m;
        b &= m;
        long r = (a - b - c) & m;
        set(SBB, size, a, b, r);
        aux = c;
        inheritedUndefined = (u & CF) != 0 ? STATUS : 0;
        return r;
    }

    /** CMP: flags of {@code a - b}, no result. */
    public void cmp(int size, long a, long b) { sub(size, a, b); }

    public long neg(int size, long a) {
        long m = mask(size);
        a &= m;
        long r = -a & m;
        set(NEG, size, a, 0, r);
        return r;
    }

    public long inc(int size, long a) {
        long c = cf() ? 1 : 0;
        long u = undefinedMask() & CF;
        long m = mask(size);
        a &= m;
        long r = (a + 1) & m;
        set(INC, size, a, 1, r);
        aux = c;
        inheritedUndefined = u;
        return r;
    }

    public long dec(int size, long a) {
        long c = cf() ? 1 : 0;
        long u = undefinedMask() & CF;
        long m = mask(size);
        a &= m;
        long r = (a - 1) & m;
        set(DEC, size, a, 1, r);
        aux = c;
        inheritedUndefined = u;
        return r;
    }

    // ---- logic

    public long and(int size, long a, long b) { return logic(size, a & b); }

    public long or(int size, long a, long b) { return logic(size, a | b); }

    public long xor(int size, long a, long b) { return logic(size, a ^ b); }

    /** TEST: flags of {@code a & b}, no result. */
    public void test(int size, long a, long b) { logic(size, a & b); }

    private long logic(int size, long r) {
        r &= mask(size);
        set(LOGIC, size, 0, 0, r);
        return r;
    }

    // ---- shifts and rotates (count: the raw CL or imm8 value; masked here)

    public long shl(int size, long a, int count) {
        int c = count & countMask(size);
        long m = mask(size);
        a &= m;
        if (c == 0) return a;
        long r = (a << c) & m;
        set(SHL, size, a, c, r);
        return r;
    }

    public long shr(int size, long a, int count) {
        int c = count & countMask(size);
        long m = mask(size);
        a &= m;
        if (c == 0) return a;
        long r = a >>> c;
        set(SHR, size, a, c, r);
        return r;
    }

    public long sar(int size, long a, int count) {
        int c = count & countMask(size);
        long m = mask(size);
        a &= m;
        if (c == 0) return a;
        long r = (signExtend(a, size) >> c) & m;
        set(SAR, size, a, c, r);
        return r;
    }

    public long rol(int size, long a, int count) {
        int c = count & countMask(size);
        long m = mask(size);
        a &= m;
        if (c == 0) return a;
        int k = c & (size - 1);
        long r = k == 0 ? a : ((a << k) | (a >>> (size - k))) & m;
        rotated(ROL, size, a, c, r);
        return r;
    }

    public long ror(int size, long a, int count) {
        int c = count & countMask(size);
        long m = mask(size);
        a &= m;
        if (c == 0) return a;
        int k = c & (size - 1);
        long r = k == 0 ? a : ((a >>> k) | (a << (size - k))) & m;
        rotated(ROR, size, a, c, r);
        return r;
    }

    private void rotated(int op, int size, long a, int c, long r) {
        long before = rflags();
        long u = undefinedMask() & (PF | AF | ZF | SF);
        set(op, size, a, c, r);
        aux = before;
        inheritedUndefined = u;
    }

    // ---- direct state

    /** POPF, a state load, or any direct write: the status bits of {@code rflags} become the flags. */
    public void setDirect(long rflags) {
        op = DIRECT;
        aux = rflags & STATUS;
        inheritedUndefined = 0;
    }

    /** SAHF: SF ZF AF PF CF from AH (bits 7, 6, 4, 2, 0); OF unchanged. */
    public void sahf(int ah) {
        long of = rflags() & OF;
        long u = undefinedMask() & OF;
        op = DIRECT;
        aux = of | (ah & (SF | ZF | AF | PF | CF));
        inheritedUndefined = u;
    }

    /** CLC / STC / CMC: CF set to {@code cf}, the others unchanged. */
    public void setCf(boolean cf) {
        long f = rflags();
        long u = undefinedMask() & ~CF;
        op = DIRECT;
        aux = (f & ~CF) | (cf ? CF : 0);
        inheritedUndefined = u;
    }

    // ---- reading

    /** The operation last recorded (one of the op constants). */
    public int op() { return op; }

    public boolean cf() {
        switch (op) {
            case ADD: return Long.compareUnsigned(res, dst) < 0;
            case ADC: return aux != 0 ? Long.compareUnsigned(res, dst) <= 0 : Long.compareUnsigned(res, dst) < 0;
            case SUB: return Long.compareUnsigned(dst, src) < 0;
            case SBB: return aux != 0 ? Long.compareUnsigned(dst, src) <= 0 : Long.compareUnsigned(dst, src) < 0;
            case LOGIC: return false;
            case INC:
            case DEC: return aux != 0;
            case NEG: return dst != 0;
            case DIRECT: return (aux & CF) != 0;
            default: return shiftCf();
        }
    }

    /** CF after SHL SHR SAR ROL ROR (kept apart so that {@link #cf} stays small). */
    private boolean shiftCf() {
        switch (op) {
            case SHL: return src <= size && ((dst >>> (size - (int) src)) & 1) != 0;
            case SHR: return ((dst >>> (src - 1)) & 1) != 0;
            case SAR: return ((signExtend(dst, size) >> (src - 1)) & 1) != 0;
            case ROL: return (res & 1) != 0;
            default: return (res & sign(size)) != 0; // ROR
        }
    }

    public boolean of() {
        long s = sign(size);
        switch (op) {
            case ADD:
            case ADC: return ((dst ^ res) & (src ^ res) & s) != 0;
            case SUB:
            case SBB: return ((dst ^ src) & (dst ^ res) & s) != 0;
            case LOGIC: return false;
            case INC: return res == s;
            case DEC: return res == s - 1;
            case NEG: return dst == s;
            case DIRECT: return (aux & OF) != 0;
            default: return shiftOf(s);
        }
    }

    /** OF after SHL SHR SAR ROL ROR (defined for a count of 1 only, see the class comment). */
    private boolean shiftOf(long s) {
        switch (op) {
            case SHL: return ((res & s) != 0) != shiftCf();
            case SHR: return (dst & s) != 0;
            case SAR: return false;
            case ROL: return ((res & s) != 0) != ((res & 1) != 0);
            default: return ((res ^ (res << 1)) & s) != 0; // ROR
        }
    }

    public boolean af() {
        switch (op) {
            case ADD:
            case ADC:
            case SUB:
            case SBB:
            case NEG: return ((dst ^ src ^ res) & 0x10) != 0;
            case INC: return (res & 0xf) == 0;
            case DEC: return (res & 0xf) == 0xf;
            case LOGIC:
            case SHL:
            case SHR:
            case SAR: return false;
            default: return (aux & AF) != 0;
        }
    }

    public boolean zf() { return resultFlags() ? res == 0 : (aux & ZF) != 0; }

    public boolean sf() { return resultFlags() ? (res & sign(size)) != 0 : (aux & SF) != 0; }

    public boolean pf() { return resultFlags() ? (Long.bitCount(res & 0xff) & 1) == 0 : (aux & PF) != 0; }

    /** Whether ZF SF PF come from the recorded result (not from {@code aux}). */
    private boolean resultFlags() { return op != DIRECT && op != ROL && op != ROR; }

    /** The six status flags as RFLAGS bits (others 0). */
    public long rflags() {
        if (op == DIRECT) return aux;
        return (cf() ? CF : 0) | (pf() ? PF : 0) | (af() ? AF : 0) | (zf() ? ZF : 0) | (sf() ? SF : 0)
                | (of() ? OF : 0);
    }

    /** The status flags the SDM leaves undefined after the last operation. */
    public long undefinedMask() {
        switch (op) {
            case LOGIC: return AF;
            case SHL:
            case SHR: return AF | (src != 1 ? OF : 0) | (src >= size ? CF : 0);
            case SAR: return AF | (src != 1 ? OF : 0);
            case ROL:
            case ROR: return inheritedUndefined | (src != 1 ? OF : 0);
            case ADD:
            case SUB:
            case NEG: return 0;
            default: return inheritedUndefined; // ADC SBB INC DEC DIRECT
        }
    }

    /** {@link #STATUS} minus {@link #undefinedMask()}. */
    public long definedMask() { return STATUS & ~undefinedMask(); }

    /**
     * The condition {@code cc} of Jcc/SETcc/CMOVcc (the low nibble of the opcode: 0 O, 1 NO,
     * 2 B, 3 AE, 4 E, 5 NE, 6 BE, 7 A, 8 S, 9 NS, A P, B NP, C L, D GE, E LE, F G).
     */
    public boolean condition(int cc) {
        boolean t;
        switch (cc >> 1) {
            case 0: t = of(); break;
            case 1: t = cf(); break;
            case 2: t = zf(); break;
            case 3: t = cf() || zf(); break;
            case 4: t = sf(); break;
            case 5: t = pf(); break;
            case 6: t = sf() != of(); break;
            default: t = zf() || sf() != of(); break;
        }
        return t != ((cc & 1) != 0);
    }

    @Override
    public String toString() {
        return String.format("LazyFlags[op=%d size=%d dst=%x src=%x res=%x aux=%x rflags=%x undef=%x]",
                op, size, dst, src, res, aux, rflags(), undefinedMask());
    }
}
