use checked_asm::checked_global_asm;

checked_global_asm!("mov eax, {}", in(reg) 5, options(nomem));

fn main() {}
