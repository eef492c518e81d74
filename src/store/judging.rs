//! The judged hackathon: the rubric, teams' entries, judges' marks and their publication.

use chrono::{DateTime, Utc};
use entity::{contests, hackathon_entries, judge_marks, rubric_criteria};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};

use super::StoreResult;
use crate::domain::judging::{Criterion, Mark};

/// The criteria judges mark on now, in their order.
pub async fn rubric(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Vec<rubric_criteria::Model>> {
    Ok(rubric_criteria::Entity::find()
        .filter(rubric_criteria::Column::ContestId.eq(contest_id))
        .filter(rubric_criteria::Column::Hidden.eq(false))
        .order_by_asc(rubric_criteria::Column::Position)
        .all(db)
        .await?)
}

pub fn criteria(rubric: &[rubric_criteria::Model]) -> Vec<Criterion> {
    rubric.iter().map(|c| Criterion { id: c.id, max: c.max }).collect()
}

pub fn marks(rows: &[judge_marks::Model]) -> Vec<Mark> {
    rows.iter().map(|m| Mark { judge_id: m.judge_id, criterion_id: m.criterion_id, value: m.value }).collect()
}

pub async fn entries(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Vec<hackathon_entries::Model>> {
    Ok(hackathon_entries::Entity::find()
        .filter(hackathon_entries::Column::ContestId.eq(contest_id))
        .order_by_asc(hackathon_entries::Column::Id)
        .all(db)
        .await?)
}

pub async fn entry(
    db: &impl ConnectionTrait,
    contest_id: i32,
    id: i32,
) -> StoreResult<Option<hackathon_entries::Model>> {
    Ok(hackathon_entries::Entity::find_by_id(id)
        .filter(hackathon_entries::Column::ContestId.eq(contest_id))
        .one(db)
        .await?)
}

pub async fn entry_of_team(db: &impl ConnectionTrait, team_id: i32) -> StoreResult<Option<hackathon_entries::Model>> {
    Ok(hackathon_entries::Entity::find().filter(hackathon_entries::Column::TeamId.eq(team_id)).one(db).await?)
}

/// An entry as a team hands it in.
pub struct EntryFields {
    pub title: String,
    pub description: String,
    pub link: Option<String>,
    /// New slides (name, SHA-256 of the stored blob, size); `None` keeps the ones handed in before.
    pub slides: Option<(String, String, i64)>,
}

/// Creates or replaces the team's entry. The team's row is taken first, so two members handing in at once
/// make one entry, the later one's.
pub async fn save_entry(
    db: &impl ConnectionTrait,
    contest_id: i32,
    team_id: i32,
    user_id: i32,
    fields: EntryFields,
) -> StoreResult<hackathon_entries::Model> {
    super::teams::lock(db, team_id).await?;
    let now = Utc::now();
    let found = entry_of_team(db, team_id).await?;
    let existed = found.is_some();
    let mut a = found.map(IntoActiveModel::into_active_model).unwrap_or_else(|| hackathon_entries::ActiveModel {
        contest_id: Set(contest_id),
        team_id: Set(team_id),
        created_at: Set(now),
        ..Default::default()
    });
    a.title = Set(fields.title);
    a.description = Set(fields.description);
    a.link = Set(fields.link);
    if let Some((name, sha256, size)) = fields.slides {
        a.slides_name = Set(Some(name));
        a.slides_sha256 = Set(Some(sha256));
        a.slides_size = Set(Some(size));
    } else if !existed {
        a.slides_name = Set(None);
        a.slides_sha256 = Set(None);
        a.slides_size = Set(None);
    }
    a.submitted_by = Set(Some(user_id));
    a.updated_at = Set(now);
    Ok(if existed { a.update(db).await? } else { a.insert(db).await? })
}

pub async fn marks_of_contest(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Vec<judge_marks::Model>> {
    Ok(judge_marks::Entity::find()
        .filter(judge_marks::Column::ContestId.eq(contest_id))
        .order_by_asc(judge_marks::Column::Id)
        .all(db)
        .await?)
}

pub async fn marks_of_entry(db: &impl ConnectionTrait, entry_id: i32) -> StoreResult<Vec<judge_marks::Model>> {
    Ok(judge_marks::Entity::find()
        .filter(judge_marks::Column::EntryId.eq(entry_id))
        .order_by_asc(judge_marks::Column::Id)
        .all(db)
        .await?)
}

/// Makes a judge's sheet for an entry the given marks, criterion by criterion (`None` clears one).
pub async fn set_sheet(
    db: &impl ConnectionTrait,
    entry: &hackathon_entries::Model,
    judge_id: i32,
    sheet: &[(i32, Option<i32>)],
) -> StoreResult<()> {
    let existing = judge_marks::Entity::find()
        .filter(judge_marks::Column::EntryId.eq(entry.id))
        .filter(judge_marks::Column::JudgeId.eq(judge_id))
        .all(db)
        .await?;
    let now = Utc::now();
    for &(criterion_id, value) in sheet {
        let found = existing.iter().find(|m| m.criterion_id == criterion_id).cloned();
        match (found, value) {
            (Some(m), Some(v)) if m.value == v => {}
            (Some(m), Some(v)) => {
                let mut a = m.into_active_model();
                a.value = Set(v);
                a.updated_at = Set(now);
                a.update(db).await?;
            }
            (Some(m), None) => {
                judge_marks::Entity::delete_by_id(m.id).exec(db).await?;
            }
            (None, Some(v)) => {
                judge_marks::ActiveModel {
                    contest_id: Set(entry.contest_id),
                    entry_id: Set(entry.id),
                    judge_id: Set(judge_id),
                    criterion_id: Set(criterion_id),
                    value: Set(v),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// Publishes the marks from `at` (they count in the standings and judges see each other's), or withdraws
/// them (`None`).
pub async fn set_published(db: &impl ConnectionTrait, contest_id: i32, at: Option<DateTime<Utc>>) -> StoreResult<()> {
    contests::Entity::update_many()
        .col_expr(contests::Column::MarksPublishedAt, Expr::value(at))
        .filter(contests::Column::Id.eq(contest_id))
        .exec(db)
        .await?;
    Ok(())
}
