//! (lsp: to be written)
