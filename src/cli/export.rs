//! `mwscup export --contest SLUG --format json|csv|ctftime|audit`: the final standings (never frozen), or
//! the audit log, to stdout.

use anyhow::Context;

use super::open;
use crate::config::Overrides;
use crate::{feeds, store};

pub async fn run(overrides: &Overrides, slug: &str, format: &str) -> anyhow::Result<()> {
    let (_, db) = open(overrides).await?;
    let contest = store::contests::by_slug(&db, slug).await?.with_context(|| format!("no contest {slug:?}"))?;
    let areas = store::challenges::areas_of(&db, contest.id).await?;
    let events = store::scores::events(&db, contest.id).await?;
    let area_ids: Vec<i32> = areas.iter().map(|a| a.id).collect();
    let (overall, by_area) = events.standings_in(None, &area_ids);
    match format {
        "csv" => print!("{}", feeds::csv(&areas, &overall, &by_area)),
        "ctftime" => println!("{}", serde_json::to_string_pretty(&feeds::ctftime(&events, &overall, |_| true))?),
        "audit" => {
            let filter = store::audit::Filter { contest_id: Some(contest.id), limit: 10_000_000, ..Default::default() };
            let mut entries: Vec<store::audit::Exported> =
                store::audit::list(&db, &filter).await?.into_iter().map(Into::into).collect();
            entries.reverse();
            println!("{}", serde_json::to_string_pretty(&entries)?);
        }
        _ => println!(
            "{}",
            serde_json::to_string_pretty(&feeds::scoreboard(&contest, &areas, &overall, &by_area, None))?
        ),
    }
    Ok(())
}
