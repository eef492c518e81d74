//! Teams and their members. Every change of membership first touches the team's row, which serialises
//! concurrent joins on both backends (a row lock on PostgreSQL, the write lock on SQLite), so the size
//! limit holds however many people join at once.

use chrono::{DateTime, Utc};
use entity::{team_members, teams, users};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::{StoreError, StoreResult, is_unique_violation, unique_violation};
use crate::domain::names::TeamName;
use crate::domain::role::Role;
use crate::domain::secret;

/// A member as pages and the API show one.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: i32,
    pub username: String,
    pub joined_at: DateTime<Utc>,
    pub captain: bool,
}

#[derive(Debug, Clone)]
pub struct TeamView {
    pub team: teams::Model,
    pub members: Vec<Member>,
}

pub struct NewTeam<'a> {
    pub contest_id: i32,
    pub name: &'a TeamName,
    pub affiliation: Option<String>,
    /// The user who creates the team becomes its captain and first member; organizers create empty teams.
    pub captain_id: Option<i32>,
}

/// Inserts a team with a fresh invite code and no members. A name taken in the contest, or that looks like
/// one that is (the same skeleton), is refused by the unique indexes, which hold when two teams are created
/// at once.
pub async fn insert(db: &impl ConnectionTrait, new: NewTeam<'_>) -> StoreResult<teams::Model> {
    let now = Utc::now();
    let inserted = teams::ActiveModel {
        contest_id: Set(new.contest_id),
        name: Set(new.name.as_str().to_owned()),
        name_key: Set(new.name.key().to_owned()),
        name_skeleton: Set(Some(new.name.skeleton().to_owned())),
        affiliation: Set(new.affiliation),
        invite_code: Set(secret::invite_code()),
        captain_id: Set(new.captain_id),
        hidden: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        final_rank: Set(None),
        final_centipoints: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await;
    let err = match inserted {
        Ok(team) => return Ok(team),
        Err(e) => e,
    };
    match unique_violation(&err) {
        Some(index) if index.contains("skeleton") => {
            // SQLite names the newer index when both are violated; PostgreSQL checks the older (the key)
            // first. After a failed statement SQLite's transaction goes on, so it can be asked.
            let same = db.get_database_backend() == DbBackend::Sqlite
                && teams::Entity::find()
                    .filter(teams::Column::ContestId.eq(new.contest_id))
                    .filter(teams::Column::NameKey.eq(new.name.key()))
                    .one(db)
                    .await?
                    .is_some();
            Err(if same { StoreError::TeamNameTaken } else { StoreError::TeamNameConfusable })
        }
        Some(_) => Err(StoreError::TeamNameTaken),
        None => Err(err.into()),
    }
}

pub async fn create(db: &DatabaseConnection, new: NewTeam<'_>) -> StoreResult<teams::Model> {
    let txn = db.begin().await?;
    let team = create_in(&txn, new).await?;
    txn.commit().await?;
    Ok(team)
}

/// A team and its captain's membership, inside the caller's transaction.
pub async fn create_in(txn: &impl ConnectionTrait, new: NewTeam<'_>) -> StoreResult<teams::Model> {
    let captain = new.captain_id;
    let team = insert(txn, new).await?;
    if let Some(user_id) = captain {
        insert_member(txn, &team, user_id).await?;
    }
    Ok(team)
}

/// Only participants join teams: organizers and judges see what teams cannot, so they never play.
pub(super) async fn insert_member(db: &impl ConnectionTrait, team: &teams::Model, user_id: i32) -> StoreResult<()> {
    let user = users::Entity::find_by_id(user_id).one(db).await?.ok_or(StoreError::NotFound)?;
    if !user.role.parse::<Role>().is_ok_and(Role::plays) {
        return Err(StoreError::StaffCannotPlay);
    }
    team_members::ActiveModel {
        team_id: Set(team.id),
        contest_id: Set(team.contest_id),
        user_id: Set(user_id),
        joined_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| if is_unique_violation(&e) { StoreError::AlreadyInTeam } else { e.into() })?;
    Ok(())
}

/// Takes the team's row for the rest of the transaction; `NotFound` if the team is gone.
pub(super) async fn lock(db: &impl ConnectionTrait, team_id: i32) -> StoreResult<()> {
    let touched = teams::Entity::update_many()
        .col_expr(teams::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(teams::Column::Id.eq(team_id))
        .exec(db)
        .await?;
    if touched.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Locks several teams' rows for the rest of the transaction in one statement: on PostgreSQL in the order
/// of their ids (so that two instances locking overlapping sets never wait on each other in a circle), on
/// SQLite by the write that takes the database's lock.
pub(super) async fn lock_all(db: &impl ConnectionTrait, team_ids: &[i32]) -> StoreResult<()> {
    if team_ids.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres {
        teams::Entity::find()
            .select_only()
            .column(teams::Column::Id)
            .filter(teams::Column::Id.is_in(team_ids.iter().copied()))
            .order_by_asc(teams::Column::Id)
            .lock_exclusive()
            .into_tuple::<i32>()
            .all(db)
            .await?;
    } else {
        teams::Entity::update_many()
            .col_expr(teams::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(teams::Column::Id.is_in(team_ids.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Adds a user to a team unless the team is full or the user is in a team of this contest already.
/// A team without a captain (made by an organizer) gets its first member as captain.
pub async fn add_member(db: &DatabaseConnection, team_id: i32, user_id: i32, max_size: i32) -> StoreResult<()> {
    let txn = db.begin().await?;
    add_member_in(&txn, team_id, user_id, max_size).await?;
    txn.commit().await?;
    Ok(())
}

/// `add_member` inside the caller's transaction (which the team's row is then locked for).
pub async fn add_member_in(txn: &impl ConnectionTrait, team_id: i32, user_id: i32, max_size: i32) -> StoreResult<()> {
    lock(txn, team_id).await?;
    let team = teams::Entity::find_by_id(team_id).one(txn).await?.ok_or(StoreError::NotFound)?;
    let size = team_members::Entity::find().filter(team_members::Column::TeamId.eq(team_id)).count(txn).await?;
    if size >= u64::try_from(max_size).unwrap_or(0) {
        return Err(StoreError::TeamFull { max: max_size });
    }
    insert_member(txn, &team, user_id).await?;
    if team.captain_id.is_none() {
        set_captain(txn, team_id, Some(user_id)).await?;
    }
    Ok(())
}

async fn set_captain(db: &impl ConnectionTrait, team_id: i32, user_id: Option<i32>) -> StoreResult<()> {
    teams::Entity::update_many()
        .col_expr(teams::Column::CaptainId, Expr::value(user_id))
        .filter(teams::Column::Id.eq(team_id))
        .exec(db)
        .await?;
    Ok(())
}

/// What became of the team when a member left.
#[derive(Debug, PartialEq, Eq)]
pub enum Left {
    /// Others remain; the captaincy passed on if the captain left.
    TeamRemains,
    /// The last member left and the empty team was removed.
    TeamRemoved,
    /// The last member left; the team keeps its record (attempts, solves, unlocks…), empty, with no captain.
    TeamKeptEmpty,
}

/// Whether anything of the contest's record refers to a team: it may not vanish then.
async fn has_record(db: &impl ConnectionTrait, team_id: i32) -> StoreResult<bool> {
    let attempts =
        entity::submissions::Entity::find().filter(entity::submissions::Column::TeamId.eq(team_id)).count(db).await?;
    let unlocks =
        entity::hint_unlocks::Entity::find().filter(entity::hint_unlocks::Column::TeamId.eq(team_id)).count(db).await?;
    let adjustments =
        entity::adjustments::Entity::find().filter(entity::adjustments::Column::TeamId.eq(team_id)).count(db).await?;
    let items = entity::archive_items::Entity::find()
        .filter(entity::archive_items::Column::TeamId.eq(team_id))
        .count(db)
        .await?;
    Ok(attempts + unlocks + adjustments + items > 0)
}

pub async fn leave(db: &DatabaseConnection, team_id: i32, user_id: i32) -> StoreResult<Left> {
    let txn = db.begin().await?;
    let outcome = leave_in(&txn, team_id, user_id).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// `leave` inside the caller's transaction.
pub async fn leave_in(txn: &impl ConnectionTrait, team_id: i32, user_id: i32) -> StoreResult<Left> {
    lock(txn, team_id).await?;
    let removed = team_members::Entity::delete_many()
        .filter(team_members::Column::TeamId.eq(team_id))
        .filter(team_members::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    let next = team_members::Entity::find()
        .filter(team_members::Column::TeamId.eq(team_id))
        .order_by_asc(team_members::Column::JoinedAt)
        .order_by_asc(team_members::Column::Id)
        .one(txn)
        .await?;
    let outcome = match next {
        None if has_record(txn, team_id).await? => {
            set_captain(txn, team_id, None).await?;
            Left::TeamKeptEmpty
        }
        None => {
            teams::Entity::delete_by_id(team_id).exec(txn).await?;
            Left::TeamRemoved
        }
        Some(next) => {
            let team = teams::Entity::find_by_id(team_id).one(txn).await?.ok_or(StoreError::NotFound)?;
            if team.captain_id == Some(user_id) {
                set_captain(txn, team_id, Some(next.user_id)).await?;
            }
            Left::TeamRemains
        }
    };
    Ok(outcome)
}

pub async fn renew_invite(db: &impl ConnectionTrait, team_id: i32) -> StoreResult<String> {
    let code = secret::invite_code();
    teams::Entity::update_many()
        .col_expr(teams::Column::InviteCode, Expr::value(code.clone()))
        .col_expr(teams::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(teams::Column::Id.eq(team_id))
        .exec(db)
        .await?;
    Ok(code)
}

/// A team by id, whichever contest it is in.
pub async fn find(db: &impl ConnectionTrait, team_id: i32) -> StoreResult<Option<teams::Model>> {
    Ok(teams::Entity::find_by_id(team_id).one(db).await?)
}

pub async fn by_id(db: &impl ConnectionTrait, contest_id: i32, team_id: i32) -> StoreResult<Option<teams::Model>> {
    Ok(teams::Entity::find_by_id(team_id).filter(teams::Column::ContestId.eq(contest_id)).one(db).await?)
}

pub async fn by_invite_code(
    db: &impl ConnectionTrait,
    contest_id: i32,
    code: &str,
) -> StoreResult<Option<teams::Model>> {
    Ok(teams::Entity::find()
        .filter(teams::Column::ContestId.eq(contest_id))
        .filter(teams::Column::InviteCode.eq(code.trim().to_lowercase()))
        .one(db)
        .await?)
}

/// The team a user belongs to in a contest.
pub async fn of_user(db: &impl ConnectionTrait, contest_id: i32, user_id: i32) -> StoreResult<Option<teams::Model>> {
    let found = team_members::Entity::find()
        .filter(team_members::Column::ContestId.eq(contest_id))
        .filter(team_members::Column::UserId.eq(user_id))
        .find_also_related(teams::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(_, team)| team))
}

pub async fn view(db: &impl ConnectionTrait, team: teams::Model) -> StoreResult<TeamView> {
    let rows = team_members::Entity::find()
        .filter(team_members::Column::TeamId.eq(team.id))
        .order_by_asc(team_members::Column::JoinedAt)
        .order_by_asc(team_members::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|m| m.user_id).collect();
    let people = users::Entity::find().filter(users::Column::Id.is_in(ids)).all(db).await?;
    let members = rows
        .into_iter()
        .filter_map(|m| {
            let user = people.iter().find(|u| u.id == m.user_id)?;
            Some(Member {
                user_id: m.user_id,
                username: user.username.clone(),
                joined_at: m.joined_at,
                captain: team.captain_id == Some(m.user_id),
            })
        })
        .collect();
    Ok(TeamView { team, members })
}

pub async fn count_in_contest(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<u64> {
    Ok(teams::Entity::find().filter(teams::Column::ContestId.eq(contest_id)).count(db).await?)
}

/// Every team of a contest, hidden ones too, by name.
pub async fn all_of_contest(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Vec<teams::Model>> {
    Ok(teams::Entity::find()
        .filter(teams::Column::ContestId.eq(contest_id))
        .order_by_asc(teams::Column::NameKey)
        .all(db)
        .await?)
}

pub async fn set_hidden(db: &impl ConnectionTrait, team_id: i32, hidden: bool) -> StoreResult<()> {
    teams::Entity::update_many()
        .col_expr(teams::Column::Hidden, Expr::value(hidden))
        .filter(teams::Column::Id.eq(team_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Disqualifies a team (off the standings, its answers refused) or reinstates it.
pub async fn set_disqualified(db: &impl ConnectionTrait, team_id: i32, disqualified: bool) -> StoreResult<()> {
    teams::Entity::update_many()
        .col_expr(teams::Column::Disqualified, Expr::value(disqualified))
        .filter(teams::Column::Id.eq(team_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Keeps the final standings (position and score in hundredths) of a contest's teams.
pub async fn set_final(db: &impl ConnectionTrait, rows: &[(i32, i32, i64)]) -> StoreResult<()> {
    for (team_id, rank, centipoints) in rows {
        teams::Entity::update_many()
            .col_expr(teams::Column::FinalRank, Expr::value(*rank))
            .col_expr(teams::Column::FinalCentipoints, Expr::value(*centipoints))
            .filter(teams::Column::Id.eq(*team_id))
            .exec(db)
            .await?;
    }
    Ok(())
}
