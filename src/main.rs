//! `simplenn`: parse the command line, run, print errors with their causes, exit with a status
//! (0 ok, 1 a check or training failed, 2 bad input).

use clap::Parser;

fn main() {
    // Rust ignores SIGPIPE, so printing into a closed pipe (`simplenn evaluate … | head`) would
    // panic; with the default action the process just ends, as command-line tools do.
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match simplenn::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    if let Err(e) = simplenn::cli::main_with(cli) {
        eprintln!("error: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            eprintln!("  caused by: {cause}");
            source = cause.source();
        }
        std::process::exit(e.exit_code());
    }
}
