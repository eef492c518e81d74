//! The contest day's world: 300 teams of 3 with an API token each, 40 challenges in 4 areas (a quarter
//! dynamic), 3,000 solves and 10,000 wrong answers over the first two hours of a running contest; and a
//! classification challenge whose sealed test set has 100,000 rows.
//!
//! The challenges are loaded by `challenges sync` and the teams and tokens through the stores, as the
//! product makes them; the users, solves and wrong answers are inserted directly in bulk, since going
//! through the answer path would take minutes and measure nothing of what is benchmarked.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono::{Duration as Span, Utc};
use entity::{solves, submissions, users};
use mwscup::blobs::BlobStore;
use mwscup::domain::answer::{AnswerDigest, Rule};
use mwscup::domain::names::{TeamName, Username};
use mwscup::store;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

pub const TEAMS: usize = 300;
pub const CHALLENGES: usize = 40;
pub const SOLVES: usize = 3_000;
pub const WRONG: usize = 10_000;
/// Rows of the classification challenge's test set (one upload scores all of them).
pub const CLASSIFY_ROWS: usize = 100_000;
const CLASSIFY_SALT: &str = "bench-classify-salt";

/// The id and the true label of a classification row (seeded by its index).
fn classify_row(i: usize) -> (String, &'static str) {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("bench-row-{i}").as_bytes());
    let label = if digest[0] % 5 < 2 { "malware" } else { "cleanware" };
    (hex::encode(digest), label)
}

/// A prediction file for every row: right but for every tenth.
pub fn classify_predictions() -> Vec<u8> {
    let mut out = String::with_capacity(CLASSIFY_ROWS * 76 + 9);
    out.push_str("id,label\n");
    for i in 0..CLASSIFY_ROWS {
        let (id, label) = classify_row(i);
        let label = match (i % 10 == 0, label) {
            (true, "malware") => "cleanware",
            (true, _) => "malware",
            (false, l) => l,
        };
        let _ = writeln!(out, "{id},{label}");
    }
    out.into_bytes()
}

/// The contest's sources, written to a folder and loaded by `challenges sync`.
fn write_sources(root: &std::path::Path) -> std::path::PathBuf {
    let dir = root.join("bench");
    let start = Utc::now() - Span::hours(2);
    let areas = ["static", "dynamic", "surface", "dfir"];
    let mut contest = format!(
        "slug = \"bench\"\ntitle = \"ベンチマーク\"\ntitle_en = \"Benchmark\"\nstarts_at = \"{}\"\nends_at = \"{}\"\nwrong_answers_per_minute = 10000\n",
        start.to_rfc3339(),
        (start + Span::hours(4)).to_rfc3339()
    );
    for a in areas {
        let _ = write!(contest, "\n[[areas]]\nkey = \"{a}\"\nname = \"{a}\"\non_day = true\n");
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("contest.toml"), contest).unwrap();
    for i in 0..CHALLENGES {
        let area = areas[i % areas.len()];
        let folder = dir.join(area).join(format!("c{i:02}"));
        std::fs::create_dir_all(&folder).unwrap();
        let salt = format!("bench-salt-{i}");
        let digest = AnswerDigest::of_typed(Rule::Casefold, &salt, &format!("answer-{i}"));
        let scoring = if i % 4 == 0 {
            "[scoring]\nfunction = \"linear\"\ninitial = 500\nminimum = 100\ndecay = 2\n".to_owned()
        } else {
            format!("points = {}\n", 100 + 10 * i)
        };
        std::fs::write(
            folder.join("challenge.toml"),
            format!("title = \"Challenge {i}\"\n{scoring}\n[answer]\nsalt = \"{salt}\"\ndigests = [\"{digest}\"]\n"),
        )
        .unwrap();
        std::fs::write(folder.join("README.md"), "A question.\n").unwrap();
    }
    // A classification challenge of 100,000 rows, sealed as `classification seal` does.
    let folder = dir.join("surface").join("classify");
    std::fs::create_dir_all(&folder).unwrap();
    let mut truth = String::from("id,label\n");
    for i in 0..CLASSIFY_ROWS {
        let (id, label) = classify_row(i);
        let _ = writeln!(truth, "{id},{label}");
    }
    let labels = ["malware".to_owned(), "cleanware".to_owned()];
    let sealed = mwscup::domain::classification::seal(CLASSIFY_SALT, "bench", 0.3, &labels, truth.as_bytes()).unwrap();
    std::fs::write(folder.join("sealed.csv"), sealed).unwrap();
    std::fs::write(
        folder.join("challenge.toml"),
        format!(
            "title = \"Classify\"\ntype = \"classification\"\n\n[classification]\nsalt = \"{CLASSIFY_SALT}\"\nlabels = [\"malware\", \"cleanware\"]\npositive = \"malware\"\nmetric = \"f1\"\npublic_fraction = 0.3\nmax_submissions_per_day = 1000\npoints = 500\n"
        ),
    )
    .unwrap();
    std::fs::write(folder.join("README.md"), "Label every file.\n").unwrap();
    dir
}

pub struct World {
    /// Each team's id and its captain's API token.
    pub teams: Vec<(i32, String)>,
    /// The answer of each challenge, by id (`answer-N` for the folder `cNN`).
    pub answers: HashMap<i32, String>,
    /// (team index, challenge id) pairs not solved yet, in a scattered order: right answers to give.
    pub unsolved: Vec<(usize, i32)>,
    /// Unsolved pairs of the first 50 teams, kept apart for wrong answers (which a right answer to the same
    /// pair would turn into `already_solved`).
    pub wrong_pairs: Vec<(usize, i32)>,
    /// The classification challenge's id.
    pub classify: i32,
}

pub async fn build(db: &DatabaseConnection, data: &std::path::Path) -> World {
    let sources = write_sources(data);
    let source = mwscup::authoring::load_checked(&sources).unwrap_or_else(|p| panic!("{p:?}"));
    mwscup::authoring::sync::sync(db, &BlobStore::folder(data), &source).await.unwrap();
    let contest = store::contests::by_slug(db, "bench").await.unwrap().unwrap();
    let views = store::challenges::of_contest(db, contest.id).await.unwrap();
    let classify = views.iter().find(|v| v.challenge.slug == "classify").unwrap().challenge.id;
    let views: Vec<_> = views.into_iter().filter(|v| v.challenge.slug != "classify").collect();
    let challenges: Vec<i32> = views.iter().map(|v| v.challenge.id).collect();
    let answers = views
        .iter()
        .map(|v| {
            (v.challenge.id, format!("answer-{}", v.challenge.slug.trim_start_matches('c').parse::<usize>().unwrap()))
        })
        .collect();

    // One argon2 hash for every account: the benchmark logs nobody in.
    let hash = mwscup::domain::password::hash("bench-password");
    let now = Utc::now();
    let rows: Vec<users::ActiveModel> = (0..TEAMS * 3)
        .map(|i| {
            let name = Username::parse(&format!("u{i}")).unwrap();
            users::ActiveModel {
                username: Set(name.as_str().to_owned()),
                username_key: Set(name.key().to_owned()),
                username_skeleton: Set(Some(name.skeleton().to_owned())),
                email: Set(None),
                password_hash: Set(hash.clone()),
                role: Set("participant".into()),
                created_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(300) {
        users::Entity::insert_many(chunk.to_vec()).exec(db).await.unwrap();
    }
    let mut teams = Vec::new();
    for t in 0..TEAMS {
        let captain =
            store::users::by_username(db, &Username::parse(&format!("u{}", t * 3)).unwrap()).await.unwrap().unwrap();
        let name = TeamName::parse(&format!("Team {t:03}")).unwrap();
        let team = store::teams::create(
            db,
            store::teams::NewTeam {
                contest_id: contest.id,
                name: &name,
                affiliation: None,
                captain_id: Some(captain.id),
            },
        )
        .await
        .unwrap();
        for m in 1..3 {
            let member = store::users::by_username(db, &Username::parse(&format!("u{}", t * 3 + m)).unwrap())
                .await
                .unwrap()
                .unwrap();
            store::teams::add_member(db, team.id, member.id, 6).await.unwrap();
        }
        let token = store::tokens::create(db, captain.id, "bench").await.unwrap().token;
        teams.push((team.id, captain.id, token));
    }

    // 3,000 solves (pairs spread over the teams) and 10,000 wrong answers over the first two hours.
    let start = contest.starts_at;
    let mut subs = Vec::new();
    let mut solved = HashSet::new();
    for k in 0..SOLVES {
        let (team, user, _) = &teams[k % TEAMS];
        let challenge = challenges[(k / TEAMS * 7 + k) % CHALLENGES];
        if !solved.insert((*team, challenge)) {
            continue;
        }
        let at = start + Span::seconds((k as i64 * 7200) / SOLVES as i64);
        subs.push((submission(contest.id, challenge, *team, *user, "correct", at), Some(challenge)));
    }
    for k in 0..WRONG {
        let (team, user, _) = &teams[(k * 13) % TEAMS];
        let at = start + Span::seconds((k as i64 * 7200) / WRONG as i64);
        subs.push((submission(contest.id, challenges[k % CHALLENGES], *team, *user, "incorrect", at), None));
    }
    for chunk in subs.chunks(500) {
        let first = submissions::Entity::insert_many(chunk.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>())
            .exec(db)
            .await
            .unwrap();
        let _ = first;
    }
    let all = submissions::Entity::find().all(db).await.unwrap();
    let rows: Vec<solves::ActiveModel> = all
        .iter()
        .filter(|s| s.outcome == "correct")
        .map(|s| solves::ActiveModel {
            contest_id: Set(s.contest_id),
            challenge_id: Set(s.challenge_id),
            team_id: Set(s.team_id),
            user_id: Set(s.user_id),
            submission_id: Set(s.id),
            created_at: Set(s.created_at),
            ..Default::default()
        })
        .collect();
    println!(
        "world: {TEAMS} teams of 3, {} challenges, {} solves, {} submissions",
        challenges.len(),
        rows.len(),
        all.len()
    );
    for chunk in rows.chunks(500) {
        solves::Entity::insert_many(chunk.to_vec()).exec(db).await.unwrap();
    }
    // A fixed scatter (a multiplicative step coprime with the count) so that concurrent right answers fall
    // on different teams and challenges, the same in every run.
    let pairs: Vec<(usize, i32)> = (0..TEAMS)
        .flat_map(|t| challenges.iter().map(move |c| (t, *c)))
        .filter(|(t, c)| !solved.contains(&(teams[*t].0, *c)))
        .collect();
    assert!(!pairs.len().is_multiple_of(7919), "the scatter must be a permutation");
    let scattered = (0..pairs.len()).map(|i| pairs[(i * 7919) % pairs.len()]);
    let (wrong_pairs, unsolved) = scattered.partition(|(t, _)| *t < 50);
    World {
        teams: teams.into_iter().map(|(id, _, token)| (id, token)).collect(),
        answers,
        unsolved,
        wrong_pairs,
        classify,
    }
}

fn submission(
    contest: i32,
    challenge: i32,
    team: i32,
    user: i32,
    outcome: &str,
    at: chrono::DateTime<Utc>,
) -> submissions::ActiveModel {
    submissions::ActiveModel {
        contest_id: Set(contest),
        challenge_id: Set(challenge),
        team_id: Set(team),
        user_id: Set(user),
        outcome: Set(outcome.into()),
        text: Set((outcome == "incorrect").then(|| "wrong".to_owned())),
        digest: Set(None),
        ip: Set("127.0.0.1".into()),
        created_at: Set(at),
        ..Default::default()
    }
}
