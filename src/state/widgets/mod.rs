//! The generic pieces every pane builds on: text input, prompts, filter box, dialog outcomes and
//! keys, scrolling, text views and the list-pane table.
pub mod filter;
pub mod form;
pub mod input;
pub mod outcome;
pub mod prompt;
pub mod scroll;
pub mod table;
pub mod text_view;
