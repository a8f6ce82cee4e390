// The block borrows rcx for a shift count (saved and restored around it) and computes
// `v * 17` with a scratch operand. rcx is not declared, so the compiler may allocate
// `{scratch}` to it: `mov {scratch}, rax` then replaces the count, and `shl rax, cl`
// shifts by the wrong amount. Nothing reaches an output or an exit differently, so
// only the hard-coded read of cl shows it.
use checked_asm::checked_asm;

#[allow(dead_code)]
fn times_17(v: u64) -> u64 {
    let r: u64;
    unsafe {
        checked_asm!(
            "push rcx",
            "mov ecx, 4",
            "mov {scratch}, rax",
            "shl rax, cl",
            "add rax, {scratch}",
            "pop rcx",
            scratch = out(reg) _,
            inout("rax") v => r,
        )
    };
    r
}

fn main() {}
