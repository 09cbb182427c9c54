//! The workspace's one integration-test binary (ripgrep style): every shipped flowsheet,
//! every invalid input, solver behaviour against analytical solutions, the reference plant's
//! report in a headless browser, and tidy checks.

mod basis;
mod calculate;
mod carbon;
mod design;
mod equipment;
mod expressions;
mod fit;
mod flowsheets;
mod in_place;
mod invalid;
mod lca;
mod plugins;
mod properties;
mod reference;
mod report;
mod solver;
mod study;
mod targets;
mod tea;
mod tidy;
mod trust;
