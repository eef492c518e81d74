//! CTFd's figures for the same workload, for the report's "× CTFd" column. They are not measured by this
//! program: the author of issue 17 measured them with CTFd 3.8.7 on the same kind of machine (2 cores, the load
//! generator beside the server), in requests per second at concurrency 50, once on SQLite and once on
//! PostgreSQL. Only rows at that concurrency are compared.

use crate::names;

/// The concurrency CTFd was measured at.
pub const CONCURRENCY: usize = 50;

/// (scenario, req/s on SQLite, req/s on PostgreSQL).
const FIGURES: [(&str, f64, f64); 5] = [
    (names::TOKEN_SCOREBOARD, 215.0, 139.0),
    (names::TOP_TEN, 785.0, 785.0),
    (names::TEAM_BOARD, 171.0, 97.0),
    (names::WRONG_ANSWERS, 66.0, 41.0),
    (names::RIGHT_ANSWERS, 58.0, 32.0),
];

/// CTFd's req/s for a scenario at a concurrency on a backend, if the issue gives one.
pub fn rps(scenario: &str, concurrency: usize, postgres: bool) -> Option<f64> {
    if concurrency != CONCURRENCY {
        return None;
    }
    FIGURES.iter().find(|(name, _, _)| *name == scenario).map(|&(_, sqlite, pg)| if postgres { pg } else { sqlite })
}

/// Every scenario with a CTFd figure, so that a renamed scenario cannot lose its comparison unnoticed.
pub fn scenarios() -> impl Iterator<Item = &'static str> {
    FIGURES.iter().map(|(name, _, _)| *name)
}
