//! Unit tests of the template assembler's syntax forms, directives and error messages.

use checked_asm_engine::x86::asm::{
    AsmError, BranchTarget, DirectiveKind, Mode, Program, StmtKind, Syntax, assemble,
};
use iced_x86::{Code, Mnemonic, Register};

fn ok(src: &str) -> Program {
    ok_in(src, Syntax::Intel, Mode::Bits64)
}

fn ok_in(src: &str, syntax: Syntax, mode: Mode) -> Program {
    match assemble(src, syntax, mode) {
        Ok(p) => p,
        Err(e) => panic!("`{src}` failed: {e:?}"),
    }
}

fn err(src: &str) -> AsmError {
    err_in(src, Syntax::Intel, Mode::Bits64)
}

fn err_in(src: &str, syntax: Syntax, mode: Mode) -> AsmError {
    match assemble(src, syntax, mode) {
        Ok(p) => panic!("`{src}` assembled: {:x?}", p.text_bytes()),
        Err(mut e) => e.remove(0),
    }
}

fn codes(p: &Program) -> Vec<Code> {
    p.instructions().map(|i| i.instruction.code()).collect()
}

fn bytes(src: &str) -> Vec<u8> {
    ok(src).text_bytes()
}

fn att(src: &str) -> Vec<u8> {
    ok_in(src, Syntax::Att, Mode::Bits64).text_bytes()
}

// ---- statements and comments ----

#[test]
fn separators_and_comments() {
    assert_eq!(codes(&ok("nop; nop\nnop")).len(), 3);
    // `#` swallows the rest of the line, including a later `;`.
    assert_eq!(codes(&ok("nop # comment; nop\nnop")).len(), 2);
    assert_eq!(codes(&ok("nop // comment; nop")).len(), 1);
    assert_eq!(
        codes(&ok("mov /* a */ eax, /* b */ 1")),
        vec![Code::Mov_r32_imm32]
    );
    assert_eq!(codes(&ok("")).len(), 0);
    assert_eq!(codes(&ok("  \n ; ;\n")).len(), 0);
    // Character literals may hold separators, comment starts and commas.
    assert_eq!(
        bytes("mov al, ';'; cmp al, '#'; mov al, ','"),
        vec![0xb0, b';', 0x3c, b'#', 0xb0, b',']
    );
}

#[test]
fn statement_ranges_point_at_the_source() {
    let src = "nop\n  mov eax, ebx  ";
    let p = ok(src);
    assert_eq!(&src[p.stmts[1].range.clone()], "mov eax, ebx");
    let StmtKind::Instr(i) = &p.stmts[1].kind else {
        panic!()
    };
    let ops: Vec<&str> = i.operand_ranges.iter().map(|r| &src[r.clone()]).collect();
    assert_eq!(ops, vec!["eax", "ebx"]);
    let src = "movl %ebx, %eax";
    let p = ok_in(src, Syntax::Att, Mode::Bits64);
    let i = p.instructions().next().unwrap();
    let ops: Vec<&str> = i.operand_ranges.iter().map(|r| &src[r.clone()]).collect();
    assert_eq!(
        ops,
        vec!["%eax", "%ebx"],
        "AT&T operands are reported in Intel order"
    );
    let src = "vaddps zmm0, zmm1, zmm2, {rn-sae}";
    let p = ok(src);
    let i = p.instructions().next().unwrap();
    let ops: Vec<&str> = i.operand_ranges.iter().map(|r| &src[r.clone()]).collect();
    assert_eq!(ops, vec!["zmm0", "zmm1", "zmm2", "{rn-sae}"]);
}

// ---- labels ----

#[test]
fn numeric_and_named_labels() {
    let p = ok("2: dec ecx; jnz 2b; jmp 2f; 2: ret");
    let targets: Vec<_> = p.instructions().filter_map(|i| i.target.clone()).collect();
    assert_eq!(
        targets,
        vec![BranchTarget::LocalLabel(0), BranchTarget::LocalLabel(4)]
    );
    assert_eq!(bytes("2: dec ecx; jnz 2b"), vec![0xff, 0xc9, 0x75, 0xfc]);
    let p = ok("foo: jmp foo");
    assert_eq!(
        p.instructions().next().unwrap().target,
        Some(BranchTarget::LocalLabel(0))
    );
    let p = ok("call _ZN3foo3bar17h0123456789abcdefE");
    assert_eq!(
        p.instructions().next().unwrap().target,
        Some(BranchTarget::Symbol(
            "_ZN3foo3bar17h0123456789abcdefE".into()
        ))
    );
    assert!(err("jmp 1f").message.contains("no local label `1:`"));
    assert!(
        err("foo: nop; foo: nop")
            .message
            .contains("already defined")
    );
}

#[test]
fn branches_relax_from_rel8_to_rel32() {
    assert_eq!(bytes("jmp 1f; 1:"), vec![0xeb, 0x00]);
    let far = "jmp 1f; .zero 200; 1:".to_string();
    assert_eq!(&bytes(&far)[..5], &[0xe9, 200, 0, 0, 0]);
    // External symbols are reached with rel32 plus a relocation, as LLVM does.
    assert_eq!(bytes("jmp foo"), vec![0xe9, 0, 0, 0, 0]);
    assert_eq!(bytes("je foo"), vec![0x0f, 0x84, 0, 0, 0, 0]);
    assert_eq!(
        ok("jmp rax").instructions().next().unwrap().target,
        Some(BranchTarget::Indirect)
    );
}

// ---- prefixes ----

#[test]
fn prefixes() {
    assert_eq!(
        bytes("lock add dword ptr [rax], 1"),
        vec![0xf0, 0x83, 0x00, 0x01]
    );
    assert_eq!(bytes("rep movsb"), vec![0xf3, 0xa4]);
    assert_eq!(bytes("rep; stosq"), vec![0xf3, 0x48, 0xab]);
    assert_eq!(bytes("repne scasb"), vec![0xf2, 0xae]);
    let p = ok("lock; inc dword ptr [rax]");
    assert_eq!(
        p.instructions().next().unwrap().prefixes_written,
        vec!["lock".to_string()]
    );
    assert!(
        p.instructions()
            .next()
            .unwrap()
            .instruction
            .has_lock_prefix()
    );
    // A prefix at the end of the block is kept as a statement (rule R20 reports it).
    let p = ok("nop; lock");
    let StmtKind::Prefix(pre) = &p.stmts[1].kind else {
        panic!("{:?}", p.stmts[1].kind)
    };
    assert_eq!(pre.prefixes, vec!["lock".to_string()]);
    assert_eq!(pre.applies_to, None);
    assert_eq!(err("lock nop").message, "`lock` cannot be used with `nop`");
    assert_eq!(err("lock add eax, ebx").range, 0..4);
}

// ---- aliases ----

#[test]
fn mnemonic_aliases() {
    assert_eq!(bytes("jz foo"), bytes("je foo"));
    assert_eq!(bytes("setnae al"), bytes("setb al"));
    assert_eq!(bytes("cmovnz eax, ebx"), bytes("cmovne eax, ebx"));
    assert_eq!(bytes("sal eax, 4"), bytes("shl eax, 4"));
    assert_eq!(
        bytes("movabs rax, 0x1122334455667788"),
        vec![0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
    );
    assert_eq!(bytes("int 3"), vec![0xcc]);
    assert_eq!(bytes("xchg ax, ax"), vec![0x66, 0x90]);
    assert_eq!(bytes("sar eax"), vec![0xd1, 0xf8]);
    assert_eq!(
        bytes("vcmpltps xmm0, xmm1, xmm2"),
        bytes("vcmpps xmm0, xmm1, xmm2, 1")
    );
    // Pseudo prefixes choose the encoding.
    assert_eq!(
        bytes("vaddps xmm1, xmm2, xmm3"),
        vec![0xc5, 0xe8, 0x58, 0xcb]
    );
    assert_eq!(
        bytes("{evex} vaddps xmm1, xmm2, xmm3"),
        vec![0x62, 0xf1, 0x6c, 0x08, 0x58, 0xcb]
    );
}

#[test]
fn att_suffixes_and_names() {
    assert_eq!(att("movl $1, %eax"), bytes("mov eax, 1"));
    assert_eq!(att("addq $8, %rsp"), bytes("add rsp, 8"));
    assert_eq!(
        att("movzbl (%rax), %eax"),
        bytes("movzx eax, byte ptr [rax]")
    );
    assert_eq!(att("movslq %eax, %rax"), bytes("movsxd rax, eax"));
    assert_eq!(att("cltq"), bytes("cdqe"));
    assert_eq!(att("cqto"), bytes("cqo"));
    assert_eq!(att("incl (%rax)"), bytes("inc dword ptr [rax]"));
    assert_eq!(att("flds (%rax)"), bytes("fld dword ptr [rax]"));
    assert_eq!(att("fildll (%rax)"), bytes("fild qword ptr [rax]"));
    assert_eq!(att("inb %dx, %al"), bytes("in al, dx"));
    assert_eq!(att("outb %al, $0x80"), bytes("out 0x80, al"));
    assert_eq!(att("call *%rax"), bytes("call rax"));
    assert_eq!(att("jmp *(%rax)"), bytes("jmp qword ptr [rax]"));
    assert_eq!(att("lretq"), bytes("retfq"));
    assert_eq!(
        att("movq %fs:0x28, %rax"),
        bytes("mov rax, qword ptr fs:[0x28]")
    );
    assert_eq!(att("leaq foo(%rip), %rax"), bytes("lea rax, [rip + foo]"));
    assert_eq!(
        att("movl 8(%rax,%rbx,4), %ecx"),
        bytes("mov ecx, dword ptr [rax + rbx*4 + 8]")
    );
    assert_eq!(att("fsub %st, %st(1)"), bytes("fsubr st(1), st"));
    assert!(
        err_in("incq", Syntax::Att, Mode::Bits64)
            .message
            .contains("operand")
    );
    assert_eq!(
        err_in("int $$0x80", Syntax::Att, Mode::Bits64)
            .help
            .as_deref(),
        Some("write `$0x80`")
    );
    assert!(
        err_in("inc (%rax)", Syntax::Att, Mode::Bits64)
            .message
            .contains("ambiguous operand size")
    );
}

// ---- operands ----

#[test]
fn memory_operands() {
    for (size, m) in [
        ("byte", Code::Inc_rm8),
        ("word", Code::Inc_rm16),
        ("dword", Code::Inc_rm32),
        ("qword", Code::Inc_rm64),
    ] {
        assert_eq!(codes(&ok(&format!("inc {size} ptr [rax]"))), vec![m]);
    }
    assert_eq!(codes(&ok("fld tbyte ptr [rax]")), vec![Code::Fld_m80fp]);
    assert_eq!(
        codes(&ok("movaps xmm0, xmmword ptr [rax]")),
        vec![Code::Movaps_xmm_xmmm128]
    );
    assert_eq!(
        codes(&ok("vmovaps ymm0, ymmword ptr [rax]")),
        vec![Code::VEX_Vmovaps_ymm_ymmm256]
    );
    assert_eq!(
        codes(&ok("vmovaps zmm0, zmmword ptr [rax]")),
        vec![Code::EVEX_Vmovaps_zmm_k1z_zmmm512]
    );
    let i = ok("mov eax, dword ptr fs:[rbx + rcx*8 - 16]")
        .instructions()
        .next()
        .unwrap()
        .instruction;
    assert_eq!(
        (
            i.segment_prefix(),
            i.memory_base(),
            i.memory_index(),
            i.memory_index_scale(),
            i.memory_displacement64() as i64
        ),
        (Register::FS, Register::RBX, Register::RCX, 8, -16)
    );
    let p = ok("mov rax, qword ptr [rip + foo@GOTPCREL]");
    let r = &p.instructions().next().unwrap().symbol_refs[0];
    assert_eq!(
        (r.name.as_str(), r.reloc.as_deref(), r.rip_relative),
        ("foo", Some("GOTPCREL"), true)
    );
    let p = ok("mov eax, offset foo");
    assert!(p.instructions().next().unwrap().symbol_refs[0].immediate);
    // x86-64 relocations carry the addend (RELA): the field is 0, as in LLVM's output.
    let p = ok("mov rax, offset foo + 8");
    let i = p.instructions().next().unwrap();
    assert_eq!(
        (i.symbol_refs[0].addend, i.instruction.immediate(1)),
        (8, 0)
    );
    let p = ok_in("mov eax, offset foo + 8", Syntax::Intel, Mode::Bits32);
    assert_eq!(
        p.instructions().next().unwrap().instruction.immediate(1),
        8,
        "i386 REL keeps the addend in place"
    );
    // `[rsp]` needs a SIB byte, `[rbp]` a zero displacement.
    assert_eq!(bytes("mov eax, [rsp]"), vec![0x8b, 0x04, 0x24]);
    assert_eq!(bytes("mov eax, [rbp]"), vec![0x8b, 0x45, 0x00]);
    assert_eq!(bytes("mov eax, [rax + 8]"), vec![0x8b, 0x40, 0x08]);
    assert_eq!(bytes("mov eax, 8[rax]"), vec![0x8b, 0x40, 0x08]);
    assert!(
        err("mov [rax], 1")
            .message
            .contains("ambiguous operand size")
    );
    assert!(err("mov eax, [rax + rbx*3]").message.contains("scale"));
}

#[test]
fn immediates() {
    for (text, v) in [
        ("10", 10u8),
        ("0x10", 16),
        ("0b101", 5),
        ("2 + 3 * 4", 14),
        ("(1 << 4) | 1", 17),
        ("'a'", 97),
        ("$0x10", 16),
        ("$$0x10", 16),
        ("-1 & 0x7f", 0x7f),
        ("~0 & 3", 3),
    ] {
        let b = bytes(&format!("mov al, {text}"));
        assert_eq!(b, vec![0xb0, v], "{text}");
    }
    assert_eq!(bytes("add rsp, -8"), vec![0x48, 0x83, 0xc4, 0xf8]);
    assert_eq!(bytes("int $$0x80"), vec![0xcd, 0x80]);
    assert!(err("mov eax, 0FFh").help.unwrap().contains("0x0FF"));
    assert!(err("mov al, 1 / 0").message.contains("division by zero"));
}

#[test]
fn avx512_decorators() {
    let i = ok("vaddps zmm0 {k1} {z}, zmm1, dword ptr [rax] {1to16}")
        .instructions()
        .next()
        .unwrap()
        .instruction;
    assert_eq!(
        (i.op_mask(), i.zeroing_masking(), i.is_broadcast()),
        (Register::K1, true, true)
    );
    let i = ok("vaddps zmm0, zmm1, zmm2, {rz-sae}")
        .instructions()
        .next()
        .unwrap()
        .instruction;
    assert_eq!(
        i.rounding_control(),
        iced_x86::RoundingControl::RoundTowardZero
    );
    let i = ok("vcmpps k1, zmm1, zmm2, {sae}, 1")
        .instructions()
        .next()
        .unwrap()
        .instruction;
    assert!(i.suppress_all_exceptions());
    let i = ok_in(
        "vaddps {rn-sae}, %zmm2, %zmm1, %zmm0 {%k2}",
        Syntax::Att,
        Mode::Bits64,
    )
    .instructions()
    .next()
    .unwrap()
    .instruction;
    assert_eq!(
        (i.rounding_control(), i.op_mask()),
        (iced_x86::RoundingControl::RoundToNearest, Register::K2)
    );
    assert!(err("vaddps zmm0 {k0}, zmm1, zmm2").message.contains("k0"));
}

// ---- system instructions ----

#[test]
fn system_instructions() {
    for (src, code) in [
        ("in al, dx", Code::In_AL_DX),
        ("out dx, al", Code::Out_DX_AL),
        ("in eax, 0x60", Code::In_EAX_imm8),
        ("cli", Code::Cli),
        ("hlt", Code::Hlt),
        ("wrmsr", Code::Wrmsr),
        ("lgdt [rax]", Code::Lgdt_m1664),
        ("lidt [rax]", Code::Lidt_m1664),
        ("mov cr3, rax", Code::Mov_cr_r64),
        ("swapgs", Code::Swapgs),
        ("iretq", Code::Iretq),
        ("sysretq", Code::Sysretq),
        ("retfq", Code::Retfq),
        ("syscall", Code::Syscall),
        ("int 0x80", Code::Int_imm8),
        ("xsave [rax]", Code::Xsave_mem),
        ("vmcall", Code::Vmcall),
        ("invlpg [rax]", Code::Invlpg_m),
        ("fclex", Code::Fclex),
    ] {
        assert_eq!(codes(&ok(src)), vec![code], "{src}");
    }
    // `fclex` is `wait; fnclex`: one instruction at the right address and length.
    let p = ok("nop; fclex");
    let i = p.instructions().nth(1).unwrap().instruction;
    assert_eq!((i.ip(), i.len(), i.next_ip()), (1, 3, 4));
    // LLVM encodes `ltr ax` without 66h; only the low 16 bits are read.
    assert_eq!(bytes("ltr ax"), vec![0x0f, 0x00, 0xd8]);
    assert_eq!(
        ok("ltr ax")
            .instructions()
            .next()
            .unwrap()
            .instruction
            .mnemonic(),
        Mnemonic::Ltr
    );
    assert_eq!(
        codes(&ok_in("int $0x80", Syntax::Att, Mode::Bits32)),
        vec![Code::Int_imm8]
    );
    assert_eq!(
        codes(&ok_in("inb %dx, %al", Syntax::Att, Mode::Bits32)),
        vec![Code::In_AL_DX]
    );
}

#[test]
fn modes() {
    assert!(
        err_in("mov rax, 1", Syntax::Intel, Mode::Bits32)
            .message
            .contains("`rax` is not available in 32-bit mode")
    );
    assert!(
        err_in("swapgs", Syntax::Intel, Mode::Bits32)
            .message
            .contains("not available in 32-bit mode")
    );
    let p = ok(".code32; mov eax, 1; .code64; mov rax, 1");
    let modes: Vec<Mode> = p.instructions().map(|i| i.mode).collect();
    assert_eq!(modes, vec![Mode::Bits32, Mode::Bits64]);
    assert_eq!(bytes("push 1000"), vec![0x68, 0xe8, 0x03, 0, 0]);
}

// ---- directives ----

#[test]
fn data_directives() {
    assert_eq!(bytes(".byte 1, 2, 0xff"), vec![1, 2, 0xff]);
    assert_eq!(bytes(".word 0x1234"), vec![0x34, 0x12]);
    assert_eq!(bytes(".short 1"), vec![1, 0]);
    assert_eq!(bytes(".long 1"), vec![1, 0, 0, 0]);
    assert_eq!(bytes(".int 1"), vec![1, 0, 0, 0]);
    assert_eq!(bytes(".quad -1"), vec![0xff; 8]);
    assert_eq!(bytes(".ascii \"ab\\n\""), vec![b'a', b'b', b'\n']);
    assert_eq!(bytes(".asciz \"a\""), vec![b'a', 0]);
    assert_eq!(bytes(".string \"a\""), vec![b'a', 0]);
    assert_eq!(bytes(".zero 3"), vec![0; 3]);
    assert_eq!(bytes(".nops 3"), vec![0x0f, 0x1f, 0x00]);
    // Bytes that form instructions are decoded (`.byte 0x0f, 0x0b` is `ud2`).
    let p = ok(".byte 0x0f, 0x0b");
    let StmtKind::Data(d) = &p.stmts[0].kind else {
        panic!()
    };
    assert_eq!(
        d.decoded.iter().map(|i| i.code()).collect::<Vec<_>>(),
        vec![Code::Ud2]
    );
    assert!(err(".byte 256").message.contains("does not fit"));
    // An instruction spelled across data statements is decoded from the run.
    let p = ok(".byte 0x0f; .byte 0x0b; nop");
    let decoded: Vec<usize> = p
        .stmts
        .iter()
        .filter_map(|s| {
            if let StmtKind::Data(d) = &s.kind {
                Some(d.decoded.len())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(decoded, vec![1, 0]);
}

#[test]
fn alignment_directives() {
    // Padding in code is long NOPs (0F 1F 00 is a 3-byte NOP).
    assert_eq!(
        bytes("nop; .p2align 2; nop"),
        vec![0x90, 0x0f, 0x1f, 0x00, 0x90]
    );
    assert_eq!(bytes("nop; .balign 4; nop").len(), 5);
    assert_eq!(bytes("nop; .align 8; nop").len(), 9);
    assert_eq!(
        bytes("nop; .p2align 2, 0xcc; nop"),
        vec![0x90, 0xcc, 0xcc, 0xcc, 0x90]
    );
    assert!(err(".balign 3").message.contains("power of 2"));
}

#[test]
fn section_and_symbol_directives() {
    let p = ok(".pushsection .rodata; 1: .byte 1; .popsection; lea rax, [rip + 1b]");
    assert_eq!(p.stmts.iter().filter(|s| s.section != 0).count(), 3);
    let lea = p.instructions().next().unwrap();
    assert_eq!(lea.symbol_refs[0].local_label, Some(1));
    assert!(
        matches!(p.stmts[0].kind, StmtKind::Directive(ref d) if d.kind == DirectiveKind::PushSection(".rodata".into()))
    );
    ok(".section .text.foo, \"ax\", @progbits; nop; .text; nop; .data; .byte 1; .previous");
    ok(
        ".global foo; .globl bar; .weak baz; .hidden foo; .type foo, @function; .size foo, 4; .local q",
    );
    ok(".cfi_startproc; .cfi_def_cfa_offset 16; .cfi_endproc");
    assert_eq!(bytes(".set X, 5; mov eax, X"), bytes("mov eax, 5"));
    assert_eq!(bytes(".equ Y, 7; mov eax, Y + 1"), bytes("mov eax, 8"));
    assert!(err(".popsection").message.contains("without a matching"));
}

#[test]
fn syntax_and_mode_directives() {
    assert_eq!(
        bytes(".att_syntax; movl $1, %eax; .intel_syntax noprefix; mov eax, 2").len(),
        10
    );
    assert_eq!(bytes(".att_syntax prefix; ret"), vec![0xc3]);
    assert!(err(".intel_syntax prefix").help.is_some());
    assert_eq!(codes(&ok(".code16; mov ax, 1")), vec![Code::Mov_r16_imm16]);
}

#[test]
fn unsupported_directives_are_refused_clearly() {
    for d in [
        ".macro m",
        ".endm",
        ".rept 3",
        ".endr",
        ".irp x, 1, 2",
        ".incbin \"f\"",
        ".include \"f\"",
        ".if 1",
        ".ifdef X",
        ".endif",
        ".fill 3",
    ] {
        let e = err(d);
        assert!(
            e.message.contains("not supported by checked-asm"),
            "{d}: {}",
            e.message
        );
        assert!(e.help.is_some(), "{d}");
    }
    assert!(err(".bogus").message.contains("unknown directive `.bogus`"));
}

#[test]
fn ins_and_outs_leave_their_operands_out_as_llvm_does() {
    use checked_asm_engine::x86::asm::{Mode, Syntax, assemble};
    // llvm-mc-22: `outsb` → 6e, `rep insd` → f3 6d, `insb` → 6c.
    for (src, bytes) in [
        ("outsb", vec![0x6e]),
        ("rep insd", vec![0xf3, 0x6d]),
        ("insb", vec![0x6c]),
    ] {
        let p =
            assemble(src, Syntax::Intel, Mode::Bits64).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        assert_eq!(p.text_bytes(), bytes, "{src}");
    }
    // The port is implicit only for the string forms: `in al` still needs `dx`.
    assert!(assemble("in al", Syntax::Intel, Mode::Bits64).is_err());
}

/// The encodings chosen for statements seen before (a per-thread cache) must be what
/// assembling them afresh gives, operand ranges included, wherever they now stand. A new
/// thread starts with an empty cache.
#[test]
fn reused_selections_are_what_assembling_again_gives() {
    let warm = "mov rax, qword ptr [rdi + 8]\nlock xadd qword ptr [rsi], rcx\nvaddps ymm0, ymm1, ymm2\n\
                add qword ptr [rdi], 1\nmov eax, k";
    let block = "  nop\n2: lock xadd qword ptr [rsi], rcx ; mov rax, qword ptr [rdi + 8]\n\
                 jnz 2b\nrep stosb\nlock\nadd qword ptr [rdi], 1\nvaddps ymm0, ymm1, ymm2\n.set k, 4\nmov eax, k";
    let fresh = |src: &'static str, syntax| {
        std::thread::spawn(move || format!("{:?}", assemble(src, syntax, Mode::Bits64)))
            .join()
            .expect("assembles")
    };
    for (src, syntax) in [(warm, Syntax::Intel), (block, Syntax::Intel)] {
        let _ = assemble(src, syntax, Mode::Bits64);
    }
    let again = format!("{:?}", assemble(block, Syntax::Intel, Mode::Bits64));
    assert!(again.starts_with("Ok("), "{again}");
    assert_eq!(again, fresh(block, Syntax::Intel));
    // Statements with symbols (branch targets, `call`, rip-relative and immediate
    // symbols) are kept too: seen first at one place, then elsewhere, where the
    // targets are other labels at other distances (short, then near) or undefined, so
    // that the error must quote the label where it now stands.
    let first = "jnz 2f\n2: call foo\njmp 3f\n3: lea rax, [rip + bar]\nmov eax, offset bar";
    let moved = "nop\n3: nop\n2:\n  mov eax, offset bar ; jmp 3b\n.fill 200, 1, 0x90\n\
                 jnz 2f\nlea rax, [rip + bar]\n  call foo\n2: jmp 3f\n3:";
    let undefined = "nop\nnop\n   jnz 2f";
    let _ = assemble(first, Syntax::Intel, Mode::Bits64);
    for src in [moved, undefined] {
        let again = format!("{:?}", assemble(src, Syntax::Intel, Mode::Bits64));
        assert_eq!(again, fresh(src, Syntax::Intel), "{src}");
    }
    let error = format!("{:?}", assemble(undefined, Syntax::Intel, Mode::Bits64));
    assert!(
        error.starts_with("Err(") && error.contains("15..17"),
        "{error}"
    );
    // The same text in the other syntax or mode is not the same statement.
    assert_eq!(
        format!(
            "{:?}",
            assemble("movl %eax, %ecx", Syntax::Att, Mode::Bits32)
        ),
        std::thread::spawn(|| format!(
            "{:?}",
            assemble("movl %eax, %ecx", Syntax::Att, Mode::Bits32)
        ))
        .join()
        .expect("assembles")
    );
    assert!(assemble("movl %eax, %ecx", Syntax::Intel, Mode::Bits64).is_err());
}
