//! Past years in and out of the archive: `mwscup archive import DIR` loads a folder (`archive.toml` and
//! its files), `mwscup archive export --contest SLUG DIR` writes the same format back. Import is
//! idempotent and checks everything (each problem as `path: field: what`) before it writes anything; an
//! export imported again gives the same archive.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sea_orm::{DatabaseConnection, TransactionTrait};
use toml::Table;

use crate::authoring::Problem;
use crate::authoring::reader::{Reader, dotted, parse_file};
use crate::blobs::BlobStore;
use crate::domain::names::TeamName;
use crate::domain::spec::{AreaSpec, ContestSpec, is_slug};
use crate::domain::standings::Points;
use crate::store;

pub struct TeamRecord {
    pub name: String,
    pub affiliation: Option<String>,
    pub rank: i32,
    pub score: Points,
}

pub struct ItemRecord {
    pub team: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub areas: Vec<String>,
    pub challenges: Vec<String>,
    pub licence: Option<String>,
    pub link: Option<String>,
    pub visibility: String,
    pub status: String,
    /// Paths relative to the folder.
    pub files: Vec<PathBuf>,
}

pub struct ArchiveSource {
    pub dir: PathBuf,
    pub contest: ContestSpec,
    pub areas: Vec<AreaSpec>,
    pub teams: Vec<TeamRecord>,
    pub items: Vec<ItemRecord>,
}

const KINDS: [&str; 5] = ["slides", "script", "writeup", "video", "repository"];
const VISIBILITIES: [&str; 3] = ["public", "participants", "organizers"];
const STATUSES: [&str; 3] = ["published", "submitted", "returned"];

/// Reads and checks a folder; every problem is returned at once.
pub fn read(dir: &Path) -> Result<ArchiveSource, Vec<Problem>> {
    let path = dir.join("archive.toml");
    let mut problems = Vec::new();
    let Some(table) = parse_file(&path, &mut problems) else { return Err(problems) };
    let mut r = Reader::new(&path);
    r.unknown_keys(&table, "", &["contest", "areas", "teams", "items"]);
    let contest = r.table(&table, "", "contest").cloned().unwrap_or_default();
    let spec = contest_spec(&mut r, &contest, &path);
    let areas = areas(&mut r, &table);
    let teams = teams(&mut r, &table);
    let items = items(&mut r, &table, dir, &teams, &areas);
    problems.append(&mut r.problems);
    for item in &items {
        for file in &item.files {
            for why in crate::inspect::refusals(&dir.join(file)) {
                problems.push(Problem::new(&dir.join(file), "files", why));
            }
        }
    }
    match (spec, problems.is_empty()) {
        (Some(contest), true) => Ok(ArchiveSource { dir: dir.to_path_buf(), contest, areas, teams, items }),
        (None, true) => Err(vec![Problem::new(&path, "contest", "is missing")]),
        _ => Err(problems),
    }
}

fn contest_spec(r: &mut Reader, t: &Table, path: &Path) -> Option<ContestSpec> {
    let p = "contest";
    r.unknown_keys(
        t,
        p,
        &["slug", "title", "title_en", "description", "description_en", "timezone", "starts_at", "ends_at"],
    );
    let slug = r.string(t, p, "slug");
    if let Some(s) = &slug
        && !is_slug(s)
    {
        r.problem("contest.slug", format!("{s:?} is not a slug (a-z, 0-9, -)"));
    }
    let title = r.string(t, p, "title");
    let title_en = r.opt_string(t, p, "title_en");
    let description = r.opt_string(t, p, "description").unwrap_or_default();
    let description_en = r.opt_string(t, p, "description_en").unwrap_or_default();
    let timezone = r.opt_string(t, p, "timezone").unwrap_or_else(|| "Asia/Tokyo".into());
    let starts_at = r.time(t, p, "starts_at", true);
    let ends_at = r.time(t, p, "ends_at", true);
    if let (Some(s), Some(e)) = (starts_at, ends_at)
        && e <= s
    {
        r.problem("contest.ends_at", "must be after starts_at");
    }
    let (slug, title, starts_at, ends_at) = (slug?, title?, starts_at?, ends_at?);
    Some(ContestSpec {
        path: path.to_path_buf(),
        title_en: title_en.unwrap_or_else(|| title.clone()),
        slug,
        title,
        description,
        description_en,
        timezone,
        starts_at,
        ends_at,
        freeze_at: None,
        max_team_size: 6,
        demo: false,
        wrong_answers_per_minute: 10,
        scoreboard_public: true,
        teams_by_organizers: false,
        archive_until: None,
        archive_file_limit: 50 * 1024 * 1024,
        archive_team_limit: 500 * 1024 * 1024,
        ceremony_awards: 3,
    })
}

fn areas(r: &mut Reader, t: &Table) -> Vec<AreaSpec> {
    let mut out = Vec::new();
    for (i, a) in r.tables(t, "", "areas").into_iter().enumerate() {
        let p = format!("areas[{i}]");
        r.unknown_keys(a, &p, &["key", "name", "name_en", "on_day"]);
        let (key, name, name_en, on_day) = (
            r.string(a, &p, "key"),
            r.string(a, &p, "name"),
            r.opt_string(a, &p, "name_en"),
            r.boolean(a, &p, "on_day", true),
        );
        if let (Some(key), Some(name)) = (key, name) {
            out.push(AreaSpec {
                key,
                name_en: name_en.unwrap_or_else(|| name.clone()),
                name,
                on_day,
                opens_at: None,
                closes_at: None,
            });
        }
    }
    out
}

fn teams(r: &mut Reader, t: &Table) -> Vec<TeamRecord> {
    let mut out: Vec<TeamRecord> = Vec::new();
    for (i, team) in r.tables(t, "", "teams").into_iter().enumerate() {
        let p = format!("teams[{i}]");
        r.unknown_keys(team, &p, &["name", "affiliation", "rank", "score"]);
        let name = r.string(team, &p, "name");
        let affiliation = r.opt_string(team, &p, "affiliation");
        let rank = r.integer(team, &p, "rank", None, 1, 100_000);
        let score = match team.get("score") {
            Some(toml::Value::Integer(n)) => Some(Points(n * 100)),
            Some(toml::Value::Float(f)) if f.is_finite() => Some(Points((f * 100.0).round() as i64)),
            Some(_) => {
                r.problem(dotted(&p, "score"), "must be a number");
                None
            }
            None => {
                r.problem(dotted(&p, "score"), "is missing");
                None
            }
        };
        if let Some(n) = &name
            && TeamName::parse(n).is_err()
        {
            r.problem(dotted(&p, "name"), "is not a team name (1 to 48 printable characters)");
        }
        if let Some(n) = &name
            && out.iter().any(|o| o.name == *n)
        {
            r.problem(dotted(&p, "name"), format!("{n:?} is listed twice"));
        } else if let Some(n) = &name
            && let Some(o) = out.iter().find(|o| looks_alike(&o.name, n))
        {
            r.problem(
                dotted(&p, "name"),
                format!("{n:?} looks like {:?} (a team name must not be confusable)", o.name),
            );
        }
        if let (Some(name), Some(rank), Some(score)) = (name, rank, score) {
            out.push(TeamRecord { name, affiliation, rank: i32::try_from(rank).unwrap_or(i32::MAX), score });
        }
    }
    out
}

/// Two team names the database would not both take in one contest: the same key or the same skeleton.
fn looks_alike(a: &str, b: &str) -> bool {
    match (TeamName::parse(a), TeamName::parse(b)) {
        (Ok(a), Ok(b)) => a.key() == b.key() || a.skeleton() == b.skeleton(),
        _ => false,
    }
}

fn items(r: &mut Reader, t: &Table, dir: &Path, teams: &[TeamRecord], areas: &[AreaSpec]) -> Vec<ItemRecord> {
    let mut out = Vec::new();
    for (i, item) in r.tables(t, "", "items").into_iter().enumerate() {
        let p = format!("items[{i}]");
        r.unknown_keys(
            item,
            &p,
            &[
                "team",
                "kind",
                "title",
                "description",
                "areas",
                "challenges",
                "licence",
                "link",
                "visibility",
                "status",
                "files",
            ],
        );
        let team = r.string(item, &p, "team");
        if let Some(name) = &team
            && !teams.iter().any(|t| t.name == *name)
        {
            r.problem(dotted(&p, "team"), format!("unknown team {name:?}: not among [[teams]]"));
        }
        let kind = r.string(item, &p, "kind");
        if let Some(k) = &kind
            && !KINDS.contains(&k.as_str())
        {
            r.problem(dotted(&p, "kind"), format!("{k:?} is not one of {}", KINDS.join(", ")));
        }
        let title = r.string(item, &p, "title");
        let description = r.opt_string(item, &p, "description").unwrap_or_default();
        let item_areas = r.strings(item, &p, "areas");
        for (j, a) in item_areas.iter().enumerate() {
            if !areas.iter().any(|x| x.key == *a) {
                r.problem(format!("{p}.areas[{j}]"), format!("unknown area {a:?}"));
            }
        }
        let challenges = r.strings(item, &p, "challenges");
        let licence = r.opt_string(item, &p, "licence");
        let link = r.opt_string(item, &p, "link");
        let visibility = r.opt_string(item, &p, "visibility").unwrap_or_else(|| "public".into());
        if !VISIBILITIES.contains(&visibility.as_str()) {
            r.problem(dotted(&p, "visibility"), format!("{visibility:?} is not public, participants or organizers"));
        }
        let status = r.opt_string(item, &p, "status").unwrap_or_else(|| "published".into());
        if !STATUSES.contains(&status.as_str()) {
            r.problem(dotted(&p, "status"), format!("{status:?} is not published, submitted or returned"));
        }
        let mut files = Vec::new();
        for (j, f) in r.strings(item, &p, "files").into_iter().enumerate() {
            let rel = PathBuf::from(&f);
            let inside = rel.components().all(|c| matches!(c, std::path::Component::Normal(_)));
            if !inside {
                r.problem(format!("{p}.files[{j}]"), format!("{f:?} must be a path inside the folder"));
            } else if !dir.join(&rel).is_file() {
                r.problem(format!("{p}.files[{j}]"), format!("{f:?} does not exist"));
            } else {
                files.push(rel);
            }
        }
        if let (Some(team), Some(kind), Some(title)) = (team, kind, title) {
            out.push(ItemRecord {
                team,
                kind,
                title,
                description,
                areas: item_areas,
                challenges,
                licence,
                link,
                visibility,
                status,
                files,
            });
        }
    }
    out
}

/// Loads a checked folder; returns one line per change.
pub async fn import(db: &DatabaseConnection, blobs: &BlobStore, source: &ArchiveSource) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    let all: Vec<&PathBuf> = source.items.iter().flat_map(|i| &i.files).collect();
    let bar = ProgressBar::with_draw_target(Some(all.len() as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("storing files {bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut stored = std::collections::HashMap::new();
    for rel in all {
        let path = source.dir.join(rel);
        bar.set_message(rel.display().to_string());
        let blob = blobs.put_file(&path).await.with_context(|| format!("storing {}", path.display()))?;
        if blob.written {
            lines.push(format!("file {}: stored as {}", rel.display(), blob.sha256));
        }
        stored.insert(rel.clone(), (blob, crate::inspect::media_type(&path)));
        bar.inc(1);
    }
    bar.finish_and_clear();

    let txn = db.begin().await?;
    let (contest, change) = store::sources::contest(&txn, &source.contest).await?;
    if change != store::sources::Change::Unchanged {
        lines.push(format!("contest {}: {change:?}", contest.slug));
    }
    for (i, a) in source.areas.iter().enumerate() {
        let (_, change) = store::sources::area(&txn, contest.id, a, i32::try_from(i)?).await?;
        if change != store::sources::Change::Unchanged {
            lines.push(format!("area {}: {change:?}", a.key));
        }
    }
    let mut team_ids = std::collections::HashMap::new();
    for t in &source.teams {
        let name = TeamName::parse(&t.name).map_err(|e| anyhow::anyhow!("{}: {e}", t.name))?;
        let (team_id, changes) =
            store::archive::import_team(&txn, contest.id, &name, t.affiliation.clone(), t.rank, t.score.0).await?;
        for change in changes {
            lines.push(format!("team {}: {change}", t.name));
        }
        team_ids.insert(t.name.clone(), team_id);
    }
    let mut reindex = Vec::new();
    for item in &source.items {
        let team_id = *team_ids.get(&item.team).context("unknown team")?;
        let files: Vec<store::archive::NewFile> = item
            .files
            .iter()
            .filter_map(|rel| {
                let (blob, media) = stored.get(rel)?;
                Some(store::archive::NewFile {
                    name: crate::inspect::safe_file_name(&rel.file_name()?.to_string_lossy()),
                    sha256: blob.sha256.clone(),
                    size: i64::try_from(blob.size).ok()?,
                    media_type: (*media).to_owned(),
                })
            })
            .collect();
        let imported = store::archive::ImportedItem {
            contest_id: contest.id,
            team_id,
            kind: item.kind.clone(),
            title: item.title.clone(),
            description: item.description.clone(),
            areas: item.areas.clone(),
            challenges: item.challenges.clone(),
            licence: item.licence.clone(),
            link: item.link.clone(),
            visibility: item.visibility.clone(),
            status: item.status.clone(),
        };
        let (id, changes) = store::archive::import_item(&txn, imported, files).await?;
        for change in changes {
            lines.push(format!("item {:?} of {}: {change}", item.title, item.team));
        }
        reindex.push(id);
    }
    for id in reindex {
        store::archive::reindex(&txn, id).await?;
    }
    txn.commit().await?;
    Ok(lines)
}

fn rfc3339(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Writes a contest's archive as a folder `import` reads: `archive.toml` and `files/`.
pub async fn export(db: &DatabaseConnection, blobs: &BlobStore, slug: &str, dir: &Path) -> anyhow::Result<usize> {
    let contest = store::contests::by_slug(db, slug).await?.with_context(|| format!("no contest {slug:?}"))?;
    let areas = store::challenges::areas_of(db, contest.id).await?;
    let mut teams = store::teams::all_of_contest(db, contest.id).await?;
    teams.sort_by_key(|t| (t.final_rank.unwrap_or(i32::MAX), t.name_key.clone()));
    let mut items = store::archive::of_contest(db, contest.id).await?;
    let team_name = |id: i32| teams.iter().find(|t| t.id == id).map(|t| t.name.clone()).unwrap_or_default();
    items.sort_by_key(|(i, _)| (team_name(i.team_id), i.title.clone()));
    std::fs::create_dir_all(dir.join("files"))?;

    let mut doc = toml::Table::new();
    let mut c = toml::Table::new();
    c.insert("slug".into(), contest.slug.clone().into());
    c.insert("title".into(), contest.title.clone().into());
    c.insert("title_en".into(), contest.title_en.clone().into());
    c.insert("description".into(), contest.description.clone().into());
    c.insert("description_en".into(), contest.description_en.clone().into());
    c.insert("timezone".into(), contest.timezone.clone().into());
    c.insert("starts_at".into(), rfc3339(&contest.starts_at).into());
    c.insert("ends_at".into(), rfc3339(&contest.ends_at).into());
    doc.insert("contest".into(), toml::Value::Table(c));
    let area_list: Vec<toml::Value> = areas
        .iter()
        .map(|a| {
            let mut t = toml::Table::new();
            t.insert("key".into(), a.key.clone().into());
            t.insert("name".into(), a.name.clone().into());
            t.insert("name_en".into(), a.name_en.clone().into());
            t.insert("on_day".into(), a.on_day.into());
            toml::Value::Table(t)
        })
        .collect();
    doc.insert("areas".into(), toml::Value::Array(area_list));
    let team_list: Vec<toml::Value> = teams
        .iter()
        .filter(|t| t.final_rank.is_some())
        .map(|t| {
            let mut x = toml::Table::new();
            x.insert("name".into(), t.name.clone().into());
            if let Some(a) = &t.affiliation {
                x.insert("affiliation".into(), a.clone().into());
            }
            x.insert("rank".into(), i64::from(t.final_rank.unwrap_or(0)).into());
            let score = t.final_centipoints.unwrap_or(0);
            x.insert(
                "score".into(),
                if score % 100 == 0 {
                    toml::Value::Integer(score / 100)
                } else {
                    toml::Value::Float(score as f64 / 100.0)
                },
            );
            toml::Value::Table(x)
        })
        .collect();
    doc.insert("teams".into(), toml::Value::Array(team_list));
    let mut written = 0;
    let mut item_list = Vec::new();
    for (item, files) in &items {
        let mut x = toml::Table::new();
        x.insert("team".into(), team_name(item.team_id).into());
        x.insert("kind".into(), item.kind.clone().into());
        x.insert("title".into(), item.title.clone().into());
        x.insert("description".into(), item.description.clone().into());
        let list = |s: &str| {
            toml::Value::Array(
                serde_json::from_str::<Vec<String>>(s).unwrap_or_default().into_iter().map(Into::into).collect(),
            )
        };
        x.insert("areas".into(), list(&item.areas));
        x.insert("challenges".into(), list(&item.challenges));
        if let Some(l) = &item.licence {
            x.insert("licence".into(), l.clone().into());
        }
        if let Some(l) = &item.link {
            x.insert("link".into(), l.clone().into());
        }
        x.insert("visibility".into(), item.visibility.clone().into());
        x.insert("status".into(), item.status.clone().into());
        let mut paths = Vec::new();
        for f in files {
            // Named by content, so that the same archive always exports to the same folder.
            let rel = format!("files/{}/{}", &f.sha256[..16], f.name);
            std::fs::create_dir_all(dir.join(format!("files/{}", &f.sha256[..16])))?;
            let copied =
                blobs.copy_to(&f.sha256, &dir.join(&rel)).await.with_context(|| format!("copying {}", f.name))?;
            anyhow::ensure!(copied, "{}: its content ({}) is not in the blob store", f.name, f.sha256);
            written += 1;
            paths.push(toml::Value::String(rel));
        }
        x.insert("files".into(), toml::Value::Array(paths));
        item_list.push(toml::Value::Table(x));
    }
    doc.insert("items".into(), toml::Value::Array(item_list));
    std::fs::write(dir.join("archive.toml"), toml::to_string_pretty(&doc)?)?;
    Ok(written)
}
