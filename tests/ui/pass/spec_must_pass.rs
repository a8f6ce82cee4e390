// The correct idioms of contract-rules.md §6 ("Must pass") and issue 4: none of them
// may get an error. Privileged ones are compiled, not called.
#![allow(dead_code)]
use checked_asm::checked_asm;

// rustix-style syscall wrapper.
unsafe fn syscall3(n: usize, a: usize, b: usize, c: usize) -> usize {
    let ret;
    unsafe {
        checked_asm!(
            "syscall",
            inlateout("rax") n => ret,
            in("rdi") a,
            in("rsi") b,
            in("rdx") c,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack, preserves_flags),
        )
    };
    ret
}

// stdarch-style __cpuid_count.
fn cpuid_count(leaf: u32, sub: u32) -> [u32; 4] {
    let (a, b, c, d);
    unsafe {
        checked_asm!(
            "mov {0:r}, rbx",
            "cpuid",
            "xchg {0:r}, rbx",
            out(reg) b,
            inout("eax") leaf => a,
            inout("ecx") sub => c,
            out("edx") d,
            options(nostack, preserves_flags),
        )
    };
    [a, b, c, d]
}

// cmpxchg16b with rbx loaded through a scratch register and the pointer explicit.
unsafe fn cas128(p: *mut u128, old: u128, new: u128) -> u128 {
    let (lo, hi): (u64, u64);
    unsafe {
        checked_asm!(
            "xchg {tmp}, rbx",
            "lock cmpxchg16b xmmword ptr [rdi]",
            "mov rbx, {tmp}",
            tmp = inout(reg) new as u64 => _,
            in("rdi") p,
            in("rcx") (new >> 64) as u64,
            inout("rax") old as u64 => lo,
            inout("rdx") (old >> 64) as u64 => hi,
            options(nostack),
        )
    };
    u128::from(hi) << 64 | u128::from(lo)
}

// iretq to a new context.
unsafe fn enter_user(ss: u64, rsp: u64, rflags: u64, cs: u64, rip: u64) -> ! {
    unsafe {
        checked_asm!(
            "push {ss}",
            "push {rsp}",
            "push {rflags}",
            "push {cs}",
            "push {rip}",
            "iretq",
            ss = in(reg) ss,
            rsp = in(reg) rsp,
            rflags = in(reg) rflags,
            cs = in(reg) cs,
            rip = in(reg) rip,
            options(noreturn),
        )
    }
}

// Reload CS through a far return to a local label.
unsafe fn reload_cs(sel: u64) {
    unsafe {
        checked_asm!(
            "push {sel}",
            "lea {tmp}, [rip + 55f]",
            "push {tmp}",
            "retfq",
            "55:",
            sel = in(reg) sel,
            tmp = lateout(reg) _,
            options(preserves_flags),
        )
    };
}

// Read RFLAGS (IF) without memory.
fn rflags() -> u64 {
    let f;
    unsafe { checked_asm!("pushfq", "pop {}", out(reg) f, options(nomem, preserves_flags)) };
    f
}

// Bochs magic breakpoint.
fn bochs_break() {
    unsafe { checked_asm!("xchg bx, bx", options(nomem, nostack, preserves_flags)) };
}

// A call with an argument register the ABI clobbers.
extern "C" fn double(x: u64) -> u64 {
    x * 2
}

fn call_double(x: u64) -> u64 {
    let r;
    unsafe { checked_asm!("call {f}", f = sym double, in("rdi") x, out("rax") r, clobber_abi("C")) };
    r
}

// Descriptor tables only read memory.
#[repr(C, packed)]
struct Dtr {
    limit: u16,
    base: u64,
}

unsafe fn load_idt(idtr: &Dtr) {
    unsafe { checked_asm!("lidt [{}]", in(reg) idtr, options(readonly, nostack, preserves_flags)) };
}

unsafe fn load_gdt(gdtr: &Dtr) {
    unsafe { checked_asm!("lgdt [{}]", in(reg) gdtr, options(readonly, nostack, preserves_flags)) };
}

// rdtsc / rdtscp / rdrand with nomem.
fn tsc() -> u64 {
    let (lo, hi): (u32, u32);
    unsafe { checked_asm!("rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags)) };
    u64::from(hi) << 32 | u64::from(lo)
}

fn tscp() -> (u64, u32) {
    let (lo, hi, aux): (u32, u32, u32);
    unsafe { checked_asm!("rdtscp", out("eax") lo, out("edx") hi, out("ecx") aux, options(nomem, nostack, preserves_flags)) };
    (u64::from(hi) << 32 | u64::from(lo), aux)
}

fn rdrand() -> Option<u64> {
    let (v, ok): (u64, u8);
    unsafe { checked_asm!("rdrand {0}", "setc {1}", out(reg) v, out(reg_byte) ok, options(nomem, nostack)) };
    (ok == 1).then_some(v)
}

// rep movsb / rep stosb.
unsafe fn memcpy(dst: *mut u8, src: *const u8, n: usize) {
    unsafe {
        checked_asm!(
            "rep movsb",
            inout("rcx") n => _,
            inout("rdi") dst => _,
            inout("rsi") src => _,
            options(nostack, preserves_flags),
        )
    };
}

// stmxcsr/ldmxcsr save-modify-restore inside one block.
fn add_round_down(a: f32, b: f32) -> f32 {
    let r: f32;
    unsafe {
        checked_asm!(
            "sub rsp, 8",
            "stmxcsr [rsp]",
            "mov {t:e}, [rsp]",
            "or {t:e}, 0x2000",
            "mov [rsp + 4], {t:e}",
            "ldmxcsr [rsp + 4]",
            "addss {a}, {b}",
            "ldmxcsr [rsp]",
            "add rsp, 8",
            a = inout(xmm_reg) a => r,
            b = in(xmm_reg) b,
            t = out(reg) _,
        )
    };
    r
}

// Atomics.
unsafe fn fetch_add(p: *mut u64, v: u64) -> u64 {
    let old;
    unsafe { checked_asm!("lock xadd [{p}], {v}", p = in(reg) p, v = inout(reg) v => old, options(nostack)) };
    old
}

// Port I/O.
unsafe fn outb(port: u16, v: u8) {
    unsafe { checked_asm!("out dx, al", in("dx") port, in("al") v, options(nostack, preserves_flags)) };
}

unsafe fn inb(port: u16) -> u8 {
    let v;
    unsafe { checked_asm!("in al, dx", in("dx") port, out("al") v, options(nostack, preserves_flags)) };
    v
}

// A pause loop.
unsafe fn spin_until_set(flag: *const u32) {
    unsafe {
        checked_asm!(
            "2:",
            "pause",
            "cmp dword ptr [{f}], 0",
            "je 2b",
            f = in(reg) flag,
            options(readonly, nostack),
        )
    };
}

// xgetbv.
unsafe fn xcr0() -> u64 {
    let (lo, hi): (u32, u32);
    unsafe { checked_asm!("xgetbv", in("ecx") 0u32, out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags)) };
    u64::from(hi) << 32 | u64::from(lo)
}

// Trailing `ud2` after a syscall that should not return.
unsafe fn exit(code: i32) -> ! {
    unsafe { checked_asm!("syscall", "ud2", in("rax") 231, in("rdi") code, options(noreturn, nostack)) }
}

fn main() {
    assert_eq!(cpuid_count(0, 0)[0] > 0, true);
    assert!(tsc() <= tscp().0);
    let _ = rdrand();
    let _ = rflags();
    bochs_break_if_wanted();
    assert_eq!(call_double(21), 42);
    let src = [1u8, 2, 3];
    let mut dst = [0u8; 3];
    unsafe { memcpy(dst.as_mut_ptr(), src.as_ptr(), 3) };
    assert_eq!(dst, src);
    assert_eq!(add_round_down(1.0, 2.0), 3.0);
    let mut x = 5u64;
    assert_eq!(unsafe { fetch_add(&mut x, 2) }, 5);
    assert_eq!(x, 7);
    let mut v = 9u128;
    assert_eq!(unsafe { cas128(&mut v, 9, 10) }, 9);
    assert_eq!(v, 10);
    let pid = unsafe { syscall3(39, 0, 0, 0) };
    assert!(pid > 0);
}

fn bochs_break_if_wanted() {
    if std::env::var_os("CHECKED_ASM_BOCHS").is_some() {
        bochs_break();
    }
}
