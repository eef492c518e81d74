//! The contest day of a team: the contest and team pages, the board and challenges, classification uploads,
//! hackathon entries, the scoreboard with its chart and feeds, the venue screen, and attachments.

pub mod ceremony;
pub mod chart;
pub mod classification;
pub mod contests;
pub mod files;
pub mod hackathon;
pub mod play;
pub mod public_team;
pub mod scoreboard;
pub mod screen;

use crate::web::kit::routes::Routes;

pub fn configure(routes: &mut Routes) {
    contests::configure(routes);
    files::configure(routes);
    play::configure(routes);
    classification::configure(routes);
    scoreboard::configure(routes);
    screen::configure(routes);
    hackathon::configure(routes);
    public_team::configure(routes);
}
