//! The `tests` package has no library code; its test binary is `it/`.
