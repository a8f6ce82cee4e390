// Twin of r04_clobber_abi_shares_an_input: arguments go straight into their ABI
// registers, which clobber_abi cannot give to anything else.
use checked_asm::checked_asm;

extern "C" fn sum(a: u64, b: u64) -> u64 {
    a + b
}

fn main() {
    let r: u64;
    unsafe { checked_asm!("call {f}", f = sym sum, in("rdi") 40u64, in("rsi") 2u64, out("rax") r, clobber_abi("C")) };
    assert_eq!(r, 42);
}
