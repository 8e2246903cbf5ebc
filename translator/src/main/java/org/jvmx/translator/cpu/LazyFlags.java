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
 * <li>RCL RCR (count masked to 5/6 bits, then taken mod 9 / mod 17 for 8- / 16-bit operands): a
 *     masked count of 0 changes nothing. CF is the last bit rotated out (unchanged when the
 *     rotation is a whole turn, e.g. RCL r8 by 9); SF ZF AF PF are unchanged; OF is defined for a
 *     masked count of 1 only (RCL: MSB(res) XOR CF; RCR: MSB(res) XOR MSB-1(res)). An undefined
 *     carry-in makes all flags undefined.
 * <li>SHLD SHRD (16/32/64 bits, count masked to 5/6 bits; 0 changes nothing): CF is the last bit
 *     shifted out of the destination, SF ZF PF from the result, AF undefined, OF (sign change)
 *     defined for a count of 1 only. A 16-bit operand with a count over 16 leaves the result and
 *     all flags undefined.
 * <li>MUL IMUL (every form): CF = OF = the high half is significant (MUL: non-zero; IMUL: not the
 *     sign extension of the low half, i.e. the two-/three-operand forms truncated); SF ZF AF PF
 *     undefined (produced from the low half). {@link #high()} gives the high half.
 * <li>BT BTS BTR BTC (register bit offset, taken mod size): CF = the selected bit; ZF unchanged;
 *     OF SF AF PF undefined.
 * <li>BSF BSR: ZF = (source == 0), the others undefined; a zero source leaves the destination
 *     unchanged (as AMD documents and Intel CPUs do).
 * <li>POPCNT: ZF = (source == 0), the others cleared. LZCNT TZCNT: CF = (source == 0),
 *     ZF = (result == 0), OF SF AF PF undefined.
 * <li>ANDN BLSI BLSMSK BLSR BZHI: SF (and ZF, except BLSMSK, where it is cleared) from the result,
 *     OF cleared, AF PF undefined; CF cleared (ANDN), source != 0 (BLSI), source == 0 (BLSMSK,
 *     BLSR), index[7:0] &gt; size - 1 (BZHI).
 * <li>ADCX ADOX: a + b + CF (ADOX: + OF); only CF (ADOX: only OF) changes, to the carry out.
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
            SHL = 9, SHR = 10, SAR = 11, ROL = 12, ROR = 13,
            // computed on read by ext(): every op from RCL on
            RCL = 14, RCR = 15, SHLD = 16, SHRD = 17, MUL = 18, IMUL = 19, BT = 20, BSF = 21, POPCNT = 22,
            LZCNT = 23, ANDN = 24, BLSI = 25, BLSMSK = 26, BLSR = 27, BZHI = 28, ADCX = 29, ADOX = 30;

    private int op = DIRECT;
    private int size = 64;
    /** First operand, second operand (shift/rotate: the masked count) and result, zero-extended to size. */
    private long dst, src, res;
    /**
     * DIRECT, ROL, ROR, RCL, RCR, BT, ADCX, ADOX: the flags word (the rotates, BT, ADCX/ADOX: as before
     * the operation); ADC/SBB: carry-in; INC/DEC: old CF.
     */
    private long aux;
    /** ADC SBB INC DEC ROL ROR RCL RCR BT ADCX ADOX DIRECT: flags undefined before this operation that it leaves unchanged. */
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
        return withCarry(ADC, size, a, b);
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
        return withCarry(SBB, size, a, b);
    }

    /**
     * ADC/SBB: the current CF is the carry/borrow-in (kept in aux); if CF was undefined, every
     * status flag of the result is.
     */
    private long withCarry(int op, int size, long a, long b) {
        long c = cf() ? 1 : 0;
        long u = undefinedMask();
        long m = mask(size);
        a &= m;
        b &= m;
        long r = (op == ADC ? a + b + c : a - b - c) & m;
        set(op, size, a, b, r);
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

    // ---- rotates through carry, double shifts (count: the raw CL or imm8 value; masked here)

    /** RCL: rotates the size+1-bit value CF:a left (count masked to 5/6 bits, then mod 9 / 17 for 8 / 16 bits). */
    public long rcl(int size, long a, int count) {
        int c = count & countMask(size);
        long m = mask(size);
        a &= m;
        if (c == 0) return a;
        int k = size < 32 ? c % (size + 1) : c;
        long cin = cf() ? 1 : 0;
        // bit i of CF:a moves to i+k mod size+1; the carry-in (bit size) lands at k-1
        long r = k == 0 ? a : ((a << k) | (cin << (k - 1)) | (k == 1 ? 0 : a >>> (size + 1 - k))) & m;
        rotatedThroughCarry(RCL, size, a, c, r);
        return r;
    }

    /** RCR: rotates the size+1-bit value CF:a right (count masked as for {@link #rcl}). */
    public long rcr(int size, long a, int count) {
        int c = count & countMask(size);
        long m = mask(size);
        a &= m;
        if (c == 0) return a;
        int k = size < 32 ? c % (size + 1) : c;
        long cin = cf() ? 1 : 0;
        long r = k == 0 ? a : ((a >>> k) | (cin << (size - k)) | (k == 1 ? 0 : a << (size + 1 - k))) & m;
        rotatedThroughCarry(RCR, size, a, c, r);
        return r;
    }

    private void rotatedThroughCarry(int op, int size, long a, int c, long r) {
        boolean cfUndefined = (undefinedMask() & CF) != 0;
        rotated(op, size, a, c, r);
        if (cfUndefined) inheritedUndefined = STATUS; // an undefined carry-in makes the result undefined
    }

    /**
     * SHLD a, b, count (16/32/64 bits): a shifted left, filled from the top of b. For 16 bits and a
     * masked count over 16 the SDM leaves result and flags undefined (the bits of b:a:b are produced).
     */
    public long shld(int size, long a, long b, int count) {
        int c = count & countMask(size);
        long m = mask(size);
        a &= m;
        if (c == 0) return a;
        b &= m;
        long r;
        if (c < size) r = ((a << c) | (b >>> (size - c))) & m;
        else r = ((b << (c - size)) | (a >>> (2 * size - c))) & m; // 16-bit only: c in 16..31
        set(SHLD, size, a, c, r);
        return r;
    }

    /** SHRD a, b, count (16/32/64 bits): a shifted right, filled from the bottom of b (see {@link #shld}). */
    public long shrd(int size, long a, long b, int count) {
        int c = count & countMask(size);
        long m = mask(size);
        a &= m;
        if (c == 0) return a;
        b &= m;
        long r;
        if (c < size) r = ((a >>> c) | (b << (size - c))) & m;
        else r = ((b >>> (c - size)) | (a << (2 * size - c))) & m;
        set(SHRD, size, a, c, r);
        return r;
    }

    // ---- multiplication (the high half of the last product: high())

    /** MUL (one operand): the low half of a * b (unsigned); the high half is {@link #high()}. CF = OF = high != 0. */
    public long mul(int size, long a, long b) {
        long m = mask(size);
        a &= m;
        b &= m;
        long lo, hi;
        if (size == 64) {
            lo = a * b;
            hi = Math.unsignedMultiplyHigh(a, b);
        } else {
            long p = a * b;
            lo = p & m;
            hi = (p >>> size) & m;
        }
        set(MUL, size, a, hi, lo);
        return lo;
    }

    /**
     * IMUL (every form): the low half of a * b (signed), which two- and three-operand IMUL keep;
     * the high half is {@link #high()}. CF = OF = the product does not fit in size bits.
     */
    public long imul(int size, long a, long b) {
        long m = mask(size);
        long lo, hi;
        if (size == 64) {
            lo = a * b;
            hi = Math.multiplyHigh(a, b);
        } else {
            long p = signExtend(a, size) * signExtend(b, size);
            lo = p & m;
            hi = (p >> size) & m;
        }
        set(IMUL, size, a & m, hi, lo);
        return lo;
    }

    /** The high half (zero-extended) of the product last recorded by {@link #mul} or {@link #imul}. */
    public long high() { return src; }

    // ---- bit tests and scans

    /** BT (register bit offset, taken mod size): CF = the bit; returns a unchanged. */
    public long bt(int size, long a, long bit) { return bitOp(size, a, bit, 0); }

    public long bts(int size, long a, long bit) { return bitOp(size, a, bit, 1); }

    public long btr(int size, long a, long bit) { return bitOp(size, a, bit, 2); }

    public long btc(int size, long a, long bit) { return bitOp(size, a, bit, 3); }

    private long bitOp(int size, long a, long bit, int kind) {
        long before = rflags();
        long u = undefinedMask() & ZF;
        long m = mask(size);
        a &= m;
        int i = (int) bit & (size - 1);
        long b = 1L << i;
        long r = kind == 0 ? a : kind == 1 ? a | b : kind == 2 ? a & ~b : a ^ b;
        set(BT, size, a, i, r);
        aux = before;
        inheritedUndefined = u;
        return r;
    }

    /** BSF: index of the lowest set bit of src; src = 0 sets ZF and returns {@code old} (the destination) unchanged. */
    public long bsf(int size, long old, long src) {
        long s = src & mask(size);
        long r = s == 0 ? old & mask(size) : Long.numberOfTrailingZeros(s);
        set(BSF, size, 0, s, r);
        return r;
    }

    /** BSR: index of the highest set bit of src; src = 0 as for {@link #bsf}. */
    public long bsr(int size, long old, long src) {
        long s = src & mask(size);
        long r = s == 0 ? old & mask(size) : 63 - Long.numberOfLeadingZeros(s);
        set(BSF, size, 0, s, r);
        return r;
    }

    /** POPCNT: ZF = (src == 0), the others cleared. */
    public long popcnt(int size, long src) {
        long s = src & mask(size);
        long r = Long.bitCount(s);
        set(POPCNT, size, 0, s, r);
        return r;
    }

    /** LZCNT: CF = (src == 0), ZF = (result == 0). */
    public long lzcnt(int size, long src) {
        long s = src & mask(size);
        long r = Long.numberOfLeadingZeros(s) - (64 - size);
        set(LZCNT, size, 0, s, r);
        return r;
    }

    /** TZCNT: CF = (src == 0), ZF = (result == 0); recorded as LZCNT. */
    public long tzcnt(int size, long src) {
        long s = src & mask(size);
        long r = s == 0 ? size : Long.numberOfTrailingZeros(s);
        set(LZCNT, size, 0, s, r);
        return r;
    }

    // ---- BMI1 / BMI2 (32/64 bits)

    /** ANDN: ~a & b. */
    public long andn(int size, long a, long b) { return bmi(ANDN, size, 0, ~a & b); }

    /** BLSI: src & -src. */
    public long blsi(int size, long src) { return bmi(BLSI, size, src, src & -src); }

    /** BLSMSK: src ^ (src - 1). */
    public long blsmsk(int size, long src) { return bmi(BLSMSK, size, src, src ^ (src - 1)); }

    /** BLSR: src & (src - 1). */
    public long blsr(int size, long src) { return bmi(BLSR, size, src, src & (src - 1)); }

    /** BZHI: src with the bits from index {@code idx[7:0]} up cleared. */
    public long bzhi(int size, long src, long idx) {
        long n = idx & 0xff;
        return bmi(BZHI, size, n, n < size ? src & ~(-1L << n) : src);
    }

    private long bmi(int op, int size, long s, long r) {
        long m = mask(size);
        r &= m;
        set(op, size, op == BZHI ? s : s & m, 0, r);
        return r;
    }

    // ---- ADX (32/64 bits)

    /** ADCX: a + b + CF; only CF changes. */
    public long adcx(int size, long a, long b) { return adx(ADCX, size, a, b, cf()); }

    /** ADOX: a + b + OF; only OF changes (set to the carry out). */
    public long adox(int size, long a, long b) { return adx(ADOX, size, a, b, of()); }

    private long adx(int op, int size, long a, long b, boolean cin) {
        long before = rflags();
        long u = undefinedMask();
        long m = mask(size);
        a &= m;
        b &= m;
        long r = (a + b + (cin ? 1 : 0)) & m;
        set(op, size, a, b, r);
        aux = before;
        inheritedUndefined = u;
        return r;
    }

    // ---- direct state

    /** POPF, a state load, or any direct write: the status bits of {@code rflags} become the flags. */
    public void setDirect(long rflags) {
        op = DIRECT;
        aux = rflags & STATUS;
        inheritedUndefined = 0;
    }

    /**
     * A direct write that also says which status flags are undefined afterwards (DIV/IDIV leave all
     * six undefined; BEXTR leaves SF AF PF; CMPXCHG8B changes ZF only and keeps the others' state).
     */
    public void setDirect(long rflags, long undefined) {
        op = DIRECT;
        aux = rflags & STATUS;
        inheritedUndefined = undefined & STATUS;
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
        if (op >= RCL) return (ext() & CF) != 0;
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
        if (op >= RCL) return (ext() & OF) != 0;
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
        if (op >= RCL) return (ext() & AF) != 0;
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

    public boolean zf() {
        if (op >= RCL) return (ext() & ZF) != 0;
        return resultFlags() ? res == 0 : (aux & ZF) != 0;
    }

    public boolean sf() {
        if (op >= RCL) return (ext() & SF) != 0;
        return resultFlags() ? (res & sign(size)) != 0 : (aux & SF) != 0;
    }

    public boolean pf() {
        if (op >= RCL) return (ext() & PF) != 0;
        return resultFlags() ? (Long.bitCount(res & 0xff) & 1) == 0 : (aux & PF) != 0;
    }

    /** Whether ZF SF PF come from the recorded result (not from {@code aux}); ops from RCL on use {@link #ext}. */
    private boolean resultFlags() { return op != DIRECT && op != ROL && op != ROR; }

    /** SF ZF PF of the recorded result, as RFLAGS bits. */
    private long szp() {
        return ((res & sign(size)) != 0 ? SF : 0) | (res == 0 ? ZF : 0) | ((Long.bitCount(res & 0xff) & 1) == 0 ? PF : 0);
    }

    /** The status flags after an op from RCL to BSF (undefined ones: a value, see {@link #extUndefined}). */
    private long ext() {
        if (op > BSF) return ext2();
        switch (op) {
            case RCL:
            case RCR: return (aux & (PF | AF | ZF | SF)) | rcCfOf();
            case SHLD:
            case SHRD: return szp() | doubleShiftCfOf();
            case MUL: return szp() | (src != 0 ? CF | OF : 0);
            case IMUL: return szp() | (src != ((res & sign(size)) != 0 ? mask(size) : 0) ? CF | OF : 0);
            case BT: return (aux & ZF) | ((dst >>> src) & 1);
            default: return src == 0 ? ZF : 0; // BSF BSR
        }
    }

    /** CF (the last bit shifted out of the destination) and OF (sign change, count 1) after SHLD/SHRD. */
    private long doubleShiftCfOf() {
        long cf = op == SHLD ? (src <= size ? (dst >>> (size - (int) src)) & 1 : 0) : (dst >>> (src - 1)) & 1;
        return cf | (((dst ^ res) & sign(size)) != 0 ? OF : 0);
    }

    /** CF and OF after RCL/RCR (OF by the count-1 formula; CF unchanged when the rotation is a whole turn). */
    private long rcCfOf() {
        int k = size < 32 ? (int) src % (size + 1) : (int) src;
        long s = sign(size);
        long cf;
        if (k == 0) cf = aux & CF;
        else if (op == RCL) cf = (dst >>> (size - k)) & 1;
        else cf = (dst >>> (k - 1)) & 1;
        boolean of = op == RCL ? ((res & s) != 0) != (cf != 0) : ((res ^ (res << 1)) & s) != 0;
        return cf | (of ? OF : 0);
    }

    /** {@link #ext} for POPCNT and later ops. */
    private long ext2() {
        long s = sign(size);
        switch (op) {
            case POPCNT: return src == 0 ? ZF : 0;
            case LZCNT: return (src == 0 ? CF : 0) | (res == 0 ? ZF : 0);
            case ANDN: return szp() & (SF | ZF);
            case BLSI: return (szp() & (SF | ZF)) | (dst != 0 ? CF : 0);
            case BLSMSK: return ((res & s) != 0 ? SF : 0) | (dst == 0 ? CF : 0);
            case BLSR: return (szp() & (SF | ZF)) | (dst == 0 ? CF : 0);
            case BZHI: return (szp() & (SF | ZF)) | (dst > size - 1 ? CF : 0);
            case ADCX: return (aux & ~CF) | (adxCarry((aux & CF) != 0) ? CF : 0);
            default: return (aux & ~OF) | (adxCarry((aux & OF) != 0) ? OF : 0); // ADOX
        }
    }

    private boolean adxCarry(boolean cin) {
        return cin ? Long.compareUnsigned(res, dst) <= 0 : Long.compareUnsigned(res, dst) < 0;
    }

    /** The undefined mask for ops from RCL on. */
    private long extUndefined() {
        switch (op) {
            case RCL:
            case RCR: return inheritedUndefined | (src != 1 ? OF : 0);
            case SHLD:
            case SHRD: return src > size ? STATUS : AF | (src != 1 ? OF : 0);
            case MUL:
            case IMUL: return SF | ZF | AF | PF;
            case BT: return inheritedUndefined | OF | SF | AF | PF;
            case BSF: return CF | OF | SF | AF | PF;
            case POPCNT: return 0;
            case LZCNT: return OF | SF | AF | PF;
            case ADCX:
            case ADOX: return inheritedUndefined;
            default: return AF | PF; // ANDN BLSI BLSMSK BLSR BZHI
        }
    }

    /** The six status flags as RFLAGS bits (others 0). */
    public long rflags() {
        if (op == DIRECT) return aux;
        if (op >= RCL) return ext();
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
            default: return op >= RCL ? extUndefined() : inheritedUndefined; // ADC SBB INC DEC DIRECT
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
