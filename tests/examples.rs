//! The examples compute what `std::arch` (itself written with `asm!`) computes.
#![cfg(target_arch = "x86_64")]

#[allow(dead_code)]
#[path = "../examples/cpuid.rs"]
mod cpuid_example;

#[allow(dead_code)]
#[path = "../examples/rdtsc.rs"]
mod rdtsc_example;

#[test]
fn cpuid_example_matches_std_arch() {
    use std::arch::x86_64::__cpuid_count;
    let max = __cpuid_count(0, 0).eax;
    for leaf in [0, 1, 7, 0xd].into_iter().filter(|&l| l <= max) {
        let std = __cpuid_count(leaf, 0);
        let ours = cpuid_example::cpuid(leaf, 0);
        // Leaf 1 ebx bits 31..24 hold the initial APIC id of the CPU the thread runs
        // on, which may change between the two calls.
        let mask = if leaf == 1 { 0x00ff_ffff } else { u32::MAX };
        assert_eq!(
            [ours[0], ours[1] & mask, ours[2], ours[3]],
            [std.eax, std.ebx & mask, std.ecx, std.edx],
            "leaf {leaf:#x}"
        );
    }
}

#[test]
fn rdtsc_example_is_monotonic_with_std_arch() {
    use std::arch::x86_64::_rdtsc;
    let a = unsafe { _rdtsc() };
    let b = rdtsc_example::rdtsc();
    let (c, _) = rdtsc_example::rdtscp();
    let d = unsafe { _rdtsc() };
    assert!(a <= b && b <= c && c <= d, "{a} {b} {c} {d}");
}
