//! A one-line, human-readable rendering of [`Effects`] (for `cargo-checked-asm infer` and
//! test failure messages). Only what is present is printed.

use super::regs::Access;
use super::types::*;
use core::fmt;

fn names(regs: impl Iterator<Item = iced_x86::Register>) -> String {
    regs.map(|r| format!("{r:?}").to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Effects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let reads = names(
            self.regs
                .iter()
                .filter(|r| r.access.always_reads())
                .map(|r| r.reg),
        );
        let maybe_reads = names(
            self.regs
                .iter()
                .filter(|r| r.access.may_read() && !r.access.always_reads())
                .map(|r| r.reg),
        );
        let writes = names(
            self.regs
                .iter()
                .filter(|r| r.access.always_writes())
                .map(|r| r.reg),
        );
        let maybe_writes = names(
            self.regs
                .iter()
                .filter(|r| {
                    matches!(
                        r.access,
                        Access::CondWrite | Access::ReadCondWrite | Access::CondReadCondWrite
                    )
                })
                .map(|r| r.reg),
        );
        for (label, list) in [
            ("reads", reads),
            ("may read", maybe_reads),
            ("writes", writes),
            ("may write", maybe_writes),
        ] {
            if !list.is_empty() {
                parts.push(format!("{label} {list}"));
            }
        }
        let fl = &self.flags;
        if !fl.read.is_empty() {
            parts.push(format!("flags read {:?}", fl.read));
        }
        if !fl.modified().is_empty() {
            parts.push(format!("flags modified {:?}", fl.modified()));
        }
        if !fl.undefined.is_empty() {
            parts.push(format!("flags undefined {:?}", fl.undefined));
        }
        if self.mxcsr.sets_exception_flags {
            parts.push("MXCSR exception flags".into());
        }
        if self.mxcsr.written {
            parts.push("MXCSR written".into());
        }
        if self.x87 != X87Effects::default() {
            parts.push(format!("x87 {:?}/{:?}", self.x87.top, self.x87.tags));
        }
        for m in &self.memory {
            parts.push(format!("{:?} {:?} ({})", m.class, m.access, m.why));
        }
        if self.stack.uses_stack() {
            let delta = self.stack.delta.map_or("?".to_string(), |d| d.to_string());
            parts.push(format!("rsp {delta}"));
        }
        if self.flow != Flow::Next {
            parts.push(format!("flow {:?}", self.flow));
        }
        if !self.reads_state.is_empty() {
            parts.push(format!("reads {:?}", self.reads_state));
        }
        if !self.writes_state.is_empty() {
            parts.push(format!("changes {:?}", self.writes_state));
        }
        if !self.side_effects.is_empty() {
            parts.push(format!("side effects {:?}", self.side_effects));
        }
        if let Some(c) = self.category {
            parts.push(format!("conservative: {}", c.description()));
        }
        if parts.is_empty() {
            write!(f, "no effect")
        } else {
            write!(f, "{}", parts.join("; "))
        }
    }
}
