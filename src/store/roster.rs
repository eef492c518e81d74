//! Bulk registration: a checked roster written as accounts, teams and memberships, inside the caller's
//! transaction, so that a failure (a name taken meanwhile) leaves nothing half-created.

use entity::{teams, users};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::teams::{NewTeam, insert, insert_member};
use super::users::NewUser;
use super::{StoreError, StoreResult};
use crate::domain::role::Role;
use crate::domain::roster::{Problem, RosterTeam};

/// The roster's names that are taken already: accounts anywhere, team names in the contest.
pub async fn taken(db: &impl ConnectionTrait, contest_id: i32, roster: &[RosterTeam]) -> StoreResult<Vec<Problem>> {
    let keys: Vec<String> = roster.iter().flat_map(|t| t.members.iter().map(|m| m.username.key().to_owned())).collect();
    let existing: Vec<String> = users::Entity::find()
        .filter(users::Column::UsernameKey.is_in(keys))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.username_key)
        .collect();
    let team_keys: Vec<String> = roster.iter().map(|t| t.name.key().to_owned()).collect();
    let existing_teams: Vec<String> = teams::Entity::find()
        .filter(teams::Column::ContestId.eq(contest_id))
        .filter(teams::Column::NameKey.is_in(team_keys))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.name_key)
        .collect();
    let mut problems = Vec::new();
    for team in roster {
        if existing_teams.contains(&team.name.key().to_owned()) {
            problems.push(Problem {
                line: team.line,
                field: "team",
                what: format!("{} exists in this contest", team.name.as_str()),
            });
        }
        for m in &team.members {
            if existing.contains(&m.username.key().to_owned()) {
                problems.push(Problem {
                    line: m.line,
                    field: "username",
                    what: format!("{} is taken", m.username.as_str()),
                });
            }
        }
    }
    problems.sort_by_key(|p| p.line);
    Ok(problems)
}

/// Creates the roster: each member's account (with the given password hashes, in the roster's order), each
/// team with its first member as captain. Returns the teams with their members.
pub async fn create(
    txn: &impl ConnectionTrait,
    contest_id: i32,
    roster: &[RosterTeam],
    mut hashes: impl Iterator<Item = String>,
) -> StoreResult<Vec<(teams::Model, Vec<users::Model>)>> {
    let mut created = Vec::new();
    for team in roster {
        let mut members = Vec::new();
        for m in &team.members {
            let password_hash = hashes.next().ok_or(StoreError::NotFound)?;
            let new = NewUser { username: &m.username, email: m.email.clone(), password_hash, role: Role::Participant };
            members.push(super::users::create(txn, new).await?);
        }
        let new = NewTeam {
            contest_id,
            name: &team.name,
            affiliation: team.affiliation.clone(),
            captain_id: members.first().map(|u| u.id),
        };
        let row = insert(txn, new).await?;
        for user in &members {
            insert_member(txn, &row, user.id).await?;
        }
        created.push((row, members));
    }
    Ok(created)
}
