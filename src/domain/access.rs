//! Who may see what. The rules are small, but every page and file that shows a challenge asks them, so
//! they live in one place.

use chrono::{DateTime, Utc};

use super::role::Role;

/// A person asking to see a challenge or its files.
#[derive(Debug, Clone, Copy)]
pub struct Asker {
    pub role: Role,
    /// Whether they are in a team of the challenge's contest.
    pub in_team: bool,
}

/// Organizers see every challenge that is not hidden, at any time; a team's members see it once it has
/// opened (the contest started, its area and its own window opened). Judges mark the hackathon: for
/// challenges they are anyone.
pub fn may_see_challenge(asker: Asker, hidden: bool, opens_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    if hidden {
        return false;
    }
    match asker.role {
        Role::Organizer => true,
        Role::Participant | Role::Judge => asker.in_team && now >= opens_at,
    }
}

/// Who may see an archive item. `own_team`: the asker is in the item's team; `holds_agreements`: the
/// asker holds the agreements the contest's datasets require.
pub fn may_see_item(
    role: Option<Role>,
    own_team: bool,
    holds_agreements: bool,
    status: &str,
    visibility: &str,
) -> bool {
    if role.is_some_and(Role::is_organizer) || own_team {
        return true;
    }
    status == "published"
        && match visibility {
            "public" => true,
            "participants" => role.is_some() && holds_agreements,
            _ => false,
        }
}

/// Organizers hold every dataset agreement by their office; everyone else needs their own.
pub fn needs_own_agreement(role: Role) -> bool {
    !role.is_organizer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, 20, h, 0, 0).single().expect("valid")
    }

    #[test]
    fn members_see_open_challenges_only() {
        let member = Asker { role: Role::Participant, in_team: true };
        let stranger = Asker { role: Role::Participant, in_team: false };
        assert!(may_see_challenge(member, false, t(1), t(1)));
        assert!(!may_see_challenge(member, false, t(2), t(1)), "not open yet");
        assert!(!may_see_challenge(stranger, false, t(1), t(3)), "not in a team");
        assert!(!may_see_challenge(member, true, t(1), t(3)), "hidden");
    }

    #[test]
    fn archive_items_follow_status_and_visibility() {
        let p = Some(Role::Participant);
        assert!(may_see_item(None, false, false, "published", "public"));
        assert!(!may_see_item(None, false, false, "submitted", "public"), "not yet reviewed");
        assert!(may_see_item(p, true, false, "submitted", "organizers"), "a team sees its own");
        assert!(!may_see_item(p, false, false, "published", "participants"));
        assert!(may_see_item(p, false, true, "published", "participants"));
        assert!(!may_see_item(None, false, true, "published", "participants"), "anonymous holds nothing");
        assert!(!may_see_item(p, false, true, "published", "organizers"));
        assert!(may_see_item(Some(Role::Organizer), false, false, "returned", "organizers"));
    }

    #[test]
    fn organizers_see_everything_not_hidden_and_judges_only_what_is_open() {
        let organizer = Asker { role: Role::Organizer, in_team: false };
        assert!(may_see_challenge(organizer, false, t(5), t(1)));
        assert!(!may_see_challenge(organizer, true, t(0), t(1)));
        let judge = Asker { role: Role::Judge, in_team: false };
        assert!(!may_see_challenge(judge, false, t(5), t(1)), "judges do not see ahead");
        assert!(!may_see_challenge(judge, false, t(0), t(1)), "nor play");
        assert!(!needs_own_agreement(Role::Organizer));
        assert!(needs_own_agreement(Role::Judge));
    }
}
