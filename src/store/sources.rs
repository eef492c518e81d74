//! Writing challenge sources into rows: each call creates or updates one record and says which fields
//! changed, so that `challenges sync` can print what it did and a second run can say that nothing did.

use chrono::Utc;
use entity::{areas, attachments, challenges, classifications, contests, datasets, hints, rubric_criteria};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};

use super::StoreResult;
use crate::domain::spec::{
    AreaSpec, ChallengeSpec, ClassificationSpec, ContestSpec, CriterionSpec, DatasetSpec, GroupSpec, Scoring,
};

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated(Vec<&'static str>),
    Unchanged,
}

/// Sets every listed field that differs from the record's value, and names it in `$changed`.
macro_rules! assign {
    ($active:ident, $changed:ident; $($field:ident = $value:expr),* $(,)?) => {
        $(
            $active.$field.set_if_not_equals($value);
            if $active.$field.is_set() {
                $changed.push(stringify!($field));
            }
        )*
    };
}

/// Inserts a new record, updates a changed one, or leaves it.
async fn save<A>(
    db: &impl ConnectionTrait,
    active: A,
    existed: bool,
    changed: Vec<&'static str>,
) -> StoreResult<(<A::Entity as EntityTrait>::Model, Change)>
where
    A: ActiveModelTrait
        + sea_orm::ActiveModelBehavior
        + sea_orm::TryIntoModel<<A::Entity as EntityTrait>::Model>
        + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    if !existed {
        Ok((active.insert(db).await?, Change::Created))
    } else if changed.is_empty() {
        Ok((active.try_into_model()?, Change::Unchanged))
    } else {
        Ok((active.update(db).await?, Change::Updated(changed)))
    }
}

pub async fn dataset(db: &impl ConnectionTrait, spec: &DatasetSpec) -> StoreResult<(datasets::Model, Change)> {
    let found = datasets::Entity::find().filter(datasets::Column::Key.eq(&spec.key)).one(db).await?;
    let existed = found.is_some();
    let mut a = found.map(IntoActiveModel::into_active_model).unwrap_or_default();
    let mut changed = Vec::new();
    assign!(a, changed;
        key = spec.key.clone(), name = spec.name.clone(), kind = spec.kind.clone(), period = spec.period.clone(),
        summary = spec.summary.clone(), summary_en = spec.summary_en.clone(),
        agreement_required = spec.agreement_required, terms = spec.terms.clone(), terms_en = spec.terms_en.clone(),
        terms_version = spec.terms_version.clone(),
    );
    save(db, a, existed, changed).await
}

pub async fn contest(db: &impl ConnectionTrait, spec: &ContestSpec) -> StoreResult<(contests::Model, Change)> {
    let found = contests::Entity::find().filter(contests::Column::Slug.eq(&spec.slug)).one(db).await?;
    let existed = found.is_some();
    let mut a = found
        .map(IntoActiveModel::into_active_model)
        .unwrap_or_else(|| contests::ActiveModel { created_at: Set(Utc::now()), ..Default::default() });
    let mut changed = Vec::new();
    assign!(a, changed;
        slug = spec.slug.clone(), title = spec.title.clone(), title_en = spec.title_en.clone(),
        description = spec.description.clone(), description_en = spec.description_en.clone(),
        timezone = spec.timezone.clone(), starts_at = spec.starts_at, ends_at = spec.ends_at,
        freeze_at = spec.freeze_at, max_team_size = spec.max_team_size, demo = spec.demo,
        wrong_answers_per_minute = spec.wrong_answers_per_minute, scoreboard_public = spec.scoreboard_public,
        teams_by_organizers = spec.teams_by_organizers,
        archive_until = spec.archive_until, archive_file_limit = spec.archive_file_limit,
        archive_team_limit = spec.archive_team_limit, ceremony_awards = spec.ceremony_awards,
    );
    save(db, a, existed, changed).await
}

pub async fn area(
    db: &impl ConnectionTrait,
    contest_id: i32,
    spec: &AreaSpec,
    position: i32,
) -> StoreResult<(areas::Model, Change)> {
    let found = areas::Entity::find()
        .filter(areas::Column::ContestId.eq(contest_id))
        .filter(areas::Column::Key.eq(&spec.key))
        .one(db)
        .await?;
    let existed = found.is_some();
    let mut a = found.map(IntoActiveModel::into_active_model).unwrap_or_default();
    let mut changed = Vec::new();
    assign!(a, changed;
        contest_id = contest_id, key = spec.key.clone(), name = spec.name.clone(), name_en = spec.name_en.clone(),
        on_day = spec.on_day, opens_at = spec.opens_at, closes_at = spec.closes_at, position = position,
    );
    save(db, a, existed, changed).await
}

/// Makes a contest's rubric that of its source, criterion by key; one removed is hidden, so its marks stay
/// (and count for nothing). Returns what changed, as `rubric <key>: …` lines.
pub async fn rubric(db: &impl ConnectionTrait, contest_id: i32, specs: &[CriterionSpec]) -> StoreResult<Vec<String>> {
    let existing =
        rubric_criteria::Entity::find().filter(rubric_criteria::Column::ContestId.eq(contest_id)).all(db).await?;
    let mut out = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let found = existing.iter().find(|c| c.key == spec.key).cloned();
        let existed = found.is_some();
        let mut a = found.map(IntoActiveModel::into_active_model).unwrap_or_default();
        let mut changed = Vec::new();
        assign!(a, changed;
            contest_id = contest_id, key = spec.key.clone(), name = spec.name.clone(), name_en = spec.name_en.clone(),
            max = spec.max, position = i32::try_from(i).unwrap_or(i32::MAX), hidden = false,
        );
        match save(db, a, existed, changed).await?.1 {
            Change::Created => out.push(format!("rubric {}: created", spec.key)),
            Change::Updated(fields) => out.push(format!("rubric {}: updated {}", spec.key, fields.join(", "))),
            Change::Unchanged => {}
        }
    }
    for gone in existing.into_iter().filter(|c| !c.hidden && !specs.iter().any(|s| s.key == c.key)) {
        out.push(format!("rubric {}: hidden (no longer in the sources; its marks are kept)", gone.key));
        let mut a = gone.into_active_model();
        a.hidden = Set(true);
        a.update(db).await?;
    }
    Ok(out)
}

/// Makes a classification challenge's scoring row that of its source (the sealed table stored as
/// `sealed_sha256`).
pub async fn classification(
    db: &impl ConnectionTrait,
    challenge_id: i32,
    spec: &ClassificationSpec,
    sealed_sha256: &str,
) -> StoreResult<Change> {
    let found = classifications::Entity::find_by_id(challenge_id).one(db).await?;
    let existed = found.is_some();
    let mut a = found.map(IntoActiveModel::into_active_model).unwrap_or_default();
    let rows = i32::try_from(spec.sealed.rows.len()).unwrap_or(i32::MAX);
    let public_rows = i32::try_from(spec.sealed.public_count()).unwrap_or(i32::MAX);
    let mut changed = Vec::new();
    assign!(a, changed;
        challenge_id = challenge_id, labels = json(&spec.labels), positive = spec.positive.clone(),
        metric = spec.metric.as_str().to_owned(), max_per_day = spec.max_submissions_per_day,
        sealed_sha256 = sealed_sha256.to_owned(), rows = rows, public_rows = public_rows,
    );
    Ok(save(db, a, existed, changed).await?.1)
}

fn json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

pub async fn challenge(
    db: &impl ConnectionTrait,
    contest_id: i32,
    area_id: i32,
    spec: &ChallengeSpec,
    group: Option<&GroupSpec>,
    position: i32,
) -> StoreResult<(challenges::Model, Change)> {
    let found = challenges::Entity::find()
        .filter(challenges::Column::ContestId.eq(contest_id))
        .filter(challenges::Column::Slug.eq(&spec.slug))
        .one(db)
        .await?;
    let existed = found.is_some();
    let mut a = found.map(IntoActiveModel::into_active_model).unwrap_or_default();
    let (function, points, minimum, decay) = match &spec.scoring {
        Scoring::Static { points } => ("static", *points, *points, 0),
        Scoring::Dynamic { function, initial, minimum, decay } => (function.as_str(), *initial, *minimum, *decay),
    };
    let digests: Vec<String> = spec.answer.digests.iter().map(ToString::to_string).collect();
    let mut changed = Vec::new();
    assign!(a, changed;
        contest_id = contest_id, area_id = area_id, slug = spec.slug.clone(), title = spec.title.clone(),
        title_en = spec.title_en.clone(), group_name = spec.group.clone(),
        group_title = group.map(|g| g.title.clone()).unwrap_or_default(),
        group_title_en = group.map(|g| g.title_en.clone()).unwrap_or_default(), description = spec.description.clone(),
        description_en = spec.description_en.clone(), scoring_function = function.to_owned(), points = points,
        minimum = minimum, decay = decay, opens_at = spec.opens_at, closes_at = spec.closes_at,
        max_attempts = spec.max_attempts, requires = json(&spec.requires), datasets = json(&spec.datasets),
        tags = json(&spec.tags), author = spec.author.clone(), answer_rule = spec.answer.rule.as_str().to_owned(),
        answer_salt = spec.answer.salt.clone(), answer_digests = json(&digests),
        answer_format = spec.answer.format.clone(),
        answer_format_en = spec.answer.format_en.clone(), hidden = false, position = position,
        kind = if spec.classification.is_some() { "classification" } else { "standard" }.to_owned(),
    );
    if !changed.is_empty() {
        a.updated_at = Set(Utc::now());
    }
    save(db, a, existed, changed).await
}

/// Hides the challenges of a contest that are no longer in its sources (their solves stay); returns
/// their slugs.
pub async fn hide_others(db: &impl ConnectionTrait, contest_id: i32, keep: &[i32]) -> StoreResult<Vec<String>> {
    let gone = challenges::Entity::find()
        .filter(challenges::Column::ContestId.eq(contest_id))
        .filter(challenges::Column::Hidden.eq(false))
        .filter(challenges::Column::Id.is_not_in(keep.to_vec()))
        .all(db)
        .await?;
    let mut slugs = Vec::new();
    for c in gone {
        slugs.push(c.slug.clone());
        let mut a = c.into_active_model();
        a.hidden = Set(true);
        a.updated_at = Set(Utc::now());
        a.update(db).await?;
    }
    Ok(slugs)
}

/// Makes a challenge's hints those of its source, position by position, so a hint keeps its id while
/// it stays in place. Returns what changed, as `hints[i]: …` lines.
pub async fn hints(
    db: &impl ConnectionTrait,
    challenge_id: i32,
    specs: &[crate::domain::spec::HintSpec],
) -> StoreResult<Vec<String>> {
    let existing = hints::Entity::find()
        .filter(hints::Column::ChallengeId.eq(challenge_id))
        .order_by_asc(hints::Column::Position)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let position = i32::try_from(i).unwrap_or(i32::MAX);
        let found = existing.iter().find(|h| h.position == position).cloned();
        let existed = found.is_some();
        let mut a = found.map(IntoActiveModel::into_active_model).unwrap_or_default();
        let mut changed = Vec::new();
        assign!(a, changed;
            challenge_id = challenge_id, position = position, text = spec.text.clone(), text_en = spec.text_en.clone(),
            cost = spec.cost, hidden = false,
        );
        match save(db, a, existed, changed).await?.1 {
            Change::Created => out.push(format!("hints[{i}]: added")),
            Change::Updated(fields) => out.push(format!("hints[{i}]: updated {}", fields.join(", "))),
            Change::Unchanged => {}
        }
    }
    let keep = i32::try_from(specs.len()).unwrap_or(i32::MAX);
    for extra in existing.iter().filter(|h| h.position >= keep && !h.hidden) {
        let mut a = extra.clone().into_active_model();
        a.hidden = Set(true);
        a.update(db).await?;
        out.push(format!("hints[{}]: hidden (removed from the sources; its unlocks are kept)", extra.position));
    }
    Ok(out)
}

/// A challenge's attachment as the source has it.
pub struct AttachmentRow {
    pub name: String,
    pub sha256: String,
    pub size: i64,
}

/// Makes a challenge's attachments the given list; returns what changed.
pub async fn attachments(
    db: &impl ConnectionTrait,
    challenge_id: i32,
    rows: &[AttachmentRow],
) -> StoreResult<Vec<String>> {
    let existing = attachments::Entity::find()
        .filter(attachments::Column::ChallengeId.eq(challenge_id))
        .order_by_asc(attachments::Column::Position)
        .all(db)
        .await?;
    let same = existing.len() == rows.len()
        && existing.iter().zip(rows).all(|(e, r)| e.name == r.name && e.sha256 == r.sha256 && e.size == r.size);
    if same {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for e in &existing {
        if !rows.iter().any(|r| r.name == e.name && r.sha256 == e.sha256) {
            out.push(format!("file {}: removed", e.name));
        }
    }
    attachments::Entity::delete_many().filter(attachments::Column::ChallengeId.eq(challenge_id)).exec(db).await?;
    for (i, r) in rows.iter().enumerate() {
        if !existing.iter().any(|e| e.name == r.name && e.sha256 == r.sha256) {
            out.push(format!("file {}: added ({} bytes)", r.name, r.size));
        }
        attachments::ActiveModel {
            challenge_id: Set(challenge_id),
            name: Set(r.name.clone()),
            sha256: Set(r.sha256.clone()),
            size: Set(r.size),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    if out.is_empty() {
        out.push("files: reordered".into());
    }
    Ok(out)
}
