//! Anyone's pages: home and health, registering and logging in, one's account and API tokens, and the
//! dataset catalog with the terms a person agrees to.

pub mod auth;
pub mod datasets;
pub mod home;
pub mod profile;

use crate::web::kit::routes::Routes;

pub fn configure(routes: &mut Routes) {
    home::configure(routes);
    auth::configure(routes);
    profile::configure(routes);
    datasets::configure(routes);
}
