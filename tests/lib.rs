//! Black-box tests live in `http/`; this library is intentionally empty.
