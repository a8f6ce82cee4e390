use checked_asm::checked_asm;

fn main() {
    let x: u64;
    unsafe {
        checked_asm!(
            "mov {x}, 1",
            #[cfg(debug_assertions)]
            "add {x}, {y}",
            x = out(reg) x,
            #[cfg(not(debug_assertions))]
            y = in(reg) 2u64,
        )
    };
    println!("{x}");
}
