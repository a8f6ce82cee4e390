//! trybuild UI tests: `ui/pass` must compile, `ui/fail` must fail with exactly the
//! reviewed `.stderr` snapshot next to each case.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
