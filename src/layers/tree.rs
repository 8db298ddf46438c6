//! Layer trees "as of layer N".
