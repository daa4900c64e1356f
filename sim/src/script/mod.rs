//! The scenario language: the one text form shared by hand-written
//! scenarios, the simulator's own runs and the shrinker's minimized
//! failures (SCENARIO.md is the contract).
//!
//! - [`ast`]: what a scenario is ([`Script`], [`Statement`], [`RmanCmd`] …).
//! - [`parse`]: text to [`Script`], or a [`ParseError`] naming
//!   `FILE:LINE:COL` and what was expected there; nothing partial.
//! - [`print()`]: [`Script`] to canonical text, such that parsing it gives the
//!   same script back (locations aside: see [`Script::without_locations`]).
//!
//! ```
//! use sim::script::{parse, print, Statement};
//!
//! let text = "set seed 7\nSQL> startup mount\nRMAN> run {\n2> restore database;\n3> }\n";
//! let script = parse("demo.scn", text).unwrap();
//! assert_eq!(script.statements.len(), 2);
//! assert!(matches!(script.statements[1].node, Statement::Rman(_)));
//! let again = parse("demo.scn", &print(&script)).unwrap();
//! assert_eq!(again.without_locations(), script.without_locations());
//! ```
//!
//! The grammar choices SCENARIO.md leaves open are written down where they
//! are made: in the headers of `lexer.rs` (prompts, comments, blank lines,
//! strings), `parser.rs` (contexts, terminators, blocks, recovery answers,
//! the preamble, error positions) and `rman.rs` (RMAN synonyms and option
//! order). `tests.rs` has an example of every statement.

pub mod ast;
mod lexer;
mod parser;
pub mod printer;
mod rman;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use ast::*;
pub use parser::{ParseError, parse};
pub use printer::{print, print_setting, print_statement};
