# Instructions for IcedOracleLegacyTest: assembled by GNU as once as .code32 and once as .code16
# (the test prepends the directive), then decoded by jvmx (Decoder.of(32) / Decoder.of(16)) and iced.
# Covers what differs outside 64-bit mode: default sizes and 66/67, INC/DEC 40-4F, absolute disp32,
# 16-bit ModRM forms, i64 opcodes, far pointers, moffs, segment overrides, CR/DR moves, near branches,
# VEX/EVEX with 8 registers; then a broad set of ordinary instructions.
        .intel_syntax noprefix
start:
        # general arithmetic, all sizes
        add al, 1
        add ax, 0x1234
        add eax, 0x12345678
        add byte ptr [ebx], 7
        add word ptr [ebx+4], -3
        add dword ptr [ebx+esi*4+0x10], 0x11223344
        adc ecx, edx
        sbb dx, word ptr [ecx]
        sub esp, 0x40
        and dword ptr [ebp-8], 0xff
        or cl, dh
        xor eax, eax
        cmp dword ptr [esp+4], 0
        test byte ptr [eax], 0x80
        inc eax
        inc cx
        dec edi
        dec si
        inc dword ptr [eax]
        neg ebx
        not word ptr [edi]
        mul ecx
        imul eax, dword ptr [ebx], 10
        imul si, di, 0x1234
        div dword ptr [esi]
        idiv cx
        lea eax, [ebx+ecx*8+0x100]
        lea si, [bx+di+4]
        lea eax, [0x12345678]
        mov eax, dword ptr [0x12345678]
        mov al, byte ptr ds:[0x1000]
        mov ds:[0x2000], eax
        mov ax, word ptr es:[0x10]
        mov ebx, dword ptr fs:[ecx]
        mov dword ptr gs:[0x18], esi
        mov cx, word ptr cs:[ebx]
        mov edx, dword ptr ss:[eax]
        mov byte ptr es:[edi], 1
        mov eax, 0xdeadbeef
        mov bx, 0x55aa
        mov cl, 0x7f
        movzx eax, byte ptr [esi]
        movzx ecx, word ptr [esi]
        movsx edx, cl
        movsx ax, byte ptr [bx+si]
        xchg eax, ebx
        xchg cx, word ptr [edx]
        cmpxchg dword ptr [ecx], edx
        lock cmpxchg8b qword ptr [esi]
        lock xadd dword ptr [eax], ecx
        bswap ecx
        cwde
        cdq
        cbw
        cwd
        # shifts and bit operations
        shl eax, 1
        shr ecx, cl
        sar dx, 3
        rol byte ptr [eax], 4
        rcr ebx, 1
        shld eax, edx, 5
        shrd word ptr [ebx], cx, cl
        bt eax, 3
        bts dword ptr [ebx], ecx
        bsf eax, ecx
        bsr dx, word ptr [si]
        popcnt eax, ebx
        lzcnt ecx, dword ptr [edx]
        tzcnt ax, bx
        # the one-byte opcodes that 64-bit mode lacks
        push es
        pop es
        push cs
        push ss
        pop ss
        push ds
        pop ds
        daa
        das
        aaa
        aas
        pusha
        popa
        pushad
        popad
        bound eax, qword ptr [ebx]
        bound cx, dword ptr [esi]
        arpl word ptr [eax], bx
        arpl cx, dx
        into
        aam
        aam 16
        aad
        aad 7
        .byte 0xd6      # SALC (GNU as has no mnemonic)
        les eax, fword ptr [ebx]
        lds si, dword ptr [bx]
        lss esp, fword ptr [eax]
        lfs ecx, fword ptr [edx]
        lgs dx, dword ptr [ecx]
        call 0x10:0x1234
        jmp 0x08:0x1000
        call fword ptr [eax]
        jmp fword ptr [ebx+4]
        call dword ptr [eax]
        call word ptr [eax]
        jmp dword ptr [ecx*4+0x1000]
        jmp ecx
        call edx
        # stack
        push eax
        push ax
        pop ebx
        pop bx
        push 0x12345678
        push -1
        push dword ptr [esi]
        pop dword ptr [edi]
        pushf
        pushfd
        popf
        popfd
        push fs
        pop gs
        enter 16, 0
        leave
        # near branches
        jmp start
        je start
        jne 1f
        jecxz 1f
        jcxz 1f
        loop 1f
        loope 1f
        loopne 1f
        call start
1:      ret
        ret 8
        retf
        retf 4
        iret
        iretd
        int 0x80
        int3
        # strings
        movsb
        movsd
        movsw
        rep stosd
        repne scasb
        lodsw
        cmpsd
        rep movsb
        xlatb
        insb
        outsd
        # system
        mov eax, cr0
        mov cr3, eax
        mov cr4, ecx
        mov ebx, cr2
        mov eax, dr7
        mov dr0, edx
        lgdt [eax]
        sgdt [ebx]
        lidt [ecx]
        sidt [edx]
        lldt ax
        ltr word ptr [ebx]
        str eax
        sldt ecx
        smsw eax
        lmsw dx
        lar eax, ecx
        lsl edx, word ptr [ebx]
        verr ax
        verw word ptr [ecx]
        mov ds, ax
        mov es, word ptr [ebx]
        mov eax, ss
        mov word ptr [ecx], fs
        cli
        sti
        hlt
        clts
        invd
        wbinvd
        invlpg [eax]
        cpuid
        rdtsc
        rdmsr
        wrmsr
        rdpmc
        sysenter
        sysexit
        in al, 0x60
        in eax, dx
        out 0x80, al
        out dx, ax
        vmread eax, ebx
        vmwrite ecx, dword ptr [edx]
        invept eax, [ebx]
        invpcid ecx, [edx]
        rdpid eax
        rdrand eax
        rdseed cx
        movbe eax, dword ptr [ebx]
        movbe word ptr [ecx], dx
        # x87
        fld dword ptr [eax]
        fld qword ptr [ebx+8]
        fld tbyte ptr [ecx]
        fild word ptr [edx]
        fistp qword ptr [esi]
        fadd st, st(1)
        faddp st(2), st
        fmul dword ptr [eax]
        fdivr qword ptr [ebx]
        fcomip st, st(1)
        fxch st(3)
        fnstsw ax
        fnstcw word ptr [eax]
        fldcw word ptr [eax]
        fnstenv [eax]
        fldenv [ebx]
        fnsave [ecx]
        frstor [edx]
        fsqrt
        fsin
        fyl2x
        # MMX, SSE
        movd mm0, eax
        movd eax, mm1
        movq mm2, qword ptr [ebx]
        paddb mm0, mm1
        movd xmm0, eax
        movd dword ptr [ebx], xmm1
        movq xmm2, qword ptr [ecx]
        movq xmm3, xmm4
        movaps xmm0, xmmword ptr [eax]
        movups xmmword ptr [ebx+ecx*2], xmm7
        addps xmm1, xmm2
        mulsd xmm3, qword ptr [esi]
        cvtsi2sd xmm0, eax
        cvtsi2ss xmm1, dword ptr [ebx]
        cvttsd2si eax, xmm2
        cvtss2si ecx, dword ptr [edx]
        pinsrd xmm0, eax, 1
        pextrd ecx, xmm1, 2
        pextrw eax, xmm3, 1
        pshufd xmm0, xmm1, 0x1b
        pcmpestri xmm0, xmm1, 0x0c
        pcmpistrm xmm2, xmmword ptr [eax], 0x40
        maskmovq mm0, mm1
        maskmovdqu xmm0, xmm1
        crc32 eax, byte ptr [ebx]
        crc32 ecx, dword ptr [edx]
        ldmxcsr dword ptr [esp]
        stmxcsr dword ptr [esp]
        fxsave [eax]
        fxrstor [ebx]
        xsave [ecx]
        xrstor [edx]
        clflush byte ptr [eax]
        lfence
        mfence
        sfence
        pause
        prefetcht0 byte ptr [eax]
        movnti dword ptr [eax], ecx
        aesenc xmm0, xmm1
        pclmulqdq xmm0, xmmword ptr [ebx], 0x11
        sha256rnds2 xmm1, xmm2
        # AVX, AVX2, BMI, FMA: eight registers
        vaddps ymm0, ymm1, ymm2
        vaddps xmm7, xmm6, xmmword ptr [eax]
        vmovaps ymm5, ymmword ptr [ebx+ecx*4+0x20]
        vmovd xmm0, eax
        vmovd ecx, xmm7
        vmovq xmm1, qword ptr [esi]
        vpextrd eax, xmm2, 3
        vpinsrd xmm3, xmm3, ecx, 1
        vcvtsi2sd xmm0, xmm1, eax
        vcvttss2si eax, xmm1
        vpblendvb xmm0, xmm1, xmm2, xmm7
        vblendvps ymm1, ymm2, ymmword ptr [eax], ymm3
        vpgatherdd xmm0, [eax+xmm1*4], xmm2
        vgatherdps ymm3, [ebx+ymm4*2+8], ymm5
        vfmadd231ps ymm0, ymm1, ymm2
        vpermq ymm0, ymm1, 0x4e
        vzeroupper
        vbroadcastss ymm0, dword ptr [eax]
        vpcmpestrm xmm0, xmm1, 0x40
        andn eax, ebx, ecx
        bextr eax, dword ptr [ebx], ecx
        blsi edx, esi
        bzhi eax, ebx, ecx
        mulx eax, ebx, dword ptr [ecx]
        pdep eax, ebx, ecx
        rorx eax, ebx, 7
        sarx ecx, edx, eax
        # AVX-512: eight registers, masks
        vaddps zmm0, zmm1, zmm2
        vaddps zmm3{k1}{z}, zmm4, dword ptr [eax]{1to16}
        vaddpd zmm5, zmm6, zmm7, {rn-sae}
        vmovdqu32 zmm0{k2}, zmmword ptr [ebx+0x40]
        vpaddd xmm1, xmm2, xmmword ptr [ecx+0x10]
        vpbroadcastd zmm0, eax
        vpgatherdd zmm0{k1}, [eax+zmm1*4]
        vpscatterdd [ebx+zmm2*4]{k2}, zmm3
        kmovw k1, eax
        kmovd eax, k2
        kmovw k3, word ptr [ecx]
        kandw k1, k2, k3
        vcmpps k1, zmm0, zmm1, 2
        vpcmpeqd k2{k1}, zmm3, zmmword ptr [edx]
        vcvtusi2sd xmm0, xmm1, eax
        vmovd xmm0, dword ptr [ebx]
        vextracti32x4 xmm0, zmm1, 2
        # 16-bit addressing forms (67 in 32-bit mode, native in 16-bit mode)
        mov ax, word ptr [bx+si]
        mov ax, word ptr [bx+di+4]
        mov eax, dword ptr [bp+si-2]
        mov al, byte ptr [bp+di+0x100]
        mov cx, word ptr [si]
        mov dx, word ptr [di+8]
        mov bx, word ptr [bp]
        mov bx, word ptr [bp+0x1234]
        mov si, word ptr [bx]
        mov di, word ptr ds:[0x1234]
        mov ax, word ptr es:[bx+si]
        add byte ptr ss:[bx], 5
        lea ax, [bp+si+0x10]
        movaps xmm0, xmmword ptr [bx+si]
        vaddps ymm0, ymm1, ymmword ptr [bp+di+0x20]
        vaddps zmm0, zmm1, zmmword ptr [bx+0x40]
        movs byte ptr es:[di], byte ptr ds:[si]
        movs dword ptr es:[di], dword ptr fs:[si]
        stos word ptr es:[di]
        xlat byte ptr [bx]
        nop
        nop word ptr [eax]
        nop dword ptr [eax+eax*1+0]
        endbr32
        ud2
