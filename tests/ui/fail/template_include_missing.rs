use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!(include_str!("no_such_file.s")) };
}
