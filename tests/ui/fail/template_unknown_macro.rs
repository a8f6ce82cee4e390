use checked_asm::checked_asm;

macro_rules! push_scratch {
    () => {
        "push rax"
    };
}

fn main() {
    unsafe { checked_asm!(push_scratch!(), "pop rax") };
    unsafe { checked_asm!(env!("CARGO_PKG_NAME")) };
}
