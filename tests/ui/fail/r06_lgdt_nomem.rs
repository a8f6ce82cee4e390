// Spec §6: `lgdt` reads its 10-byte operand from memory.
use checked_asm::checked_asm;

#[repr(C, packed)]
struct Gdtr {
    limit: u16,
    base: u64,
}

#[allow(dead_code)]
unsafe fn load_gdt(gdtr: &Gdtr) {
    unsafe { checked_asm!("lgdt [{}]", in(reg) gdtr, options(nomem, nostack, preserves_flags)) };
}

fn main() {}
