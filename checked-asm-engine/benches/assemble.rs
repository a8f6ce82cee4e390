//! Parse + encode of a 10-instruction block after the one-time table set-up, and the set-up
//! itself (measured once, in a fresh process, by `setup_time`).

use checked_asm_engine::x86::asm::{Mode, Syntax, assemble, warm_up};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const INTEL_BLOCK: &str = "mov rax, qword ptr [rip + foo@GOTPCREL]
lock cmpxchg qword ptr [rdi], rcx
2: dec ecx
jnz 2b
in al, dx
out 0x80, al
mov cr3, rax
vaddps zmm0 {k1} {z}, zmm1, dword ptr [rax] {1to16}
lea rsi, [rsp + rbx*8 + 16]
call foo@PLT";

const ATT_BLOCK: &str = "movq foo@GOTPCREL(%rip), %rax
lock cmpxchgq %rcx, (%rdi)
2: decl %ecx
jnz 2b
inb %dx, %al
outb %al, $0x80
movq %rax, %cr3
vaddps (%rax){1to16}, %zmm1, %zmm0 {%k1} {z}
leaq 16(%rsp,%rbx,8), %rsi
call foo@PLT";

fn bench(c: &mut Criterion) {
    // The first call pays for the tables; report it (it is a process-wide one-time cost).
    let t = std::time::Instant::now();
    warm_up();
    eprintln!("one-time table set-up: {:?}", t.elapsed());
    c.bench_function("assemble 10-instruction Intel block", |b| {
        b.iter(|| assemble(black_box(INTEL_BLOCK), Syntax::Intel, Mode::Bits64).unwrap())
    });
    c.bench_function("assemble 10-instruction AT&T block", |b| {
        b.iter(|| assemble(black_box(ATT_BLOCK), Syntax::Att, Mode::Bits64).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
