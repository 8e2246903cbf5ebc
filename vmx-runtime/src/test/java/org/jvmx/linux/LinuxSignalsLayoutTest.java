package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jvmx.linux.signal.SigFrame;
import org.jvmx.linux.signal.SigInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout constants against the C library's own headers: a small C program prints
 * {@code offsetof}/{@code sizeof} of ucontext_t, siginfo_t, struct sigcontext, stack_t and the
 * structures the misc calls fill; every constant jvmx uses must agree.
 */
class LinuxSignalsLayoutTest {
    private static final String PROGRAM = """
            #define _GNU_SOURCE
            #include <stddef.h>
            #include <stdio.h>
            #include <signal.h>
            #include <ucontext.h>
            #include <sys/utsname.h>
            #include <sys/sysinfo.h>
            #include <sys/resource.h>
            #include <sys/times.h>
            #include <time.h>
            #define P(n, v) printf("%s %ld\\n", n, (long)(v))
            int main(void) {
              P("uc_flags", offsetof(ucontext_t, uc_flags));
              P("uc_link", offsetof(ucontext_t, uc_link));
              P("uc_stack", offsetof(ucontext_t, uc_stack));
              P("uc_mcontext", offsetof(ucontext_t, uc_mcontext));
              P("uc_sigmask", offsetof(ucontext_t, uc_sigmask));
              P("gregs", offsetof(ucontext_t, uc_mcontext.gregs));
              P("fpregs", offsetof(ucontext_t, uc_mcontext.fpregs));
              P("mcontext_size", sizeof(mcontext_t));
              P("REG_R8", REG_R8); P("REG_RDI", REG_RDI); P("REG_RAX", REG_RAX); P("REG_RCX", REG_RCX);
              P("REG_RSP", REG_RSP); P("REG_RIP", REG_RIP); P("REG_EFL", REG_EFL); P("REG_CSGSFS", REG_CSGSFS);
              P("REG_ERR", REG_ERR); P("REG_TRAPNO", REG_TRAPNO); P("REG_OLDMASK", REG_OLDMASK); P("REG_CR2", REG_CR2);
              P("sc_rip", offsetof(struct sigcontext, rip)); P("sc_eflags", offsetof(struct sigcontext, eflags));
              P("sc_cs", offsetof(struct sigcontext, cs)); P("sc_gs", offsetof(struct sigcontext, gs));
              P("sc_fs", offsetof(struct sigcontext, fs)); P("sc_err", offsetof(struct sigcontext, err));
              P("sc_trapno", offsetof(struct sigcontext, trapno)); P("sc_oldmask", offsetof(struct sigcontext, oldmask));
              P("sc_cr2", offsetof(struct sigcontext, cr2)); P("sc_fpstate", offsetof(struct sigcontext, fpstate));
              P("sc_size", sizeof(struct sigcontext));
              P("ss_sp", offsetof(stack_t, ss_sp)); P("ss_flags", offsetof(stack_t, ss_flags));
              P("ss_size", offsetof(stack_t, ss_size));
              P("si_signo", offsetof(siginfo_t, si_signo)); P("si_errno", offsetof(siginfo_t, si_errno));
              P("si_code", offsetof(siginfo_t, si_code)); P("si_pid", offsetof(siginfo_t, si_pid));
              P("si_uid", offsetof(siginfo_t, si_uid)); P("si_addr", offsetof(siginfo_t, si_addr));
              P("siginfo_size", sizeof(siginfo_t));
              P("fp_mxcsr", offsetof(struct _libc_fpstate, mxcsr)); P("fp_xmm", offsetof(struct _libc_fpstate, _xmm));
              P("fp_st", offsetof(struct _libc_fpstate, _st)); P("fp_size", sizeof(struct _libc_fpstate));
              P("SA_RESTORER", 0x04000000); P("SA_ONSTACK", SA_ONSTACK); P("SA_RESTART", SA_RESTART);
              P("SA_NODEFER", SA_NODEFER); P("SA_RESETHAND", SA_RESETHAND); P("SA_SIGINFO", SA_SIGINFO);
              P("SS_ONSTACK", SS_ONSTACK); P("SS_DISABLE", SS_DISABLE);
              P("utsname_size", sizeof(struct utsname)); P("uts_release", offsetof(struct utsname, release));
              P("uts_domainname", offsetof(struct utsname, domainname));
              P("sysinfo_size", sizeof(struct sysinfo)); P("si_totalram", offsetof(struct sysinfo, totalram));
              P("si_freeram", offsetof(struct sysinfo, freeram)); P("si_procs", offsetof(struct sysinfo, procs));
              P("si_mem_unit", offsetof(struct sysinfo, mem_unit));
              P("rusage_size", sizeof(struct rusage)); P("ru_maxrss", offsetof(struct rusage, ru_maxrss));
              P("rlimit_size", sizeof(struct rlimit)); P("timespec_size", sizeof(struct timespec));
              P("tms_size", sizeof(struct tms));
              P("RLIMIT_NOFILE", RLIMIT_NOFILE); P("RLIMIT_STACK", RLIMIT_STACK);
              P("CLOCK_BOOTTIME", CLOCK_BOOTTIME); P("CLOCK_MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE);
              return 0;
            }
            """;
    private static Map<String, Long> c;

    @BeforeAll
    static void compile() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("jvmx-layout");
        Path src = dir.resolve("layout.c"), exe = dir.resolve("layout");
        Files.writeString(src, PROGRAM);
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            gcc = null;
        }
        assumeTrue(gcc != null, "gcc not installed");
        String log = new String(gcc.getInputStream().readAllBytes());
        assumeTrue(gcc.waitFor() == 0, "layout.c does not compile here:\n" + log);
        Process run = new ProcessBuilder(exe.toString()).start();
        List<String> lines = new String(run.getInputStream().readAllBytes()).lines().toList();
        run.waitFor();
        c = new HashMap<>();
        for (String l : lines) {
            String[] f = l.split(" ");
            c.put(f[0], Long.parseLong(f[1]));
        }
    }

    private static void same(String name, long jvmx) {
        assertEquals(c.get(name), Long.valueOf(jvmx), name);
    }

    @Test
    void ucontextAndSigcontext() {
        same("uc_flags", SigFrame.UC_FLAGS);
        same("uc_link", SigFrame.UC_LINK);
        same("uc_stack", SigFrame.UC_STACK);
        same("uc_mcontext", SigFrame.UC_MCONTEXT);
        same("uc_sigmask", SigFrame.UC_SIGMASK);
        same("gregs", SigFrame.UC_MCONTEXT);
        same("fpregs", SigFrame.UC_MCONTEXT + SigFrame.SC_FPSTATE);
        same("mcontext_size", SigFrame.SIGCONTEXT_SIZE);
        same("sc_size", SigFrame.SIGCONTEXT_SIZE);
        // glibc's gregs[] index * 8 is the kernel's sigcontext offset
        same("REG_R8", 0);
        same("REG_RDI", indexOf(org.jvmx.vm.Reg.RDI));
        same("REG_RAX", indexOf(org.jvmx.vm.Reg.RAX));
        same("REG_RCX", indexOf(org.jvmx.vm.Reg.RCX));
        same("REG_RSP", indexOf(org.jvmx.vm.Reg.RSP));
        same("REG_RIP", SigFrame.SC_RIP / 8);
        same("REG_EFL", SigFrame.SC_EFLAGS / 8);
        same("REG_CSGSFS", SigFrame.SC_CS / 8);
        same("REG_ERR", SigFrame.SC_ERR / 8);
        same("REG_TRAPNO", SigFrame.SC_TRAPNO / 8);
        same("REG_OLDMASK", SigFrame.SC_OLDMASK / 8);
        same("REG_CR2", SigFrame.SC_CR2 / 8);
        same("sc_rip", SigFrame.SC_RIP);
        same("sc_eflags", SigFrame.SC_EFLAGS);
        same("sc_cs", SigFrame.SC_CS);
        same("sc_gs", SigFrame.SC_GS);
        same("sc_fs", SigFrame.SC_FS);
        same("sc_err", SigFrame.SC_ERR);
        same("sc_trapno", SigFrame.SC_TRAPNO);
        same("sc_oldmask", SigFrame.SC_OLDMASK);
        same("sc_cr2", SigFrame.SC_CR2);
        same("sc_fpstate", SigFrame.SC_FPSTATE);
        same("ss_sp", SigFrame.SS_SP);
        same("ss_flags", SigFrame.SS_FLAGS);
        same("ss_size", SigFrame.SS_SIZE);
        // glibc's ucontext_t is longer (1024-bit sigset, FPU copy) but starts like the kernel's
        assertEquals(SigFrame.UCONTEXT_SIZE, SigFrame.UC_SIGMASK + 8);
        assertEquals(SigFrame.INFO, 8 + SigFrame.UCONTEXT_SIZE);
    }

    private static int indexOf(org.jvmx.vm.Reg r) {
        return java.util.Arrays.asList(SigFrame.GREGS).indexOf(r);
    }

    @Test
    void siginfoAndFpstate() {
        same("si_signo", SigInfo.SI_SIGNO);
        same("si_errno", SigInfo.SI_ERRNO);
        same("si_code", SigInfo.SI_CODE);
        same("si_pid", SigInfo.SI_PID);
        same("si_uid", SigInfo.SI_UID);
        same("si_addr", SigInfo.SI_ADDR);
        same("siginfo_size", SigInfo.SIZE);
        same("fp_mxcsr", org.jvmx.linux.signal.FxImage.MXCSR);
        same("fp_xmm", org.jvmx.linux.signal.FxImage.XMM0);
        same("fp_st", org.jvmx.linux.signal.FxImage.ST0);
        same("fp_size", SigFrame.FPSTATE_SIZE);
    }

    @Test
    void flagValues() {
        same("SA_RESTORER", LinuxSignals.SA_RESTORER);
        same("SA_ONSTACK", LinuxSignals.SA_ONSTACK);
        same("SA_RESTART", LinuxSignals.SA_RESTART);
        same("SA_NODEFER", LinuxSignals.SA_NODEFER);
        same("SA_RESETHAND", LinuxSignals.SA_RESETHAND);
        same("SA_SIGINFO", LinuxSignals.SA_SIGINFO);
        same("SS_ONSTACK", LinuxSignals.SS_ONSTACK);
        same("SS_DISABLE", LinuxSignals.SS_DISABLE);
    }

    @Test
    void miscStructures() {
        same("utsname_size", LinuxMisc.UTSNAME_SIZE);
        same("uts_release", 2 * LinuxMisc.UTS_FIELD);
        same("uts_domainname", 5 * LinuxMisc.UTS_FIELD);
        same("sysinfo_size", LinuxMisc.SYSINFO_SIZE);
        same("si_totalram", 32);
        same("si_freeram", 40);
        same("si_procs", 80);
        same("si_mem_unit", 104);
        same("rusage_size", LinuxMisc.RUSAGE_SIZE);
        same("ru_maxrss", 32);
        same("rlimit_size", 16);
        same("timespec_size", 16);
        same("tms_size", 32);
        same("RLIMIT_NOFILE", LinuxMisc.RLIMIT_NOFILE);
        same("RLIMIT_STACK", LinuxMisc.RLIMIT_STACK);
        same("CLOCK_BOOTTIME", LinuxMiscTime.CLOCK_BOOTTIME);
        same("CLOCK_MONOTONIC_COARSE", LinuxMiscTime.CLOCK_MONOTONIC_COARSE);
    }
}
