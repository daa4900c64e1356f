//! `redosim`: the command line. All of it lives in `sim::cli` so it can be
//! tested in-process; see `redosim --help`.

fn main() {
    std::process::exit(sim::cli::main_with_args(std::env::args().collect()))
}
