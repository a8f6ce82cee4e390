//! Not published: this package only owns the workspace's integration tests (`tests/`)
//! and runnable programs (`examples/`).
