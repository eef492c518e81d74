//! What a user may do on the platform.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Participant,
    Judge,
    Organizer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Participant => "participant",
            Role::Judge => "judge",
            Role::Organizer => "organizer",
        }
    }

    pub fn is_organizer(self) -> bool {
        self == Role::Organizer
    }

    /// Whether this role may be in a team and answer: organizers and judges see what teams may not (every
    /// challenge before it opens, marks before they are published), so they never play.
    pub fn plays(self) -> bool {
        self == Role::Participant
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "participant" => Ok(Role::Participant),
            "judge" => Ok(Role::Judge),
            "organizer" => Ok(Role::Organizer),
            other => Err(format!("unknown role {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text() {
        for role in [Role::Participant, Role::Judge, Role::Organizer] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("admin".parse::<Role>().is_err());
    }
}
