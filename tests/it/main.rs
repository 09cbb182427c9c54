//! The workspace's one integration-test binary (ripgrep style): every shipped flowsheet,
//! every invalid input, solver behaviour against analytical solutions, and tidy checks.

mod flowsheets;
mod invalid;
mod plugins;
mod reference;
mod solver;
mod study;
mod tea;
mod tidy;
