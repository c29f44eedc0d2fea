//! Everything Git for hearth (no database, no HTTP). This first slice holds the name checks that
//! keep user input from ever reaching git as an option or a path outside the repository; gix-based
//! reads/writes and the transport arrive with the repositories issue.

pub mod names;
