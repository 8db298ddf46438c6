//! Layer analysis: the files of every layer, wasted space and efficiency (as dive defines them).
pub mod cli;
