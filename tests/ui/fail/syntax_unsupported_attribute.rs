use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!(#[allow(unused)] "nop") };
}
