//! View model.
