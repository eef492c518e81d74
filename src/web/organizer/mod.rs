//! Running the day, for organizers and judges: `/admin` and the audit log, bulk registration, accounts, the
//! console (schedule, submissions, member moves, challenges), syncing sources, and judging the hackathon.

pub mod admin;
pub mod catalog;
pub mod ceremony;
pub mod console;
pub mod judging;
pub mod members;
pub mod settings;
pub mod submissions;
pub mod sync;
pub mod users;

use crate::web::kit::routes::Routes;

pub fn configure(routes: &mut Routes) {
    routes.add(crate::web::kit::routes::endpoint("/metrics").get(crate::web::kit::observe::metrics));
    admin::configure(routes);
    console::configure(routes);
    ceremony::configure(routes);
    catalog::configure(routes);
    settings::configure(routes);
    members::configure(routes);
    sync::configure(routes);
    users::configure(routes);
    submissions::configure(routes);
    judging::configure(routes);
}
