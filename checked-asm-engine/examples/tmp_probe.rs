use checked_asm_engine::*; use checked_asm_engine::syntax::*;
fn main(){
 for a in std::env::args().skip(1) {
   let s: proc_macro2::TokenStream = format!(r#"@target["x86_64" linux] ({a})"#).parse().unwrap();
   println!("{}", expand(MacroKind::Asm, s, &NoIncludes));
 }
}
