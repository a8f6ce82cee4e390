//! MXCSR effects.
//!
//! Intel SDM Vol. 1 §10.2.3.1 (MXCSR exception flags) and §11.5 (SIMD floating-point
//! exceptions); each instruction page's "SIMD Floating-Point Exceptions" section (Vol. 2).
//! The exception flags (IE DE ZE OE UE PE) are sticky: any instruction that can raise a
//! SIMD floating-point exception may set them, masked or not. Moves, shuffles, blends,
//! broadcasts, permutes, logic (`andps`, `xorps`), integer SIMD, AES/SHA/GFNI/SM3/SM4,
//! `fpclass`, `rcp*`/`rsqrt*` (except AVX-512ER's `*28`) raise none ("SIMD Floating-Point
//! Exceptions: None"). EVEX `{sae}` and embedded rounding (which implies SAE) suppress all
//! of them (SDM Vol. 1 §15.6.4; Vol. 2 §2.7.5). AMX tile arithmetic neither consults nor
//! updates MXCSR (Intel ISA Extensions Reference, AMX chapter).
//!
//! The two lists below cover every iced mnemonic with an xmm/ymm/zmm operand (checked by
//! `tests/effects_tables.rs`). Conversions are listed as raising except the exact
//! int32→double ones whose pages say "SIMD Floating-Point Exceptions: None" (`cvtdq2pd`,
//! `cvtpi2pd`, `vcvtudq2pd`); the other exact-in-some-forms conversions (`cvtsi2sd` from a
//! 32-bit register, bf16→fp32) stay listed as raising, which is conservative. A vector instruction whose mnemonic is in neither
//! list is modelled as raising, under `Category::UnlistedSimd`.

use super::MnemonicSet;
use crate::x86::effects::types::{Category, Effects, State};
use iced_x86::{Code, Instruction, Mnemonic, OpKind, RoundingControl};
use std::sync::OnceLock;

use Mnemonic as M;

/// Vector instructions that may set MXCSR exception flags.
///
/// The two lists are built at run time, on first use, rather than written as statics:
/// rustc's validation of the enum values in a static is slow for an enum of iced's size
/// (1,800 `Mnemonic`s), and as statics these two lists cost 0.6 s of each build of this
/// crate (`-Z self-profile`'s `eval_static_initializer`).
#[rustfmt::skip]
pub fn raising_mnemonics() -> &'static [Mnemonic] {
    static LIST: OnceLock<Vec<Mnemonic>> = OnceLock::new();
    LIST.get_or_init(|| vec![
    M::Addpd, M::Addps, M::Addsd, M::Addss, M::Addsubpd, M::Addsubps, M::Cmppd, M::Cmpps, M::Cmpsd,
    M::Cmpss, M::Comisd, M::Comiss, M::Cvtdq2ps, M::Cvtpd2dq, M::Cvtpd2pi, M::Cvtpd2ps,
    M::Cvtpi2ps, M::Cvtps2dq, M::Cvtps2pd, M::Cvtps2pi, M::Cvtsd2si, M::Cvtsd2ss, M::Cvtsi2sd,
    M::Cvtsi2ss, M::Cvtss2sd, M::Cvtss2si, M::Cvttpd2dq, M::Cvttpd2pi, M::Cvttps2dq, M::Cvttps2pi,
    M::Cvttsd2si, M::Cvttss2si, M::Divpd, M::Divps, M::Divsd, M::Divss, M::Dppd, M::Dpps,
    M::Haddpd, M::Haddps, M::Hsubpd, M::Hsubps, M::Maxpd, M::Maxps, M::Maxsd, M::Maxss, M::Minpd,
    M::Minps, M::Minsd, M::Minss, M::Mulpd, M::Mulps, M::Mulsd, M::Mulss, M::Roundpd, M::Roundps,
    M::Roundsd, M::Roundss, M::Sqrtpd, M::Sqrtps, M::Sqrtsd, M::Sqrtss, M::Subpd, M::Subps,
    M::Subsd, M::Subss, M::Ucomisd, M::Ucomiss, M::V4fmaddps, M::V4fmaddss, M::V4fnmaddps,
    M::V4fnmaddss, M::Vaddpd, M::Vaddph, M::Vaddps, M::Vaddsd, M::Vaddsh, M::Vaddss, M::Vaddsubpd,
    M::Vaddsubps, M::Vbcstnebf162ps, M::Vbcstnesh2ps, M::Vcmppd, M::Vcmpph, M::Vcmpps, M::Vcmpsd,
    M::Vcmpsh, M::Vcmpss, M::Vcomisd, M::Vcomish, M::Vcomiss, M::Vcvtdq2ph, M::Vcvtdq2ps,
    M::Vcvtne2ps2bf16, M::Vcvtneebf162ps, M::Vcvtneeph2ps, M::Vcvtneobf162ps, M::Vcvtneoph2ps,
    M::Vcvtneps2bf16, M::Vcvtpd2dq, M::Vcvtpd2ph, M::Vcvtpd2ps, M::Vcvtpd2qq, M::Vcvtpd2udq,
    M::Vcvtpd2uqq, M::Vcvtph2dq, M::Vcvtph2pd, M::Vcvtph2ps, M::Vcvtph2psx, M::Vcvtph2qq,
    M::Vcvtph2udq, M::Vcvtph2uqq, M::Vcvtph2uw, M::Vcvtph2w, M::Vcvtps2dq, M::Vcvtps2pd,
    M::Vcvtps2ph, M::Vcvtps2phx, M::Vcvtps2qq, M::Vcvtps2udq, M::Vcvtps2uqq, M::Vcvtqq2pd,
    M::Vcvtqq2ph, M::Vcvtqq2ps, M::Vcvtsd2sh, M::Vcvtsd2si, M::Vcvtsd2ss, M::Vcvtsd2usi,
    M::Vcvtsh2sd, M::Vcvtsh2si, M::Vcvtsh2ss, M::Vcvtsh2usi, M::Vcvtsi2sd, M::Vcvtsi2sh,
    M::Vcvtsi2ss, M::Vcvtss2sd, M::Vcvtss2sh, M::Vcvtss2si, M::Vcvtss2usi, M::Vcvttpd2dq,
    M::Vcvttpd2qq, M::Vcvttpd2udq, M::Vcvttpd2uqq, M::Vcvttph2dq, M::Vcvttph2qq, M::Vcvttph2udq,
    M::Vcvttph2uqq, M::Vcvttph2uw, M::Vcvttph2w, M::Vcvttps2dq, M::Vcvttps2qq, M::Vcvttps2udq,
    M::Vcvttps2uqq, M::Vcvttsd2si, M::Vcvttsd2usi, M::Vcvttsh2si, M::Vcvttsh2usi, M::Vcvttss2si,
    M::Vcvttss2usi, M::Vcvtudq2ph, M::Vcvtudq2ps, M::Vcvtuqq2pd, M::Vcvtuqq2ph, M::Vcvtuqq2ps,
    M::Vcvtusi2sd, M::Vcvtusi2sh, M::Vcvtusi2ss, M::Vcvtuw2ph, M::Vcvtw2ph, M::Vdivpd, M::Vdivph,
    M::Vdivps, M::Vdivsd, M::Vdivsh, M::Vdivss, M::Vdpbf16ps, M::Vdppd, M::Vdpps, M::Vexp2pd,
    M::Vexp2ps, M::Vfcmaddcph, M::Vfcmaddcsh, M::Vfcmulcph, M::Vfcmulcsh, M::Vfixupimmpd,
    M::Vfixupimmps, M::Vfixupimmsd, M::Vfixupimmss, M::Vfmadd132pd, M::Vfmadd132ph, M::Vfmadd132ps,
    M::Vfmadd132sd, M::Vfmadd132sh, M::Vfmadd132ss, M::Vfmadd213pd, M::Vfmadd213ph, M::Vfmadd213ps,
    M::Vfmadd213sd, M::Vfmadd213sh, M::Vfmadd213ss, M::Vfmadd231pd, M::Vfmadd231ph, M::Vfmadd231ps,
    M::Vfmadd231sd, M::Vfmadd231sh, M::Vfmadd231ss, M::Vfmaddcph, M::Vfmaddcsh, M::Vfmaddpd,
    M::Vfmaddps, M::Vfmaddsd, M::Vfmaddss, M::Vfmaddsub132pd, M::Vfmaddsub132ph, M::Vfmaddsub132ps,
    M::Vfmaddsub213pd, M::Vfmaddsub213ph, M::Vfmaddsub213ps, M::Vfmaddsub231pd, M::Vfmaddsub231ph,
    M::Vfmaddsub231ps, M::Vfmaddsubpd, M::Vfmaddsubps, M::Vfmsub132pd, M::Vfmsub132ph,
    M::Vfmsub132ps, M::Vfmsub132sd, M::Vfmsub132sh, M::Vfmsub132ss, M::Vfmsub213pd, M::Vfmsub213ph,
    M::Vfmsub213ps, M::Vfmsub213sd, M::Vfmsub213sh, M::Vfmsub213ss, M::Vfmsub231pd, M::Vfmsub231ph,
    M::Vfmsub231ps, M::Vfmsub231sd, M::Vfmsub231sh, M::Vfmsub231ss, M::Vfmsubadd132pd,
    M::Vfmsubadd132ph, M::Vfmsubadd132ps, M::Vfmsubadd213pd, M::Vfmsubadd213ph, M::Vfmsubadd213ps,
    M::Vfmsubadd231pd, M::Vfmsubadd231ph, M::Vfmsubadd231ps, M::Vfmsubaddpd, M::Vfmsubaddps,
    M::Vfmsubpd, M::Vfmsubps, M::Vfmsubsd, M::Vfmsubss, M::Vfmulcph, M::Vfmulcsh, M::Vfnmadd132pd,
    M::Vfnmadd132ph, M::Vfnmadd132ps, M::Vfnmadd132sd, M::Vfnmadd132sh, M::Vfnmadd132ss,
    M::Vfnmadd213pd, M::Vfnmadd213ph, M::Vfnmadd213ps, M::Vfnmadd213sd, M::Vfnmadd213sh,
    M::Vfnmadd213ss, M::Vfnmadd231pd, M::Vfnmadd231ph, M::Vfnmadd231ps, M::Vfnmadd231sd,
    M::Vfnmadd231sh, M::Vfnmadd231ss, M::Vfnmaddpd, M::Vfnmaddps, M::Vfnmaddsd, M::Vfnmaddss,
    M::Vfnmsub132pd, M::Vfnmsub132ph, M::Vfnmsub132ps, M::Vfnmsub132sd, M::Vfnmsub132sh,
    M::Vfnmsub132ss, M::Vfnmsub213pd, M::Vfnmsub213ph, M::Vfnmsub213ps, M::Vfnmsub213sd,
    M::Vfnmsub213sh, M::Vfnmsub213ss, M::Vfnmsub231pd, M::Vfnmsub231ph, M::Vfnmsub231ps,
    M::Vfnmsub231sd, M::Vfnmsub231sh, M::Vfnmsub231ss, M::Vfnmsubpd, M::Vfnmsubps, M::Vfnmsubsd,
    M::Vfnmsubss, M::Vfrczpd, M::Vfrczps, M::Vfrczsd, M::Vfrczss, M::Vgetexppd, M::Vgetexpph,
    M::Vgetexpps, M::Vgetexpsd, M::Vgetexpsh, M::Vgetexpss, M::Vgetmantpd, M::Vgetmantph,
    M::Vgetmantps, M::Vgetmantsd, M::Vgetmantsh, M::Vgetmantss, M::Vhaddpd, M::Vhaddps, M::Vhsubpd,
    M::Vhsubps, M::Vmaxpd, M::Vmaxph, M::Vmaxps, M::Vmaxsd, M::Vmaxsh, M::Vmaxss, M::Vminpd,
    M::Vminph, M::Vminps, M::Vminsd, M::Vminsh, M::Vminss, M::Vmulpd, M::Vmulph, M::Vmulps,
    M::Vmulsd, M::Vmulsh, M::Vmulss, M::Vrangepd, M::Vrangeps, M::Vrangesd, M::Vrangess,
    M::Vrcp28pd, M::Vrcp28ps, M::Vrcp28sd, M::Vrcp28ss, M::Vreducepd, M::Vreduceph, M::Vreduceps,
    M::Vreducesd, M::Vreducesh, M::Vreducess, M::Vrndscalepd, M::Vrndscaleph, M::Vrndscaleps,
    M::Vrndscalesd, M::Vrndscalesh, M::Vrndscaless, M::Vroundpd, M::Vroundps, M::Vroundsd,
    M::Vroundss, M::Vrsqrt28pd, M::Vrsqrt28ps, M::Vrsqrt28sd, M::Vrsqrt28ss, M::Vscalefpd,
    M::Vscalefph, M::Vscalefps, M::Vscalefsd, M::Vscalefsh, M::Vscalefss, M::Vsqrtpd, M::Vsqrtph,
    M::Vsqrtps, M::Vsqrtsd, M::Vsqrtsh, M::Vsqrtss, M::Vsubpd, M::Vsubph, M::Vsubps, M::Vsubsd,
    M::Vsubsh, M::Vsubss, M::Vucomisd, M::Vucomish, M::Vucomiss,
    ])
}

/// Vector instructions that never set MXCSR exception flags.
#[rustfmt::skip]
pub fn quiet_mnemonics() -> &'static [Mnemonic] {
    static LIST: OnceLock<Vec<Mnemonic>> = OnceLock::new();
    LIST.get_or_init(|| vec![
    M::Aesdec, M::Aesdec128kl, M::Aesdec256kl, M::Aesdeclast, M::Aesenc, M::Aesenc128kl,
    M::Aesenc256kl, M::Aesenclast, M::Aesimc, M::Aeskeygenassist, M::Andnpd, M::Andnps, M::Andpd,
    M::Andps, M::Blendpd, M::Blendps, M::Blendvpd, M::Blendvps, M::Cvtdq2pd, M::Cvtpi2pd,
    M::Extractps, M::Extrq, M::Gf2p8affineinvqb, M::Gf2p8affineqb, M::Gf2p8mulb, M::Insertps,
    M::Insertq, M::Lddqu, M::Loadiwkey, M::Maskmovdqu, M::Movapd, M::Movaps, M::Movd, M::Movddup,
    M::Movdq2q, M::Movdqa, M::Movdqu, M::Movhlps, M::Movhpd, M::Movhps, M::Movlhps, M::Movlpd,
    M::Movlps, M::Movmskpd, M::Movmskps, M::Movntdq, M::Movntdqa, M::Movntpd, M::Movntps,
    M::Movntsd, M::Movntss, M::Movq, M::Movq2dq, M::Movsd, M::Movshdup, M::Movsldup, M::Movss,
    M::Movupd, M::Movups, M::Mpsadbw, M::Orpd, M::Orps, M::Pabsb, M::Pabsd, M::Pabsw, M::Packssdw,
    M::Packsswb, M::Packusdw, M::Packuswb, M::Paddb, M::Paddd, M::Paddq, M::Paddsb, M::Paddsw,
    M::Paddusb, M::Paddusw, M::Paddw, M::Palignr, M::Pand, M::Pandn, M::Pavgb, M::Pavgw,
    M::Pblendvb, M::Pblendw, M::Pclmulqdq, M::Pcmpeqb, M::Pcmpeqd, M::Pcmpeqq, M::Pcmpeqw,
    M::Pcmpestri, M::Pcmpestri64, M::Pcmpestrm, M::Pcmpestrm64, M::Pcmpgtb, M::Pcmpgtd, M::Pcmpgtq,
    M::Pcmpgtw, M::Pcmpistri, M::Pcmpistrm, M::Pextrb, M::Pextrd, M::Pextrq, M::Pextrw, M::Phaddd,
    M::Phaddsw, M::Phaddw, M::Phminposuw, M::Phsubd, M::Phsubsw, M::Phsubw, M::Pinsrb, M::Pinsrd,
    M::Pinsrq, M::Pinsrw, M::Pmaddubsw, M::Pmaddwd, M::Pmaxsb, M::Pmaxsd, M::Pmaxsw, M::Pmaxub,
    M::Pmaxud, M::Pmaxuw, M::Pminsb, M::Pminsd, M::Pminsw, M::Pminub, M::Pminud, M::Pminuw,
    M::Pmovmskb, M::Pmovsxbd, M::Pmovsxbq, M::Pmovsxbw, M::Pmovsxdq, M::Pmovsxwd, M::Pmovsxwq,
    M::Pmovzxbd, M::Pmovzxbq, M::Pmovzxbw, M::Pmovzxdq, M::Pmovzxwd, M::Pmovzxwq, M::Pmuldq,
    M::Pmulhrsw, M::Pmulhuw, M::Pmulhw, M::Pmulld, M::Pmullw, M::Pmuludq, M::Por, M::Psadbw,
    M::Pshufb, M::Pshufd, M::Pshufhw, M::Pshuflw, M::Psignb, M::Psignd, M::Psignw, M::Pslld,
    M::Pslldq, M::Psllq, M::Psllw, M::Psrad, M::Psraw, M::Psrld, M::Psrldq, M::Psrlq, M::Psrlw,
    M::Psubb, M::Psubd, M::Psubq, M::Psubsb, M::Psubsw, M::Psubusb, M::Psubusw, M::Psubw, M::Ptest,
    M::Punpckhbw, M::Punpckhdq, M::Punpckhqdq, M::Punpckhwd, M::Punpcklbw, M::Punpckldq,
    M::Punpcklqdq, M::Punpcklwd, M::Pxor, M::Rcpps, M::Rcpss, M::Rsqrtps, M::Rsqrtss, M::Sha1msg1,
    M::Sha1msg2, M::Sha1nexte, M::Sha1rnds4, M::Sha256msg1, M::Sha256msg2, M::Sha256rnds2,
    M::Shufpd, M::Shufps, M::Unpckhpd, M::Unpckhps, M::Unpcklpd, M::Unpcklps, M::Vaesdec,
    M::Vaesdeclast, M::Vaesenc, M::Vaesenclast, M::Vaesimc, M::Vaeskeygenassist, M::Valignd,
    M::Valignq, M::Vandnpd, M::Vandnps, M::Vandpd, M::Vandps, M::Vblendmpd, M::Vblendmps,
    M::Vblendpd, M::Vblendps, M::Vblendvpd, M::Vblendvps, M::Vbroadcastf128, M::Vbroadcastf32x2,
    M::Vbroadcastf32x4, M::Vbroadcastf32x8, M::Vbroadcastf64x2, M::Vbroadcastf64x4,
    M::Vbroadcasti128, M::Vbroadcasti32x2, M::Vbroadcasti32x4, M::Vbroadcasti32x8,
    M::Vbroadcasti64x2, M::Vbroadcasti64x4, M::Vbroadcastsd, M::Vbroadcastss, M::Vcompresspd,
    M::Vcompressps, M::Vcvtdq2pd, M::Vcvtudq2pd, M::Vdbpsadbw, M::Vexpandpd, M::Vexpandps,
    M::Vextractf128, M::Vextractf32x4, M::Vextractf32x8, M::Vextractf64x2, M::Vextractf64x4,
    M::Vextracti128, M::Vextracti32x4, M::Vextracti32x8, M::Vextracti64x2, M::Vextracti64x4,
    M::Vextractps, M::Vfpclasspd, M::Vfpclassph, M::Vfpclassps, M::Vfpclasssd, M::Vfpclasssh,
    M::Vfpclassss, M::Vgatherdpd, M::Vgatherdps, M::Vgatherqpd, M::Vgatherqps,
    M::Vgf2p8affineinvqb, M::Vgf2p8affineqb, M::Vgf2p8mulb, M::Vinsertf128, M::Vinsertf32x4,
    M::Vinsertf32x8, M::Vinsertf64x2, M::Vinsertf64x4, M::Vinserti128, M::Vinserti32x4,
    M::Vinserti32x8, M::Vinserti64x2, M::Vinserti64x4, M::Vinsertps, M::Vlddqu, M::Vmaskmovdqu,
    M::Vmaskmovpd, M::Vmaskmovps, M::Vmovapd, M::Vmovaps, M::Vmovd, M::Vmovddup, M::Vmovdqa,
    M::Vmovdqa32, M::Vmovdqa64, M::Vmovdqu, M::Vmovdqu16, M::Vmovdqu32, M::Vmovdqu64, M::Vmovdqu8,
    M::Vmovhlps, M::Vmovhpd, M::Vmovhps, M::Vmovlhps, M::Vmovlpd, M::Vmovlps, M::Vmovmskpd,
    M::Vmovmskps, M::Vmovntdq, M::Vmovntdqa, M::Vmovntpd, M::Vmovntps, M::Vmovq, M::Vmovsd,
    M::Vmovsh, M::Vmovshdup, M::Vmovsldup, M::Vmovss, M::Vmovupd, M::Vmovups, M::Vmovw,
    M::Vmpsadbw, M::Vorpd, M::Vorps, M::Vp2intersectd, M::Vp2intersectq, M::Vp4dpwssd,
    M::Vp4dpwssds, M::Vpabsb, M::Vpabsd, M::Vpabsq, M::Vpabsw, M::Vpackssdw, M::Vpacksswb,
    M::Vpackusdw, M::Vpackuswb, M::Vpaddb, M::Vpaddd, M::Vpaddq, M::Vpaddsb, M::Vpaddsw,
    M::Vpaddusb, M::Vpaddusw, M::Vpaddw, M::Vpalignr, M::Vpand, M::Vpandd, M::Vpandn, M::Vpandnd,
    M::Vpandnq, M::Vpandq, M::Vpavgb, M::Vpavgw, M::Vpblendd, M::Vpblendmb, M::Vpblendmd,
    M::Vpblendmq, M::Vpblendmw, M::Vpblendvb, M::Vpblendw, M::Vpbroadcastb, M::Vpbroadcastd,
    M::Vpbroadcastmb2q, M::Vpbroadcastmw2d, M::Vpbroadcastq, M::Vpbroadcastw, M::Vpclmulqdq,
    M::Vpcmov, M::Vpcmpb, M::Vpcmpd, M::Vpcmpeqb, M::Vpcmpeqd, M::Vpcmpeqq, M::Vpcmpeqw,
    M::Vpcmpestri, M::Vpcmpestri64, M::Vpcmpestrm, M::Vpcmpestrm64, M::Vpcmpgtb, M::Vpcmpgtd,
    M::Vpcmpgtq, M::Vpcmpgtw, M::Vpcmpistri, M::Vpcmpistrm, M::Vpcmpq, M::Vpcmpub, M::Vpcmpud,
    M::Vpcmpuq, M::Vpcmpuw, M::Vpcmpw, M::Vpcomb, M::Vpcomd, M::Vpcompressb, M::Vpcompressd,
    M::Vpcompressq, M::Vpcompressw, M::Vpcomq, M::Vpcomub, M::Vpcomud, M::Vpcomuq, M::Vpcomuw,
    M::Vpcomw, M::Vpconflictd, M::Vpconflictq, M::Vpdpbssd, M::Vpdpbssds, M::Vpdpbsud,
    M::Vpdpbsuds, M::Vpdpbusd, M::Vpdpbusds, M::Vpdpbuud, M::Vpdpbuuds, M::Vpdpwssd, M::Vpdpwssds,
    M::Vpdpwsud, M::Vpdpwsuds, M::Vpdpwusd, M::Vpdpwusds, M::Vpdpwuud, M::Vpdpwuuds, M::Vperm2f128,
    M::Vperm2i128, M::Vpermb, M::Vpermd, M::Vpermi2b, M::Vpermi2d, M::Vpermi2pd, M::Vpermi2ps,
    M::Vpermi2q, M::Vpermi2w, M::Vpermil2pd, M::Vpermil2ps, M::Vpermilpd, M::Vpermilps, M::Vpermpd,
    M::Vpermps, M::Vpermq, M::Vpermt2b, M::Vpermt2d, M::Vpermt2pd, M::Vpermt2ps, M::Vpermt2q,
    M::Vpermt2w, M::Vpermw, M::Vpexpandb, M::Vpexpandd, M::Vpexpandq, M::Vpexpandw, M::Vpextrb,
    M::Vpextrd, M::Vpextrq, M::Vpextrw, M::Vpgatherdd, M::Vpgatherdq, M::Vpgatherqd, M::Vpgatherqq,
    M::Vphaddbd, M::Vphaddbq, M::Vphaddbw, M::Vphaddd, M::Vphadddq, M::Vphaddsw, M::Vphaddubd,
    M::Vphaddubq, M::Vphaddubw, M::Vphaddudq, M::Vphadduwd, M::Vphadduwq, M::Vphaddw, M::Vphaddwd,
    M::Vphaddwq, M::Vphminposuw, M::Vphsubbw, M::Vphsubd, M::Vphsubdq, M::Vphsubsw, M::Vphsubw,
    M::Vphsubwd, M::Vpinsrb, M::Vpinsrd, M::Vpinsrq, M::Vpinsrw, M::Vplzcntd, M::Vplzcntq,
    M::Vpmacsdd, M::Vpmacsdqh, M::Vpmacsdql, M::Vpmacssdd, M::Vpmacssdqh, M::Vpmacssdql,
    M::Vpmacsswd, M::Vpmacssww, M::Vpmacswd, M::Vpmacsww, M::Vpmadcsswd, M::Vpmadcswd,
    M::Vpmadd52huq, M::Vpmadd52luq, M::Vpmaddubsw, M::Vpmaddwd, M::Vpmaskmovd, M::Vpmaskmovq,
    M::Vpmaxsb, M::Vpmaxsd, M::Vpmaxsq, M::Vpmaxsw, M::Vpmaxub, M::Vpmaxud, M::Vpmaxuq, M::Vpmaxuw,
    M::Vpminsb, M::Vpminsd, M::Vpminsq, M::Vpminsw, M::Vpminub, M::Vpminud, M::Vpminuq, M::Vpminuw,
    M::Vpmovb2m, M::Vpmovd2m, M::Vpmovdb, M::Vpmovdw, M::Vpmovm2b, M::Vpmovm2d, M::Vpmovm2q,
    M::Vpmovm2w, M::Vpmovmskb, M::Vpmovq2m, M::Vpmovqb, M::Vpmovqd, M::Vpmovqw, M::Vpmovsdb,
    M::Vpmovsdw, M::Vpmovsqb, M::Vpmovsqd, M::Vpmovsqw, M::Vpmovswb, M::Vpmovsxbd, M::Vpmovsxbq,
    M::Vpmovsxbw, M::Vpmovsxdq, M::Vpmovsxwd, M::Vpmovsxwq, M::Vpmovusdb, M::Vpmovusdw,
    M::Vpmovusqb, M::Vpmovusqd, M::Vpmovusqw, M::Vpmovuswb, M::Vpmovw2m, M::Vpmovwb, M::Vpmovzxbd,
    M::Vpmovzxbq, M::Vpmovzxbw, M::Vpmovzxdq, M::Vpmovzxwd, M::Vpmovzxwq, M::Vpmuldq, M::Vpmulhrsw,
    M::Vpmulhuw, M::Vpmulhw, M::Vpmulld, M::Vpmullq, M::Vpmullw, M::Vpmultishiftqb, M::Vpmuludq,
    M::Vpopcntb, M::Vpopcntd, M::Vpopcntq, M::Vpopcntw, M::Vpor, M::Vpord, M::Vporq, M::Vpperm,
    M::Vprold, M::Vprolq, M::Vprolvd, M::Vprolvq, M::Vprord, M::Vprorq, M::Vprorvd, M::Vprorvq,
    M::Vprotb, M::Vprotd, M::Vprotq, M::Vprotw, M::Vpsadbw, M::Vpscatterdd, M::Vpscatterdq,
    M::Vpscatterqd, M::Vpscatterqq, M::Vpshab, M::Vpshad, M::Vpshaq, M::Vpshaw, M::Vpshlb,
    M::Vpshld, M::Vpshldd, M::Vpshldq, M::Vpshldvd, M::Vpshldvq, M::Vpshldvw, M::Vpshldw,
    M::Vpshlq, M::Vpshlw, M::Vpshrdd, M::Vpshrdq, M::Vpshrdvd, M::Vpshrdvq, M::Vpshrdvw,
    M::Vpshrdw, M::Vpshufb, M::Vpshufbitqmb, M::Vpshufd, M::Vpshufhw, M::Vpshuflw, M::Vpsignb,
    M::Vpsignd, M::Vpsignw, M::Vpslld, M::Vpslldq, M::Vpsllq, M::Vpsllvd, M::Vpsllvq, M::Vpsllvw,
    M::Vpsllw, M::Vpsrad, M::Vpsraq, M::Vpsravd, M::Vpsravq, M::Vpsravw, M::Vpsraw, M::Vpsrld,
    M::Vpsrldq, M::Vpsrlq, M::Vpsrlvd, M::Vpsrlvq, M::Vpsrlvw, M::Vpsrlw, M::Vpsubb, M::Vpsubd,
    M::Vpsubq, M::Vpsubsb, M::Vpsubsw, M::Vpsubusb, M::Vpsubusw, M::Vpsubw, M::Vpternlogd,
    M::Vpternlogq, M::Vptest, M::Vptestmb, M::Vptestmd, M::Vptestmq, M::Vptestmw, M::Vptestnmb,
    M::Vptestnmd, M::Vptestnmq, M::Vptestnmw, M::Vpunpckhbw, M::Vpunpckhdq, M::Vpunpckhqdq,
    M::Vpunpckhwd, M::Vpunpcklbw, M::Vpunpckldq, M::Vpunpcklqdq, M::Vpunpcklwd, M::Vpxor,
    M::Vpxord, M::Vpxorq, M::Vrcp14pd, M::Vrcp14ps, M::Vrcp14sd, M::Vrcp14ss, M::Vrcpph, M::Vrcpps,
    M::Vrcpsh, M::Vrcpss, M::Vrsqrt14pd, M::Vrsqrt14ps, M::Vrsqrt14sd, M::Vrsqrt14ss, M::Vrsqrtph,
    M::Vrsqrtps, M::Vrsqrtsh, M::Vrsqrtss, M::Vscatterdpd, M::Vscatterdps, M::Vscatterqpd,
    M::Vscatterqps, M::Vsha512msg1, M::Vsha512msg2, M::Vsha512rnds2, M::Vshuff32x4, M::Vshuff64x2,
    M::Vshufi32x4, M::Vshufi64x2, M::Vshufpd, M::Vshufps, M::Vsm3msg1, M::Vsm3msg2, M::Vsm3rnds2,
    M::Vsm4key4, M::Vsm4rnds4, M::Vtestpd, M::Vtestps, M::Vunpckhpd, M::Vunpckhps, M::Vunpcklpd,
    M::Vunpcklps, M::Vxorpd, M::Vxorps, M::Xorpd, M::Xorps,
    ])
}

/// Whether `instr` has an xmm/ymm/zmm register operand.
pub fn has_vector_operand(instr: &Instruction) -> bool {
    (0..instr.op_count())
        .any(|i| instr.op_kind(i) == OpKind::Register && instr.op_register(i).is_vector_register())
}

/// Whether the instruction may set MXCSR exception flags; `None` for a vector instruction
/// whose mnemonic is in neither list. Conversions to a GPR from memory (`cvttsd2si rax,
/// [m]`) have no vector register operand and are still looked up; the string `cmpsd`
/// shares its mnemonic with the SSE compare and is excluded by Code.
pub fn raises(instr: &Instruction) -> Option<bool> {
    let m = instr.mnemonic();
    static QUIET_SET: MnemonicSet = MnemonicSet::new(quiet_mnemonics);
    static RAISES_SET: MnemonicSet = MnemonicSet::new(raising_mnemonics);
    if instr.code() == Code::Cmpsd_m32_m32 || QUIET_SET.contains(m) {
        return Some(false);
    }
    if !RAISES_SET.contains(m) {
        return if has_vector_operand(instr) {
            None
        } else {
            Some(false)
        };
    }
    let suppressed =
        instr.suppress_all_exceptions() || instr.rounding_control() != RoundingControl::None;
    Some(!suppressed)
}

pub(super) fn apply(instr: &Instruction, fx: &mut Effects) {
    match raises(instr) {
        Some(r) => fx.mxcsr.sets_exception_flags |= r,
        None => {
            fx.mxcsr.sets_exception_flags = true;
            fx.category.get_or_insert(Category::UnlistedSimd);
        }
    }
    // SDM Vol. 2B LDMXCSR/STMXCSR; VLDMXCSR/VSTMXCSR are the VEX forms.
    match instr.code() {
        Code::Ldmxcsr_m32 | Code::VEX_Vldmxcsr_m32 => fx.mxcsr.written = true,
        Code::Stmxcsr_m32 | Code::VEX_Vstmxcsr_m32 => {
            fx.mxcsr.read = true;
            fx.reads_state.push(State::Mxcsr);
        }
        _ => {}
    }
}
