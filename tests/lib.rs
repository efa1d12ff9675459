//! Black-box tests live in `http/`. The library holds the conformance kit (`gsi-ctk`, issue
//! 13), so the binary and the in-process tests share it.

#[path = "ctk/mod.rs"]
pub mod ctk;
