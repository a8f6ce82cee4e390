// push/pop overwrite the red zone, where the compiler may keep data under `nostack`.
use checked_asm::checked_asm;

fn main() {
    let x: u64;
    unsafe { checked_asm!("push 7", "pop {}", out(reg) x, options(nomem, nostack, preserves_flags)) };
    println!("{x}");
}
