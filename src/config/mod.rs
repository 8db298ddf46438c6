//! Configuration from data: keymaps and colour themes, embedded defaults merged with the user's files.
pub mod key;
pub mod keymap;
pub mod theme;

use std::path::PathBuf;

/// The user's config directory: `$XDG_CONFIG_HOME/dockhand` or `~/.config/dockhand`.
pub fn config_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".config")))
        .map(|d| d.join("dockhand"))
}
