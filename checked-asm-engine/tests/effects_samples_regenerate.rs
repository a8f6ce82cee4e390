//! Regenerates `tests/data/effects_samples.txt`, one decodable encoding per (Code,
//! bitness), by sweeping the opcode maps through iced's decoder. Slow in debug builds:
//! `cargo test -p checked-asm-engine --release --test effects_samples_regenerate -- --ignored`.
//! Prefers the shortest encoding; `int imm8` is pinned to `int 0x80` so that the coverage
//! test exercises the kernel table. Codes the decoder never produces (the `fwait` forms,
//! Knights Corner) are built by hand in `effects_coverage.rs`.

use iced_x86::{Code, Decoder, DecoderOptions};
use std::collections::BTreeMap;

type Found = BTreeMap<(u32, Code), (u32, Vec<u8>)>;

fn record(found: &mut Found, bitness: u32, options: u32, bytes: &[u8]) {
    let mut d = Decoder::new(bitness, bytes, options);
    let i = d.decode();
    if i.code() == Code::INVALID {
        return;
    }
    let enc = bytes[..i.len()].to_vec();
    let e = found
        .entry((bitness, i.code()))
        .or_insert_with(|| (options, enc.clone()));
    if enc.len() < e.1.len() {
        *e = (options, enc);
    }
}

fn sweep(found: &mut Found, bitness: u32, options: u32) {
    let full: Vec<u8> = (0..=255).collect();
    let small: Vec<u8> = (0..8u8)
        .flat_map(|r| {
            [
                r << 3,
                0xC1 | (r << 3),
                (r << 3) | 4,
                0x40 | (r << 3),
                (r << 3) | 5,
            ]
        })
        .collect();
    let mut prefixes: Vec<Vec<u8>> = vec![
        vec![],
        vec![0x66],
        vec![0xF2],
        vec![0xF3],
        vec![0x67],
        vec![0x66, 0x67],
        vec![0x9B],
        vec![0x66, 0xF2],
        vec![0x66, 0xF3],
        vec![0xF0],
        vec![0xF3, 0x67],
        vec![0xF2, 0x67],
    ];
    if bitness == 64 {
        for p in [
            [0x48].as_slice(),
            &[0x66, 0x48],
            &[0xF2, 0x48],
            &[0xF3, 0x48],
            &[0x67, 0x48],
            &[0x41],
            &[0xF0, 0x48],
        ] {
            prefixes.push(p.to_vec());
        }
    }
    let maps: [&[u8]; 4] = [&[], &[0x0F], &[0x0F, 0x38], &[0x0F, 0x3A]];
    for p in &prefixes {
        for m in maps {
            for op in 0..=255u8 {
                for &modrm in &full {
                    let mut b = p.clone();
                    b.extend_from_slice(m);
                    b.extend_from_slice(&[op, modrm]);
                    b.extend_from_slice(&[0; 10]);
                    record(found, bitness, options, &b);
                }
            }
        }
    }
    // 3DNow!: 0F 0F modrm [sib] [disp] imm8-opcode
    for &modrm in &small {
        for imm in 0..=255u8 {
            let extra = match (modrm >> 6, modrm & 7) {
                (3, _) => 0,
                (0, 4) => 1,
                (1, 4) => 2,
                (0, 5) => 4,
                (1, _) => 1,
                _ => 0,
            };
            let mut b = vec![0x0F, 0x0F, modrm];
            b.extend(std::iter::repeat_n(0, extra));
            b.push(imm);
            record(found, bitness, options, &b);
        }
    }
    if options == DecoderOptions::KNC {
        sweep_mvex(found, bitness);
        return;
    }
    if options != DecoderOptions::NONE {
        return;
    }
    // VEX (C4), XOP (8F), EVEX (62)
    for (lead, maps, pps) in [
        (0xC4u8, &[1u8, 2, 3, 5, 6, 7][..], 4u8),
        (0x8F, &[8, 9, 10][..], 1),
    ] {
        for &map in maps {
            for w in 0..2u8 {
                for l in 0..2u8 {
                    for pp in 0..pps {
                        for vvvv in [0xFu8, 0xE] {
                            for op in 0..=255u8 {
                                for &modrm in &full {
                                    let mut b = vec![
                                        lead,
                                        0xE0 | map,
                                        (w << 7) | (vvvv << 3) | (l << 2) | pp,
                                        op,
                                        modrm,
                                    ];
                                    b.extend_from_slice(&[0; 10]);
                                    record(found, bitness, options, &b);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    for map in [1u8, 2, 3, 5, 6] {
        for w in 0..2u8 {
            for pp in 0..4u8 {
                for ll in 0..4u8 {
                    for bb in 0..2u8 {
                        for aaa in 0..2u8 {
                            for op in 0..=255u8 {
                                for &modrm in &small {
                                    let p1 = (w << 7) | (0xF << 3) | 4 | pp;
                                    let p2 = (ll << 5) | (bb << 4) | 0x08 | aaa;
                                    let mut b = vec![0x62, 0xF0 | map, p1, p2, op, modrm];
                                    b.extend_from_slice(&[0; 10]);
                                    record(found, bitness, options, &b);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Knights Corner MVEX: 62 P0 P1 P2 with P1 bit 2 clear (64-bit mode, `DecoderOptions::KNC`).
fn sweep_mvex(found: &mut Found, bitness: u32) {
    if bitness != 64 {
        return;
    }
    let small: Vec<u8> = (0..8u8)
        .flat_map(|r| [r << 3, 0xC1 | (r << 3), (r << 3) | 4])
        .collect();
    for map in [1u8, 2, 3] {
        for w in 0..2u8 {
            for pp in 0..4u8 {
                for e in 0..2u8 {
                    for sss in 0..8u8 {
                        for aaa in 0..2u8 {
                            for op in 0..=255u8 {
                                for &modrm in &small {
                                    let p1 = (w << 7) | (0xF << 3) | pp;
                                    let p2 = (e << 7) | (sss << 4) | 0x08 | aaa;
                                    let mut b = vec![0x62, 0xF0 | map, p1, p2, op, modrm];
                                    b.extend_from_slice(&[0; 10]);
                                    record(found, bitness, DecoderOptions::KNC, &b);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // KNC VEX: jkzd/jknzd k, rel8 (map 0), delay/spflt r (0F AE /6, mod 3), kextract…
    let modrms: Vec<u8> = std::iter::once(0u8)
        .chain((0..8u8).map(|r| 0xC0 | (r << 3)))
        .collect();
    for b2 in 0..=255u8 {
        for op in 0..=255u8 {
            for &modrm in &modrms {
                record(
                    found,
                    bitness,
                    DecoderOptions::KNC,
                    &[0xC5, b2, op, modrm, 0, 0, 0, 0, 0, 0],
                );
                for b1 in [0xE0u8, 0xE1, 0xE2, 0xE3] {
                    record(
                        found,
                        bitness,
                        DecoderOptions::KNC,
                        &[0xC4, b1, b2, op, modrm, 0, 0, 0, 0, 0, 0],
                    );
                }
            }
        }
    }
}

#[test]
#[ignore = "slow: sweeps the opcode space; run with --release"]
fn regenerate_samples() {
    let mut options: Vec<u32> = vec![
        DecoderOptions::NONE,
        DecoderOptions::AMD,
        DecoderOptions::KNC,
    ];
    for c in Code::values() {
        let o = c.op_code().decoder_option();
        if !options.contains(&o) {
            options.push(o);
        }
    }
    let mut found = Found::new();
    for bitness in [64u32, 32] {
        for &o in &options {
            sweep(&mut found, bitness, o);
        }
        found.insert((bitness, Code::Int_imm8), (0, vec![0xCD, 0x80]));
    }
    let mut out = String::from(
        "# One decodable encoding per (Code, bitness) for tests/effects_coverage.rs.\n\
         # Columns: Code, bitness, iced DecoderOptions (hex), instruction bytes (hex).\n\
         # Generated by tests/effects_samples_regenerate.rs; `int imm8` is pinned to `int 0x80`.\n",
    );
    let mut rows: Vec<String> = found
        .iter()
        .map(|((bits, code), (o, bytes))| {
            let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
            format!("{code:?} {bits} {o:X} {hex}")
        })
        .collect();
    rows.sort();
    out.push_str(&rows.join("\n"));
    out.push('\n');
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/effects_samples.txt"
    );
    std::fs::write(path, out).unwrap();
}
