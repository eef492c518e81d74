//! Bulk registration: a checked roster written as accounts, teams and memberships, inside the caller's
//! transaction, so that a failure (a name taken meanwhile) leaves nothing half-created.

use entity::{teams, users};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use super::teams::{NewTeam, insert, insert_member};
use super::users::NewUser;
use super::{StoreError, StoreResult};
use crate::domain::role::Role;
use crate::domain::roster::{Problem, RosterTeam};

/// The roster's names that are taken already, or look like one that is (the same skeleton): accounts
/// anywhere, team names in the contest. The unique indexes refuse them anyway; this names each with its line.
pub async fn taken(db: &impl ConnectionTrait, contest_id: i32, roster: &[RosterTeam]) -> StoreResult<Vec<Problem>> {
    let members = || roster.iter().flat_map(|t| t.members.iter());
    let keys: Vec<String> = members().map(|m| m.username.key().to_owned()).collect();
    let looks: Vec<String> = members().map(|m| m.username.skeleton().to_owned()).collect();
    let users = users::Entity::find()
        .filter(
            Condition::any()
                .add(users::Column::UsernameKey.is_in(keys))
                .add(users::Column::UsernameSkeleton.is_in(looks)),
        )
        .all(db)
        .await?;
    let team_keys: Vec<String> = roster.iter().map(|t| t.name.key().to_owned()).collect();
    let team_looks: Vec<String> = roster.iter().map(|t| t.name.skeleton().to_owned()).collect();
    let teams = teams::Entity::find()
        .filter(teams::Column::ContestId.eq(contest_id))
        .filter(
            Condition::any()
                .add(teams::Column::NameKey.is_in(team_keys))
                .add(teams::Column::NameSkeleton.is_in(team_looks)),
        )
        .all(db)
        .await?;
    let mut problems = Vec::new();
    for team in roster {
        if teams.iter().any(|t| t.name_key == team.name.key()) {
            problems.push(Problem {
                line: team.line,
                field: "team",
                what: format!("{} exists in this contest", team.name.as_str()),
            });
        } else if let Some(t) = teams.iter().find(|t| t.name_skeleton.as_deref() == Some(team.name.skeleton())) {
            problems.push(Problem {
                line: team.line,
                field: "team",
                what: format!("{} looks like {}, which exists in this contest", team.name.as_str(), t.name),
            });
        }
        for m in &team.members {
            if users.iter().any(|u| u.username_key == m.username.key()) {
                problems.push(Problem {
                    line: m.line,
                    field: "username",
                    what: format!("{} is taken", m.username.as_str()),
                });
            } else if users.iter().any(|u| u.username_skeleton.as_deref() == Some(m.username.skeleton())) {
                problems.push(Problem {
                    line: m.line,
                    field: "username",
                    what: format!("{} looks like a username that is taken", m.username.as_str()),
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
