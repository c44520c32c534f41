//! Where a code's long explanation and the tool itself live on the web, as
//! set at build time. Used by the LSP (`codeDescription.href`) and by SARIF
//! (`helpUri`, `informationUri`); `wfc explain <CODE>` stays the offline
//! source (docs/editors.md).

use super::Code;

/// The base URL of the per-code pages, when the build says so:
/// `WFC_DOCS_URL` when it was set at build time, else
/// `<repository>/blob/main/docs/codes` when the package names its
/// repository, else none. Never a path on the machine that built the
/// binary: it means nothing where the output is read.
pub fn docs_base() -> Option<String> {
    match (
        option_env!("WFC_DOCS_URL"),
        option_env!("CARGO_PKG_REPOSITORY"),
    ) {
        (Some(docs), _) if !docs.is_empty() => Some(docs.to_string()),
        (_, Some(repo)) if !repo.is_empty() => Some(format!(
            "{}/blob/main/docs/codes",
            repo.trim_end_matches('/')
        )),
        _ => None,
    }
}

/// `<base>/<CODE>.md` (one `/` between them). The caller checks that the
/// result is a URI it can use.
pub fn code_url_in(base: &str, code: Code) -> String {
    format!("{}/{}.md", base.trim_end_matches('/'), code.as_str())
}

/// The page of a code under [`docs_base`], if there is one.
pub fn code_url(code: Code) -> Option<String> {
    docs_base().map(|base| code_url_in(&base, code))
}

/// The tool's home page: the package's `homepage`, else its `repository`,
/// else none.
pub fn tool_url() -> Option<String> {
    [
        option_env!("CARGO_PKG_HOMEPAGE"),
        option_env!("CARGO_PKG_REPOSITORY"),
    ]
    .into_iter()
    .flatten()
    .find(|s| !s.is_empty())
    .map(str::to_string)
}
