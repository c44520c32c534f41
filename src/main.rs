// The front end allocates many small objects (an AST node, string and
// vector per token) and frees them all at once: glibc's malloc spent ~30% of
// `wfc check` in consolidating and unlinking chunks. mimalloc is built for
// that pattern.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(wfc::cli::main());
}
