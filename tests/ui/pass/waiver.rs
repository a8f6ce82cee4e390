// A waiver silences the rules it names for one block, with a mandatory reason; the
// marker is removed before the tokens reach `asm!`.
use checked_asm::checked_asm;

fn restore_flags(saved: u64) {
    unsafe {
        checked_asm!(
            #![waive(R10, R11, reason = "restores the RFLAGS value the caller saved with pushfq; DF was clear then")]
            "push {f}",
            "popfq",
            f = in(reg) saved,
            options(nomem, preserves_flags),
        )
    };
}

fn main() {
    let flags: u64;
    unsafe { checked_asm!("pushfq", "pop {}", out(reg) flags, options(nomem, preserves_flags)) };
    restore_flags(flags);
}
