//! Differential test against LLVM's assembler (`llvm-mc-22`, what rustc's integrated
//! assembler is): a corpus of one-line templates (every round-trip instance, hand-written
//! system-instruction, AT&T and symbol cases, and invalid ones) is assembled by `llvm-mc` in
//! one batch process per syntax and mode, and by us. LLVM's bytes and ours are decoded with
//! iced and compared as instructions (several encodings can be valid).
//!
//! Done when >= 99% of what LLVM accepts gives the same decoded instructions and nothing
//! LLVM rejects is accepted by us, except the entries of `llvm_exceptions.txt`.
//! Without `llvm-mc-22` the test is skipped with a message, but fails when `CI` is set.

mod common;

use checked_asm_engine::x86::asm::{Mode, Syntax, assemble};
use common::*;
use iced_x86::{Decoder, DecoderOptions, Instruction};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

fn llvm_mc() -> Option<String> {
    let candidates = [
        std::env::var("LLVM_MC").unwrap_or_default(),
        "llvm-mc-22".into(),
        "/usr/bin/llvm-mc-22".into(),
        "/usr/lib/llvm-22/bin/llvm-mc".into(),
    ];
    candidates.into_iter().filter(|c| !c.is_empty()).find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Hand-written cases: system instructions (most real blocks are one of these), symbols,
/// labels, prefixes, and templates LLVM rejects.
fn handwritten(syntax: Syntax, mode: Mode) -> Vec<&'static str> {
    match (syntax, mode) {
        (Syntax::Intel, Mode::Bits64) => vec![
            "in al, dx",
            "in eax, dx",
            "in al, 0x60",
            "out dx, al",
            "out 0x80, al",
            "out dx, eax",
            "cli",
            "sti",
            "hlt",
            "wrmsr",
            "rdmsr",
            "lgdt [rax]",
            "lidt [rdi]",
            "sgdt [rax]",
            "ltr ax",
            "lldt ax",
            "str ax",
            "mov cr3, rax",
            "mov rax, cr3",
            "mov cr0, rbx",
            "mov cr4, rax",
            "mov cr8, rax",
            "mov dr7, rax",
            "swapgs",
            "iretq",
            "iret",
            "sysretq",
            "sysret",
            "retfq",
            "retf",
            "syscall",
            "sysenter",
            "int 0x80",
            "int 3",
            "int3",
            "int1",
            "ud2",
            "xsave [rax]",
            "xsave64 [rax]",
            "xrstor [rdi]",
            "xsetbv",
            "xgetbv",
            "vmcall",
            "vmmcall",
            "vmlaunch",
            "vmresume",
            "vmxoff",
            "invlpg [rax]",
            "invpcid rax, [rbx]",
            "wbinvd",
            "rdtsc",
            "rdtscp",
            "rdrand rax",
            "rdseed eax",
            "cpuid",
            "pause",
            "lfence",
            "mfence",
            "sfence",
            "clflush [rax]",
            "stac",
            "clac",
            "wrfsbase rax",
            "rdgsbase rax",
            "wrpkru",
            "rdpkru",
            "monitor",
            "mwait",
            "lock add qword ptr [rax], 1",
            "lock cmpxchg qword ptr [rdi], rcx",
            "lock xadd dword ptr [rax], ecx",
            "lock inc dword ptr [rax]",
            "xchg qword ptr [rax], rbx",
            "rep movsb",
            "rep stosq",
            "repne scasb",
            "repe cmpsb",
            "rep; movsb",
            "lock; add dword ptr [rax], 1",
            "movsb",
            "stosq",
            "lodsb",
            "mov rax, qword ptr fs:[0x28]",
            "mov eax, dword ptr gs:[rax]",
            "mov rax, qword ptr fs:0",
            "lea rax, [rip + foo]",
            "mov rax, qword ptr [rip + foo@GOTPCREL]",
            "call foo@PLT",
            "call foo",
            "jmp foo",
            "je foo",
            "jmp 2f; 2:",
            "2: jmp 2b",
            "1: dec ecx; jnz 1b",
            "call 1f; 1: pop rax",
            "lea rax, [rip + 1f]; 1: nop",
            "mov eax, offset foo",
            "mov rax, offset foo",
            "push offset foo",
            "mov eax, dword ptr [foo]",
            "mov eax, foo",
            "mov rax, qword ptr [rax + rbx*8 + 0x10]",
            "mov eax, [rsp]",
            "mov eax, [rbp]",
            "mov eax, [r13]",
            "mov eax, [r12 + 8]",
            "lea eax, [eax + ecx*2]",
            "mov eax, 1",
            "mov rax, 1",
            "mov rax, -1",
            "mov rax, 0xffffffff",
            "mov rax, 0x123456789",
            "movabs rax, 0x1234",
            "movabs al, [0x1234]",
            "add rax, 1",
            "add eax, 0x100",
            "add al, 1",
            "sub rsp, 8",
            "and eax, 0xfffffff0",
            "and rax, -16",
            "test al, 1",
            "test rax, rax",
            "xor eax, eax",
            "shl eax, 1",
            "shl eax, cl",
            "shl eax, 4",
            "sal eax, 4",
            "shr rax, 63",
            "sar eax",
            "rol eax, 1",
            "imul eax, ebx, 10",
            "imul eax, ebx, 1000",
            "push rbp",
            "pop rbp",
            "push 1",
            "push 1000",
            "push qword ptr [rax]",
            "push [rax]",
            "pop [rax]",
            "pushfq",
            "popfq",
            "call rax",
            "call [rax]",
            "call qword ptr [rax]",
            "jmp rax",
            "jmp qword ptr [rip + foo]",
            "ret",
            "ret 8",
            "leave",
            "enter 16, 0",
            "nop",
            "nop dword ptr [rax]",
            "xchg ax, ax",
            "xchg eax, eax",
            "xchg rax, rax",
            "xchg eax, ebx",
            "xchg ebx, eax",
            "movzx eax, byte ptr [rax]",
            "movzx eax, al",
            "movsx rax, word ptr [rax]",
            "movsxd rax, dword ptr [rax]",
            "movsxd rax, eax",
            "cdqe",
            "cqo",
            "cwde",
            "cmove eax, ebx",
            "cmovz eax, ebx",
            "sete al",
            "setz al",
            "bswap eax",
            "bt eax, 3",
            "popcnt eax, ebx",
            "crc32 eax, byte ptr [rax]",
            "cmpxchg16b xmmword ptr [rax]",
            "cmpxchg8b qword ptr [rax]",
            "movaps xmm0, xmmword ptr [rax]",
            "movaps xmm0, [rax]",
            "movups xmm1, xmm2",
            "movd xmm0, eax",
            "movq xmm0, rax",
            "movq rax, xmm0",
            "movq xmm0, qword ptr [rax]",
            "pxor xmm0, xmm0",
            "vpxor ymm0, ymm1, ymm2",
            "vaddps zmm0, zmm1, zmm2",
            "vaddps zmm0 {k1} {z}, zmm1, zmm2",
            "vaddps zmm0, zmm1, dword ptr [rax]{1to16}",
            "vaddps zmm0, zmm1, zmm2, {rn-sae}",
            "vaddps zmm0, zmm1, zmm2, {rz-sae}",
            "vcmpps k1, zmm1, zmm2, {sae}, 1",
            "vmovdqu64 zmm0 {k2}, zmmword ptr [rax]",
            "vmovaps xmm16, xmm1",
            "vpbroadcastd zmm0, eax",
            "vfmadd231ps ymm0, ymm1, ymm2",
            "vzeroupper",
            "ldmxcsr [rax]",
            "stmxcsr dword ptr [rax]",
            "fld qword ptr [rax]",
            "fld st(1)",
            "fstp st(0)",
            "fadd st, st(1)",
            "faddp st(1), st",
            "fnstsw ax",
            "fninit",
            "finit",
            "fclex",
            "fxsave [rax]",
            "fxrstor64 [rax]",
            "emms",
            "endbr64",
            "xbegin 1f; 1: nop",
            "xend",
            "mov eax, $0x10",
            "int $$0x80",
            "mov eax, 2 + 3 * 4",
            "mov eax, (1 << 4) | 1",
            "mov eax, 0b1010",
            "mov eax, 'a'",
            "mov eax, -0x10",
            "add rsp, -8",
            ".byte 0x0f, 0x0b",
            ".byte 0x90; nop",
            ".p2align 4; nop",
            ".balign 8; ret",
            ".quad 0",
            ".long foo",
            ".ascii \"ab\"",
            ".pushsection .rodata; .byte 1; .popsection; nop",
            ".att_syntax; movl $1, %eax",
            ".code32; mov eax, 1",
            ".cfi_startproc; nop; .cfi_endproc",
            ".global foo; foo: ret",
            ".set X, 5; mov eax, X",
            ".equ Y, 7; mov eax, Y",
            "lock",
            "rep",
            // Rejected by LLVM.
            "mov [rax], 1",
            "inc [rax]",
            "mov eax, rbx",
            "shl eax, bl",
            "mov qword ptr [rax], qword ptr [rbx]",
            "movx eax, ebx",
            "add eax",
            "in al, bx",
            "out dx, bl",
            "push eax",
            "int 256",
            "mov eax, [rax + rbx*3]",
            "mov ah, sil",
            "mov eax, 0FFh",
            "jmp 0x10:0x1000",
            "cvtsi2ss xmm0, [rax]",
            "movzx eax, [rax]",
            "fld [rax]",
            "ljmp 0x10, 0x1000",
            "pushad",
            "aaa",
            "mov cr3, eax",
            "lea rax, 5",
            "vaddps zmm0 {k0}, zmm1, zmm2",
            "jmp 1b",
            "mov eax, [rip + rax]",
        ],
        (Syntax::Att, Mode::Bits64) => vec![
            "inb %dx, %al",
            "inl %dx, %eax",
            "inb $0x60, %al",
            "outb %al, %dx",
            "outb %al, $0x80",
            "outl %eax, %dx",
            "in %dx, %al",
            "out %al, %dx",
            "cli",
            "hlt",
            "wrmsr",
            "lgdt (%rax)",
            "lidt (%rdi)",
            "lgdtq (%rax)",
            "ltr %ax",
            "ltrw %ax",
            "movq %rax, %cr3",
            "mov %rax, %cr3",
            "movq %cr3, %rax",
            "swapgs",
            "iretq",
            "sysretq",
            "sysretl",
            "lretq",
            "lret",
            "syscall",
            "int $0x80",
            "int $3",
            "xsave (%rax)",
            "vmcall",
            "invlpg (%rax)",
            "lock addq $1, (%rax)",
            "lock; addl $1, (%rax)",
            "lock cmpxchgq %rcx, (%rdi)",
            "rep movsb",
            "rep stosq",
            "movsb",
            "movsl",
            "stosl",
            "movl %fs:0x28, %eax",
            "movq %fs:0, %rax",
            "leaq foo(%rip), %rax",
            "movq foo@GOTPCREL(%rip), %rax",
            "call foo@PLT",
            "callq foo",
            "jmp 1f; 1:",
            "1: decl %ecx; jnz 1b",
            "movl $foo, %eax",
            "movq $foo, %rax",
            "movl foo, %eax",
            "movq 0x10(%rax,%rbx,8), %rax",
            "movl (%rsp), %eax",
            "movl $1, %eax",
            "movq $1, %rax",
            "movq $-1, %rax",
            "movabsq $0x123456789, %rax",
            "movq $0x123456789, %rax",
            "addq $1, %rax",
            "addl $0x100, %eax",
            "subq $8, %rsp",
            "andq $-16, %rsp",
            "xorl %eax, %eax",
            "shll $4, %eax",
            "shll %cl, %eax",
            "shll %eax",
            "sall $4, %eax",
            "imull $10, %ebx, %eax",
            "pushq %rbp",
            "popq %rbp",
            "pushq $1",
            "push $1",
            "pushq (%rax)",
            "pushfq",
            "popfq",
            "call *%rax",
            "call *(%rax)",
            "callq *8(%rax)",
            "jmp *%rax",
            "jmpq *foo(%rip)",
            "ret",
            "retq",
            "ret $8",
            "leave",
            "nop",
            "nopl (%rax)",
            "movzbl (%rax), %eax",
            "movzbl %al, %eax",
            "movzwl %ax, %eax",
            "movsbq (%rax), %rax",
            "movslq %eax, %rax",
            "movswl (%rax), %eax",
            "cltq",
            "cqto",
            "cltd",
            "cwtl",
            "cbtw",
            "cmovel %ebx, %eax",
            "sete %al",
            "bswapl %eax",
            "btl $3, %eax",
            "movaps (%rax), %xmm0",
            "movd %eax, %xmm0",
            "movq %rax, %xmm0",
            "movq %xmm0, %rax",
            "vaddps %zmm2, %zmm1, %zmm0 {%k1} {z}",
            "vaddps (%rax){1to16}, %zmm1, %zmm0",
            "vaddps {rn-sae}, %zmm2, %zmm1, %zmm0",
            "vcvtpd2psx (%rax), %xmm0",
            "vcvtpd2psy (%rax), %xmm0",
            "cvtsi2sdl (%rax), %xmm0",
            "cvtsi2sdq %rax, %xmm0",
            "flds (%rax)",
            "fldl (%rax)",
            "fldt (%rax)",
            "fildl (%rax)",
            "fildll (%rax)",
            "fistps (%rax)",
            "fstp %st(1)",
            "fadd %st(1), %st",
            "fsub %st, %st(1)",
            "fsubp %st, %st(1)",
            "fnstsw %ax",
            "fxsave (%rax)",
            "lcall *(%rax)",
            "ljmpq *(%rax)",
            "incl (%rax)",
            "incb (%rax)",
            "notq (%rax)",
            ".p2align 4; nop",
            ".intel_syntax noprefix; mov eax, 1",
            // Rejected by LLVM.
            "movl $1, (%rax), %eax",
            "movl %rax, %eax",
            "inc (%rax)",
            "mov $1, (%rax)",
            "movx %eax, %ebx",
            "shll %bl, %eax",
            "movl (%rax), (%rbx)",
            "pushl %eax",
            "inb %bx, %al",
            "int $256",
            "movl 0(%rax,%rbx,3), %eax",
            "movl $1, %xmm0",
        ],
        (Syntax::Intel, _) => vec![
            "in al, dx",
            "out dx, al",
            "cli",
            "hlt",
            "lgdt [eax]",
            "lidt [eax]",
            "ltr ax",
            "mov cr3, eax",
            "mov eax, cr0",
            "iretd",
            "iret",
            "int 0x80",
            "sysenter",
            "sysexit",
            "pushad",
            "popad",
            "pushfd",
            "aaa",
            "daa",
            "into",
            "bound eax, qword ptr [ebx]",
            "les eax, [ebx]",
            "lds eax, fword ptr [ebx]",
            "ljmp 0x10, 0x1000",
            "lcall 0x10, 0x1000",
            "ljmp fword ptr [eax]",
            "mov eax, dword ptr fs:[0x30]",
            "mov eax, [foo]",
            "mov eax, offset foo",
            "push offset foo",
            "mov eax, [0x1000]",
            "mov al, [0x1000]",
            "call foo",
            "jmp 1f; 1:",
            "inc eax",
            "dec ecx",
            "push eax",
            "push es",
            "pop ds",
            "lea eax, [esp + 4]",
            "mov ax, [bx + si]",
            "mov eax, 1",
            ".code64; mov rax, 1",
            ".code16; mov ax, 1",
            // Rejected by LLVM.
            "mov rax, 1",
            "push r8",
            "swapgs",
            "mov eax, [rax]",
            "syscall; mov r8d, 1",
            "movsxd eax, ebx",
            "mov xmm8, xmm0",
        ],
        (Syntax::Att, _) => vec![
            "inb %dx, %al",
            "outb %al, %dx",
            "cli",
            "lgdt (%eax)",
            "ltr %ax",
            "movl %eax, %cr3",
            "iret",
            "iretl",
            "int $0x80",
            "pushal",
            "popal",
            "pushfl",
            "popfl",
            "ljmp $0x10, $0x1000",
            "lcall $0x10, $0x1000",
            "ljmp *(%eax)",
            "movl %fs:0x30, %eax",
            "movl $foo, %eax",
            "pushl $foo",
            "call foo",
            "incl %eax",
            "pushl %eax",
            "pushw %es",
            "lret",
            "lretl",
            "movl 0x1000, %eax",
            // Rejected by LLVM.
            "movq $1, %rax",
            "pushq %r8",
            "swapgs",
        ],
    }
}

/// The corpus for a syntax and mode: every round-trip instance, then the hand-written cases.
fn corpus(syntax: Syntax, mode: Mode) -> Vec<String> {
    let mut intel = intel_formatter();
    let mut gas = gas_formatter();
    let mut out: Vec<String> = Vec::new();
    for code in codes_for(mode) {
        let Some(ins) = instance(code, mode) else {
            continue;
        };
        out.push(match syntax {
            Syntax::Intel => llvm_intel(&ins, &format(&mut intel, &ins)),
            Syntax::Att => llvm_att(&ins, &format(&mut gas, &ins)),
        });
    }
    out.extend(handwritten(syntax, mode).into_iter().map(str::to_string));
    out
}

/// Runs llvm-mc once over all entries; returns each entry's bytes, or `None` if LLVM
/// reported an error on its line.
fn run_llvm(llvm: &str, entries: &[String], syntax: Syntax, mode: Mode) -> Vec<Option<Vec<u8>>> {
    // Each entry is followed by a marker line so the output can be split per entry; a
    // fresh `.intel_syntax`/`.att_syntax` and mode directive resets entries that switch.
    let (syntax_dir, arg) = match syntax {
        Syntax::Intel => (".intel_syntax noprefix", "-x86-asm-syntax=intel"),
        Syntax::Att => (".att_syntax prefix", "-x86-asm-syntax=att"),
    };
    let (triple, code_dir) = match mode {
        Mode::Bits64 => ("--triple=x86_64", ".code64"),
        _ => ("--triple=i686", ".code32"),
    };
    let mut input = String::new();
    for (i, e) in entries.iter().enumerate() {
        // Line 3*i+1: the entry; 3*i+2: the marker; 3*i+3: the reset.
        input.push_str(e);
        input.push('\n');
        input.push_str(&format!(".ascii \"@@{i}\"\n"));
        input.push_str(&format!("{syntax_dir}; {code_dir}; .text\n"));
    }
    let mut child = Command::new(llvm)
        .args([triple, arg, "--output-asm-variant=1", "-show-encoding"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn llvm-mc");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("llvm-mc output");
    writer.join().unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut rejected = BTreeSet::new();
    for line in stderr.lines() {
        // `<stdin>:LINE:COL: error: ...`
        let mut parts = line.splitn(4, ':');
        if let (Some(_), Some(l), Some(_), Some(rest)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
            && rest.trim_start().starts_with("error")
            && let Ok(l) = l.parse::<usize>()
        {
            rejected.insert((l - 1) / 3);
        }
    }
    let mut result: Vec<Option<Vec<u8>>> = vec![Some(Vec::new()); entries.len()];
    let mut current = 0usize;
    let mut bytes = Vec::new();
    for line in stdout.lines() {
        if let Some(pos) = line.find("\"@@") {
            let n: usize = line[pos + 3..]
                .trim_end_matches('"')
                .parse()
                .unwrap_or(current);
            result[n] = Some(std::mem::take(&mut bytes));
            current = n + 1;
            continue;
        }
        if let Some(enc) = line.split("encoding: [").nth(1) {
            let enc = enc.split(']').next().unwrap_or("");
            for b in enc.split(',') {
                let b = b.trim();
                // Fixup placeholders (`A`, `B`) are relocations: 0 in our encoding too.
                bytes.push(
                    b.strip_prefix("0x")
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .unwrap_or(0),
                );
            }
        } else {
            // Data directives print without encodings: rebuild their bytes.
            let t = line.trim();
            let width = [(".byte", 1), (".short", 2), (".long", 4), (".quad", 8)]
                .into_iter()
                .find(|(d, _)| t.starts_with(&format!("{d}\t")) || t.starts_with(&format!("{d} ")));
            if let Some((d, w)) = width {
                for v in t[d.len()..].split(',') {
                    let v = v.trim();
                    let n = v
                        .parse::<i64>()
                        .or_else(|_| i64::from_str_radix(v.trim_start_matches("0x"), 16))
                        .unwrap_or(0);
                    bytes.extend_from_slice(&n.to_le_bytes()[..w]);
                }
            } else if let Some(s) = t.strip_prefix(".ascii").map(str::trim)
                && !s.contains("@@")
            {
                bytes.extend_from_slice(s.trim_matches('"').as_bytes());
            }
        }
    }
    for r in rejected {
        if r < result.len() {
            result[r] = None;
        }
    }
    result
}

fn decode_all(bytes: &[u8], mode: Mode) -> Vec<Instruction> {
    let mut d = Decoder::with_ip(mode.bitness(), bytes, 0, DecoderOptions::NONE);
    let mut v = Vec::new();
    while d.can_decode() {
        v.push(d.decode());
    }
    v
}

fn exceptions() -> BTreeMap<String, String> {
    include_str!("llvm_exceptions.txt")
        .lines()
        .filter(|l| !l.trim_start().starts_with("##") && !l.trim().is_empty())
        .filter_map(|l| {
            let (entry, why) = l.split_once(" ## ")?;
            Some((entry.trim().to_string(), why.trim().to_string()))
        })
        .collect()
}

#[test]
fn llvm_differential() {
    let Some(llvm) = llvm_mc() else {
        if std::env::var_os("CI").is_some() {
            panic!("llvm-mc-22 is required in CI (apt-get install llvm-22)");
        }
        println!(
            "llvm-mc-22 not found: skipping the LLVM differential test (install Debian's llvm-22)"
        );
        return;
    };
    let listed = exceptions();
    let mut report = String::new();
    let mut unexpected = Vec::new();
    let mut figures = Vec::new();
    for (syntax, mode) in [
        (Syntax::Intel, Mode::Bits64),
        (Syntax::Att, Mode::Bits64),
        (Syntax::Intel, Mode::Bits32),
        (Syntax::Att, Mode::Bits32),
    ] {
        let entries = corpus(syntax, mode);
        let llvm_results = run_llvm(&llvm, &entries, syntax, mode);
        let (mut accepted, mut agree, mut rejected, mut silently) =
            (0usize, 0usize, 0usize, 0usize);
        for (entry, theirs) in entries.iter().zip(&llvm_results) {
            let key = format!("{} {:?} {entry}", mode.bitness(), syntax);
            let ours = assemble(entry, syntax, mode);
            let verdict: Result<(), String> = match (theirs, &ours) {
                (None, Err(_)) => {
                    rejected += 1;
                    Ok(())
                }
                (None, Ok(p)) => {
                    rejected += 1;
                    silently += 1;
                    Err(format!(
                        "LLVM rejects, we accept ({})",
                        hex(&p.text_bytes())
                    ))
                }
                (Some(bytes), ours) => {
                    accepted += 1;
                    match ours {
                        Err(e) => Err(format!(
                            "LLVM accepts ({}), we reject: {}",
                            hex(bytes),
                            e[0].message
                        )),
                        Ok(p) => {
                            let ours_bytes = p.text_bytes();
                            let a = decode_all(bytes, mode);
                            let b = decode_all(&ours_bytes, mode);
                            if (a.len() == b.len()
                                && a.iter().zip(&b).all(|(x, y)| same_ignoring_targets(x, y)))
                                || bytes.is_empty() && !entry.contains(' ') && ours_bytes.is_empty()
                            {
                                agree += 1;
                                Ok(())
                            } else {
                                Err(format!(
                                    "differ: LLVM {} ours {}",
                                    hex(bytes),
                                    hex(&ours_bytes)
                                ))
                            }
                        }
                    }
                }
            };
            if let Err(why) = verdict {
                report.push_str(&format!("{key} ## {why}\n"));
                if !listed.contains_key(&key) {
                    unexpected.push(format!("{key} ## {why}"));
                }
            }
        }
        let pct = 100.0 * agree as f64 / accepted.max(1) as f64;
        println!(
            "llvm {}-bit {:?}: {agree}/{accepted} LLVM-accepted entries agree ({pct:.2}%); {rejected} rejected by LLVM, {silently} of them accepted by us",
            mode.bitness(),
            syntax
        );
        figures.push((mode, syntax, pct));
    }
    if let Ok(path) = std::env::var("LLVM_DIFF_DUMP") {
        std::fs::write(path, &report).unwrap();
    }
    assert!(
        unexpected.is_empty(),
        "{} entries disagree with LLVM and are not in llvm_exceptions.txt:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    for (mode, syntax, pct) in figures {
        assert!(
            pct >= 99.0,
            "LLVM agreement {}-bit {:?} is {pct:.2}%, below 99%",
            mode.bitness(),
            syntax
        );
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
