//! snapshot tests
