// `ret` to an address the block pushed itself is a jump to that label: the code after
// `2:` is analysed like any other (here it clobbers rbx).
use checked_asm::checked_asm;

fn main() {
    unsafe {
        checked_asm!(
            "lea {t}, [rip + 2f]",
            "push {t}",
            "ret",
            "2:",
            "mov rbx, 1",
            t = out(reg) _,
        )
    };
}
