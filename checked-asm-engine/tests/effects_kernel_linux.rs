//! The Linux x86_64 `syscall` row of the kernel table, checked against the kernel running
//! the tests: `getpid` leaves every argument register and the carry flag as they were and
//! changes only rax, rcx and r11 (the model's write set).
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use checked_asm_engine::x86::effects::{Arch, Flags, Mode, Os, TargetAbi, container, effects};
use core::arch::asm;
use iced_x86::{Decoder, DecoderOptions, Register};

#[test]
fn linux_syscall_preserves_what_the_model_says() {
    let instr = Decoder::new(64, &[0x0F, 0x05], DecoderOptions::NONE).decode();
    let fx = effects(
        &instr,
        Mode::Bits64,
        &TargetAbi::new(Arch::X86_64, Os::Linux),
    )
    .unwrap();
    let mut written: Vec<Register> = fx
        .written_registers()
        .map(|r| container(r, Mode::Bits64))
        .collect();
    written.sort();
    assert_eq!(written, vec![Register::RAX, Register::RCX, Register::R11]);
    assert!(!fx.flags.modified().intersects(Flags::CF));

    const SYS_GETPID: u64 = 39;
    for carry_in in [0u8, 1] {
        let sentinels = [0x1111_u64, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666];
        let (mut rdi, mut rsi, mut rdx, mut r10, mut r8, mut r9) = (
            sentinels[0],
            sentinels[1],
            sentinels[2],
            sentinels[3],
            sentinels[4],
            sentinels[5],
        );
        let ret: u64;
        let carry_out: u8;
        unsafe {
            asm!(
                "cmp {c}, 1", // CF := (c < 1), i.e. CF = !carry_in
                "cmc",        // CF = carry_in
                "syscall",
                "setc {c}",
                c = inout(reg_byte) carry_in => carry_out,
                inlateout("rax") SYS_GETPID => ret,
                inout("rdi") rdi,
                inout("rsi") rsi,
                inout("rdx") rdx,
                inout("r10") r10,
                inout("r8") r8,
                inout("r9") r9,
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack),
            );
        }
        assert_eq!(ret, std::process::id() as u64);
        assert_eq!(
            [rdi, rsi, rdx, r10, r8, r9],
            sentinels,
            "argument registers preserved"
        );
        assert_eq!(carry_out, carry_in, "CF preserved across syscall");
    }
}
