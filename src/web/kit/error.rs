//! One error type for every handler. It knows its status; `render_errors` (a middleware) turns it into a
//! page in the user's language or CTFd-shaped JSON for the API, so handlers only write `?`.

use std::collections::BTreeMap;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::names::NameError;
use crate::domain::password::PasswordError;
use crate::domain::play::Refusal;
use crate::store::StoreError;
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::{Page, format_time};

/// Every message a person can be shown for something they did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Required,
    TooManyParts {
        max: usize,
    },
    TooManyFiles {
        max: usize,
    },
    TooLong {
        max: usize,
    },
    BadCharacters,
    BadEmail,
    NotANumber,
    PasswordTooShort {
        min: usize,
    },
    PasswordTooLong {
        max: usize,
    },
    PasswordsDiffer,
    WrongCredentials,
    WrongCurrentPassword,
    UsernameTaken,
    TeamNameTaken,
    /// A username confusable with an existing one (the same skeleton, UTS #39).
    UsernameConfusable,
    /// A team name confusable with one of the contest's teams.
    TeamNameConfusable,
    /// A name with an invisible or bidirectional control character.
    InvisibleCharacters,
    AlreadyInTeam,
    StaffCannotPlay,
    RegistrationClosed,
    TeamsByOrganizers,
    TeamFull {
        max: i32,
    },
    NoSuchInviteCode,
    NoSuchUser,
    ContestEnded,
    NotInTeam,
    CaptainOnly,
    OrganizersOnly,
    /// Judging pages are for judges and organizers.
    JudgesOnly,
    /// A hackathon entry outside the `hackathon` area's window.
    EntriesClosed,
    /// A judge's mark beyond the criterion's range.
    MarkOutOfRange {
        max: i32,
    },
    /// A team organizers disqualified.
    Disqualified,
    /// A dynamic challenge's minimum above its initial points.
    MinimumAbovePoints,
    BodyNotAnObject,
    BadRequest,
    MethodNotAllowed,
    TooLarge,
    FormExpired,
    LoginRequired,
    BadToken,
    NotFound,
    NoContest,
    TryAgainIn {
        secs: u64,
    },
    /// Why an answer is not taken, with times shown in the contest's zone.
    Refused {
        refusal: Refusal,
        zone: String,
    },
    Correct,
    Incorrect,
    AlreadySolved,
    WrongTooFast {
        secs: u64,
    },
    NoAttemptsLeft,
    AnswerTooLong,
    /// An `Idempotency-Key` header that is no key.
    BadIdempotencyKey,
    /// An `Idempotency-Key` the team used for another answer within its window.
    IdempotencyKeyReused,
    JoinTeamFirst,
    RevealAfterEnd,
    /// The closing ceremony cannot be held now, and why.
    NoCeremony(crate::domain::ceremony::Refusal),
    /// A step of a ceremony that has not been started.
    CeremonyNotStarted,
    /// A disputed answer to a challenge its team has solved already.
    SolvedAlready,
    /// A revoke for a submission that made no solve.
    NoSolveToRevoke,
    /// A roster with problems: nothing was created.
    RosterRefused,
    /// An organizer taking away their own organizer role.
    OwnRole,
    /// A contest folder that fails the check: nothing was loaded.
    SourceRefused,
    /// A time or limit of the console that breaks the contest's rules (the rule in English, as
    /// `challenges check` words it).
    Schedule {
        detail: String,
    },
    DatabaseUnavailable,
    /// Every password worker stayed busy (a burst of sign-ins): try again in a moment.
    ServerBusy,
    TooManyStreams,
    StorageFailed,
    ArchiveNotYet,
    ArchiveClosed,
    FileTooLarge {
        name: String,
        limit_mib: i64,
    },
    TeamQuotaFull {
        limit_mib: i64,
    },
    EthicsUnchecked,
    FilesOrLink,
    FileRefused {
        name: String,
        why: String,
    },
    /// The datasets whose terms must be agreed to first.
    AgreementRequired {
        datasets: Vec<TermsToAgree>,
    },
    /// A form whose action cannot be undone sent without its confirmation box ticked.
    ConfirmFirst,
    /// A download link altered, made for another file, or past its hour.
    FileLinkInvalid,
    /// A download link whose holder is no longer in the team it was made for.
    FileLinkStale,
    /// A flag sent to a classification challenge.
    NoFlag,
    /// A prediction file sent to a challenge that takes flags.
    NotClassification,
    /// The team's uploads of the day are used; the next day starts at `next`.
    DailyLimit {
        max: i32,
        next: chrono::DateTime<chrono::Utc>,
        zone: String,
    },
    /// One line of a refused prediction file (line 0: the file as a whole).
    PredictionLine {
        line: usize,
        problem: crate::domain::classification::Problem,
    },
    /// More problems than were listed.
    PredictionMore {
        more: usize,
    },
    /// A third final chosen.
    TooManyFinals,
    /// A prediction file kept and scored.
    Scored {
        metric: String,
        value: String,
        rows: i64,
    },
    /// A prediction file with problems: nothing was kept.
    PredictionRefused,
    Internal,
}

impl Msg {
    pub fn text(&self, lang: Lang) -> String {
        use Msg::*;
        match self {
            Required => lang.pick("入力してください。", "This is required.").into(),
            TooManyParts { max } => lang.pick(
                format!("フォームの項目が多すぎます (最大{max})。"),
                format!("The form has too many parts ({max} at most)."),
            ),
            TooManyFiles { max } => lang.pick(
                format!("ファイルが多すぎます (最大{max}個)。"),
                format!("Too many files ({max} at most)."),
            ),
            TooLong { max } => {
                lang.pick(format!("{max}文字以内にしてください。"), format!("At most {max} characters."))
            }
            BadCharacters => {
                lang.pick("使えない文字が含まれています。", "Contains characters that are not allowed.").into()
            }
            BadEmail => lang.pick("メールアドレスの形式ではありません。", "Not an e-mail address.").into(),
            NotANumber => lang.pick("整数を指定してください。", "Must be a whole number.").into(),
            PasswordTooShort { min } => lang
                .pick(format!("パスワードは{min}文字以上にしてください。"), format!("Use at least {min} characters.")),
            PasswordTooLong { max } => {
                lang.pick(format!("パスワードは{max}バイト以内にしてください。"), format!("Use at most {max} bytes."))
            }
            PasswordsDiffer => lang.pick("確認用のパスワードが一致しません。", "The two passwords differ.").into(),
            WrongCredentials => {
                lang.pick("ユーザー名またはパスワードが違います。", "Wrong username or password.").into()
            }
            WrongCurrentPassword => lang.pick("現在のパスワードが違います。", "The current password is wrong.").into(),
            UsernameTaken => lang.pick("このユーザー名は使われています。", "That username is taken.").into(),
            TeamNameTaken => lang
                .pick("このコンテストには同じ名前のチームがあります。", "A team of that name exists in this contest.")
                .into(),
            UsernameConfusable => lang
                .pick(
                    "このユーザー名は既存のユーザー名と見分けがつきにくいため使えません (形の似た文字が使われています)。別の名前にしてください。",
                    "That username looks like an existing one (it uses look-alike characters): choose another.",
                )
                .into(),
            TeamNameConfusable => lang
                .pick(
                    "このコンテストには見分けがつきにくい名前のチームがあります (形の似た文字が使われています)。別の名前にしてください。",
                    "A team whose name looks like this one (look-alike characters) exists in this contest: choose another.",
                )
                .into(),
            InvisibleCharacters => lang
                .pick(
                    "見えない文字や文字の向きを変える制御文字 (ゼロ幅スペース、BOM、ソフトハイフン、RLO など) は使えません。",
                    "Invisible or text-direction characters (zero-width space, BOM, soft hyphen, RLO …) are not allowed.",
                )
                .into(),
            AlreadyInTeam => lang
                .pick("このコンテストではすでにチームに所属しています。", "Already in a team in this contest.")
                .into(),
            TeamsByOrganizers => lang
                .pick(
                    "このコンテストのチームは運営者が作成します。運営者から受け取った招待コードで参加してください。",
                    "In this contest the organizers create the teams: join yours with the invite code they gave you.",
                )
                .into(),
            RegistrationClosed => lang
                .pick(
                    "登録は締め切られています。アカウントは運営者が作成します。",
                    "Registration is closed: the organizers create the accounts.",
                )
                .into(),
            StaffCannotPlay => lang
                .pick(
                    "運営者と審査員はチームに参加できず、解答もできません。",
                    "Organizers and judges cannot be in a team or answer.",
                )
                .into(),
            TeamFull { max } => lang.pick(
                format!("チームは満員です (最大{max}人)。"),
                format!("The team is full ({max} members at most)."),
            ),
            NoSuchInviteCode => lang.pick("招待コードが正しくありません。", "No team has that invite code.").into(),
            NoSuchUser => lang.pick("そのユーザーはいません。", "No such user.").into(),
            ContestEnded => lang
                .pick(
                    "コンテストは終了しました。チームは変更できません。",
                    "The contest has ended: teams can no longer change.",
                )
                .into(),
            NotInTeam => {
                lang.pick("このコンテストのチームに所属していません。", "Not in a team in this contest.").into()
            }
            CaptainOnly => lang.pick("キャプテンだけができる操作です。", "Only the captain can do that.").into(),
            OrganizersOnly => lang.pick("運営者だけができる操作です。", "Only organizers can do that.").into(),
            JudgesOnly => lang.pick("審査員と運営者だけが見られるページです。", "Only judges and organizers can see this.").into(),
            EntriesClosed => lang
                .pick(
                    "ハッカソン作品の受付期間ではありません。締切後は変更できません。",
                    "Hackathon entries are not being taken now: after the deadline an entry cannot change.",
                )
                .into(),
            MarkOutOfRange { max } => lang.pick(
                format!("0 から {max} までの整数で採点してください。"),
                format!("Give a whole mark from 0 to {max}."),
            ),
            Disqualified => lang
                .pick(
                    "このチームは運営者により失格となりました。解答は受け付けません。",
                    "This team was disqualified by the organizers: its answers are not taken.",
                )
                .into(),
            MinimumAbovePoints => lang
                .pick("最低点は初期点以下にしてください。", "The minimum must not exceed the initial points.")
                .into(),
            BodyNotAnObject => lang
                .pick("本文は JSON オブジェクトかフォームにしてください。", "The body must be a JSON object or a form.")
                .into(),
            BadRequest => lang.pick("リクエストが正しくありません。", "The request is malformed.").into(),
            MethodNotAllowed => {
                lang.pick("このアドレスはその方法では使えません。", "This address does not take that method.").into()
            }
            TooLarge => lang.pick("送信された内容が大きすぎます。", "What was sent is too large.").into(),
            FormExpired => lang
                .pick(
                    "フォームの有効期限が切れました。ページを再読み込みしてやり直してください。",
                    "The form has expired: reload the page and try again.",
                )
                .into(),
            LoginRequired => lang
                .pick(
                    "ログインしてください (スクリプトは Authorization: Token <API トークン> を送ってください)。",
                    "Please log in (a script sends its API token as Authorization: Token <token>).",
                )
                .into(),
            BadToken => {
                lang.pick("API トークンが正しくないか、失効しています。", "The API token is wrong or revoked.").into()
            }
            NotFound => lang.pick("見つかりません。", "Not found.").into(),
            NoContest => lang.pick("コンテストがありません。", "There is no contest.").into(),
            TryAgainIn { secs } => lang.pick(
                format!("失敗が続いたため制限中です。{secs}秒後にもう一度お試しください。"),
                format!("Too many failed attempts: try again in {secs} s."),
            ),
            Refused { refusal, zone } => refusal_text(refusal, zone, lang),
            Correct => lang.pick("正解です!", "Correct!").into(),
            Incorrect => lang.pick("不正解です。", "Incorrect.").into(),
            AlreadySolved => {
                lang.pick("この問題はすでにチームで解いています。", "Your team has solved this already.").into()
            }
            WrongTooFast { secs } => lang.pick(
                format!("誤答が続いています。{secs}秒待ってから送ってください。"),
                format!("Too many wrong answers: wait {secs} s before the next."),
            ),
            NoAttemptsLeft => {
                lang.pick("この問題の解答回数の上限に達しました。", "No attempts left for this challenge.").into()
            }
            AnswerTooLong => lang.pick("解答は1 KiB以内にしてください。", "Answers are at most 1 KiB.").into(),
            BadIdempotencyKey => lang
                .pick(
                    "Idempotency-Key は空白を含まない表示可能な ASCII 文字で、1〜128 バイトにしてください。",
                    "An Idempotency-Key is 1 to 128 bytes of visible ASCII, without spaces.",
                )
                .into(),
            IdempotencyKeyReused => lang
                .pick(
                    "この Idempotency-Key は、24 時間以内にチームの別の解答 (別の問題か別の内容) に使われています。解答ごとに新しいキーを使ってください。",
                    "This Idempotency-Key was used for another answer of your team (another challenge or another answer) within 24 hours: use a new key for each answer.",
                )
                .into(),
            JoinTeamFirst => lang
                .pick(
                    "問題を見るには、このコンテストのチームに参加してください。",
                    "Join a team of this contest to see its challenges.",
                )
                .into(),
            ArchiveNotYet => lang
                .pick(
                    "アーカイブへの登録はコンテストの終了後に始まります。",
                    "Items can be added to the archive once the contest has ended.",
                )
                .into(),
            ArchiveClosed => lang
                .pick("このコンテストのアーカイブ登録は締め切られました。", "The archive of this contest is closed.")
                .into(),
            FileTooLarge { name, limit_mib } => lang.pick(
                format!("{name} は大きすぎます (1ファイル {limit_mib} MiB まで)。何も保存していません。"),
                format!("{name} is too large ({limit_mib} MiB a file at most). Nothing was stored."),
            ),
            TeamQuotaFull { limit_mib } => lang.pick(
                format!("チームの容量を超えます (残り {limit_mib} MiB)。何も保存していません。"),
                format!("This would exceed your team's space ({limit_mib} MiB left). Nothing was stored."),
            ),
            EthicsUnchecked => lang
                .pick(
                    "倫理チェックリストのすべての項目を確認してください。",
                    "Confirm every point of the ethics checklist.",
                )
                .into(),
            FilesOrLink => lang.pick("ファイルかリンクを付けてください。", "Add files or a link.").into(),
            FileRefused { name, why } => {
                lang.pick(format!("{name} は受け付けられません: {why}"), format!("{name} is refused: it {why}"))
            }
            TooManyStreams => lang
                .pick(
                    "ライブ更新の接続が多すぎます。しばらくしてから再接続してください。",
                    "Too many live connections: reconnect in a moment.",
                )
                .into(),
            ServerBusy => lang
                .pick(
                    "ただいま混み合っています。数秒後にもう一度お試しください。",
                    "The server is busy: try again in a few seconds.",
                )
                .into(),
            DatabaseUnavailable => lang
                .pick("データベースに一時的に接続できません。少し待ってからもう一度お試しください。何も変更されていません。", "The database cannot be reached for the moment: try again shortly. Nothing was changed.")
                .into(),
            StorageFailed => lang
                .pick("ファイルを保存できませんでした。何も保存していません。運営者に連絡してください。", "The server could not store the files. Nothing was kept; please tell the organizers.")
                .into(),
            RevealAfterEnd => lang
                .pick(
                    "最終結果はコンテストの終了後に公開できます。",
                    "The final standings can be revealed after the end.",
                )
                .into(),
            NoCeremony(refusal) => {
                use crate::domain::ceremony::Refusal;
                match refusal {
                    Refusal::NotEnded => lang.pick(
                        "表彰式はコンテストの終了後に行えます。",
                        "The closing ceremony can be held after the end of the contest.",
                    ),
                    Refusal::NoFreeze => lang.pick(
                        "このコンテストにはスコアボードの凍結がなかったため、表彰式で公開する結果はありません。最終結果は運営者の画面から公開してください。",
                        "This contest had no scoreboard freeze before its end: the ceremony has nothing to reveal. Reveal the results from the console.",
                    ),
                    Refusal::Revealed => lang.pick(
                        "最終結果は公開済みです。表彰式は終わっています。",
                        "The final standings are revealed already: the ceremony is over.",
                    ),
                }
                .into()
            }
            CeremonyNotStarted => lang
                .pick("表彰式はまだ始まっていません。先に開始してください。", "The ceremony has not started: start it first.")
                .into(),
            SolvedAlready => lang
                .pick(
                    "このチームはこの問題をすでに解いています。何も変更していません。",
                    "The team has solved this challenge already. Nothing was changed.",
                )
                .into(),
            Schedule { detail } => lang.pick(format!("日時・設定が正しくありません: {detail}"), detail.clone()),
            SourceRefused => lang
                .pick("問題フォルダに問題があります (下の一覧)。何も読み込んでいません。", "The folder has problems (listed below). Nothing was loaded.")
                .into(),
            OwnRole => lang
                .pick("自分の運営者権限は外せません (別の運営者が行ってください)。", "You cannot take away your own organizer role; another organizer can.")
                .into(),
            RosterRefused => lang
                .pick(
                    "名簿に問題があります (下の一覧)。何も作成していません。",
                    "The roster has problems (listed below). Nothing was created.",
                )
                .into(),
            NoSolveToRevoke => lang
                .pick("この解答は正解になっていません。取り消すものはありません。", "This answer made no solve: there is nothing to revoke.")
                .into(),
            AgreementRequired { datasets } => {
                let list: Vec<String> =
                    datasets.iter().map(|t| format!("{} ({})", t.name, t.agree_url)).collect();
                lang.pick(
                    format!(
                        "このファイルを受け取るには、次のデータセットの利用規約に同意してください: {}",
                        list.join("、")
                    ),
                    format!("To receive this file, first agree to the terms of: {}", list.join(", ")),
                )
            }
            ConfirmFirst => lang
                .pick("取り消せない操作です。確認の欄にチェックを入れてから実行してください。", "This cannot be undone: tick the confirmation box first.")
                .into(),
            FileLinkInvalid => lang
                .pick(
                    "このダウンロードリンクは無効か期限切れです。問題をもう一度開いて新しいリンクを受け取ってください。",
                    "This download link is invalid or has expired: open the challenge again for a fresh link.",
                )
                .into(),
            FileLinkStale => lang
                .pick(
                    "このダウンロードリンクを受け取ったときのチームに、今は属していません。",
                    "This download link was made for a team you are no longer in.",
                )
                .into(),
            NoFlag => lang
                .pick(
                    "この問題はフラグではなく予測ファイル (CSV: id,label) で解答します。問題のページからアップロードしてください。",
                    "This challenge takes a prediction file (CSV: id,label), not a flag: upload it on the challenge's page.",
                )
                .into(),
            NotClassification => lang
                .pick("この問題は予測ファイルを受け付けません (フラグで解答します)。", "This challenge takes a flag, not a prediction file.")
                .into(),
            DailyLimit { max, next, zone } => lang.pick(
                format!("本日のアップロード ({max} 回) を使い切りました。次は {} から送れます。", format_time(next, zone)),
                format!("Your team has used today's {max} uploads; the next day starts at {}.", format_time(next, zone)),
            ),
            PredictionLine { line, problem } => prediction_text(*line, problem, lang),
            PredictionMore { more } => {
                lang.pick(format!("ほかに {more} 件の問題があります。"), format!("and {more} more problems."))
            }
            Scored { metric, value, rows } => lang.pick(
                format!("採点しました ({rows} 行): 公開部分の {metric} = {value}"),
                format!("Scored ({rows} rows): {metric} on the public part = {value}"),
            ),
            PredictionRefused => lang
                .pick("ファイルに問題があります (下の一覧)。保存していません。", "The file has problems (listed below). Nothing was kept.")
                .into(),
            TooManyFinals => lang
                .pick("最終提出に選べるのは2つまでです。先にどれかを外してください。", "At most two uploads can be final: unselect one first.")
                .into(),
            Internal => lang
                .pick(
                    "サーバーでエラーが起きました。運営者に連絡してください。",
                    "The server failed. Please tell the organizers.",
                )
                .into(),
        }
    }
}

fn prediction_text(line: usize, problem: &crate::domain::classification::Problem, lang: Lang) -> String {
    use crate::domain::classification::Problem as P;
    let what = match problem {
        P::Empty => lang.pick("ファイルに行がありません。".to_owned(), "the file has no rows.".to_owned()),
        P::NotUtf8 => lang.pick("UTF-8 のテキストではありません。".into(), "is not UTF-8 text.".into()),
        P::Header { expected } => lang.pick(
            format!("1行目は見出し {expected} にしてください。"),
            format!("the first line must be the header {expected}."),
        ),
        P::Columns { expected, found } => lang.pick(
            format!("列が {found} 個あります ({expected} 個のはずです)。"),
            format!("has {found} columns, not {expected}."),
        ),
        P::BlankId => lang.pick("id が空です。".into(), "the id is empty.".into()),
        P::UnknownId { id } => lang.pick(format!("テストセットにない id です: {id:?}"), format!("unknown id {id:?}.")),
        P::DuplicateId { id, first } => lang.pick(
            format!("id {id:?} が重複しています ({first} 行目にもあります)。"),
            format!("id {id:?} again (first on line {first})."),
        ),
        P::UnknownLabel { label } => {
            lang.pick(format!("ラベル {label:?} は使えません。"), format!("{label:?} is not one of the labels."))
        }
        P::Missing { count, first } => {
            let list = crate::domain::classification::missing_list(first, *count);
            lang.pick(
                format!("{count} 個の id の行がありません (id 順で最初のもの: {list})。すべての id を1回ずつ書いてください。"),
                format!("{count} ids have no row (the first in id order: {list}): give every id once."),
            )
        }
        other => other.to_string(),
    };
    if line == 0 { what } else { lang.pick(format!("{line} 行目: {what}"), format!("line {line}: {what}")) }
}

fn refusal_text(refusal: &Refusal, zone: &str, lang: Lang) -> String {
    let t = |at: &chrono::DateTime<chrono::Utc>| format_time(at, zone);
    match refusal {
        Refusal::Paused => lang
            .pick("競技は一時停止中です。再開までお待ちください。", "The contest is paused: wait until it resumes.")
            .into(),
        Refusal::NotStarted { opens_at } => lang.pick(
            format!("コンテストは {} に始まります。", t(opens_at)),
            format!("The contest starts at {}.", t(opens_at)),
        ),
        Refusal::Ended { closed_at } => lang.pick(
            format!("コンテストは {} に終了しました。", t(closed_at)),
            format!("The contest ended at {}.", t(closed_at)),
        ),
        Refusal::AreaNotOpen { opens_at } => lang
            .pick(format!("この部門は {} に始まります。", t(opens_at)), format!("This area opens at {}.", t(opens_at))),
        Refusal::AreaClosed { closed_at } => lang.pick(
            format!("この部門は {} に締め切られました。", t(closed_at)),
            format!("This area closed at {}.", t(closed_at)),
        ),
        Refusal::NotOpen { opens_at } => lang.pick(
            format!("この問題は {} に公開されます。", t(opens_at)),
            format!("This challenge opens at {}.", t(opens_at)),
        ),
        Refusal::Closed { closed_at } => lang.pick(
            format!("この問題は {} に締め切られました。", t(closed_at)),
            format!("This challenge closed at {}.", t(closed_at)),
        ),
        Refusal::Locked { requires } => lang.pick(
            format!("先に次の問題を解いてください: {}", requires.join("、")),
            format!("Solve these first: {}", requires.join(", ")),
        ),
    }
}

impl From<NameError> for Msg {
    fn from(e: NameError) -> Self {
        match e {
            NameError::Empty => Msg::Required,
            NameError::TooLong { max } => Msg::TooLong { max },
            NameError::BadCharacters => Msg::BadCharacters,
            NameError::Invisible => Msg::InvisibleCharacters,
        }
    }
}

impl From<PasswordError> for Msg {
    fn from(e: PasswordError) -> Self {
        match e {
            PasswordError::TooShort { min } => Msg::PasswordTooShort { min },
            PasswordError::TooLong { max } => Msg::PasswordTooLong { max },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400, with the field each message is about.
    #[error("invalid input")]
    Invalid(Vec<(&'static str, Msg)>),
    /// 401 on the API; on pages a redirect to the login form.
    #[error("login required")]
    LoginRequired,
    #[error("bad API token")]
    BadToken,
    /// 401 shown as it is (a refused login), never a redirect.
    #[error("unauthorized")]
    Unauthorized(Msg),
    #[error("forbidden")]
    Forbidden(Msg),
    #[error("CSRF token missing or wrong")]
    Csrf,
    #[error("not found")]
    NotFound,
    #[error("conflict")]
    Conflict(Msg),
    /// 422: a well-formed request that contradicts an earlier one (an `Idempotency-Key` reused).
    #[error("unprocessable")]
    Unprocessable(Msg),
    #[error("too many requests")]
    TooMany { wait_secs: u64 },
    /// 413: an upload over a limit.
    #[error("too large")]
    TooLarge(Msg),
    /// 503: the database or the disk is unreachable for now; nothing was changed.
    #[error("unavailable")]
    Unavailable(Msg),
    /// An error that came from outside our handlers (the router, an extractor of actix-web), by status.
    #[error("{0}")]
    Status(StatusCode),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn field(field: &'static str, msg: impl Into<Msg>) -> Self {
        AppError::Invalid(vec![(field, msg.into())])
    }

    fn message(&self) -> Msg {
        match self {
            AppError::Invalid(fields) => fields.first().map(|(_, m)| m.clone()).unwrap_or(Msg::BadRequest),
            AppError::LoginRequired => Msg::LoginRequired,
            AppError::BadToken => Msg::BadToken,
            AppError::Forbidden(m)
            | AppError::Conflict(m)
            | AppError::Unprocessable(m)
            | AppError::Unauthorized(m)
            | AppError::TooLarge(m)
            | AppError::Unavailable(m) => m.clone(),
            AppError::Csrf => Msg::FormExpired,
            AppError::NotFound => Msg::NotFound,
            AppError::TooMany { wait_secs } => Msg::TryAgainIn { secs: *wait_secs },
            AppError::Status(status) => match status.as_u16() {
                404 => Msg::NotFound,
                405 => Msg::MethodNotAllowed,
                413 => Msg::TooLarge,
                400..=499 => Msg::BadRequest,
                _ => Msg::Internal,
            },
            AppError::Internal(_) => Msg::Internal,
        }
    }

    /// The message in the user's language, for a form that shows it beside its fields.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            AppError::Invalid(fields) if fields.len() > 1 => {
                fields.iter().map(|(_, m)| m.text(lang)).collect::<Vec<_>>().join(" ")
            }
            other => other.message().text(lang),
        }
    }

    fn json(&self, lang: Lang) -> ApiFailure {
        match self {
            AppError::Invalid(fields) => {
                let mut errors = BTreeMap::<&str, Vec<String>>::new();
                for (field, msg) in fields {
                    errors.entry(*field).or_default().push(msg.text(lang));
                }
                ApiFailure::Fields { success: false, errors }
            }
            AppError::Forbidden(Msg::AgreementRequired { datasets }) => {
                ApiFailure::Terms { success: false, message: self.message().text(lang), datasets: datasets.clone() }
            }
            other => ApiFailure::Message { success: false, message: other.message().text(lang) },
        }
    }
}

/// An error of the API, in CTFd's shapes.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ApiFailure {
    /// Refused as a whole (401, 403, 404, …), with why in the caller's language.
    Message {
        /// Always `false`.
        success: bool,
        message: String,
    },
    /// 400: each field at fault, with its messages.
    Fields {
        /// Always `false`.
        success: bool,
        errors: BTreeMap<&'static str, Vec<String>>,
    },
    /// 403 for a file whose datasets' terms the caller has not agreed to: which, and where to agree.
    Terms {
        /// Always `false`.
        success: bool,
        message: String,
        datasets: Vec<TermsToAgree>,
    },
}

/// A dataset whose terms a user must agree to, and where a person does so: what a script is told when a
/// file is refused for want of an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TermsToAgree {
    pub key: String,
    pub name: String,
    pub terms_version: String,
    /// The page where the terms are read and agreed to (in a browser, signed in).
    pub agree_url: String,
}

impl TermsToAgree {
    pub fn of(dataset: &entity::datasets::Model) -> Self {
        TermsToAgree {
            key: dataset.key.clone(),
            name: dataset.name.clone(),
            terms_version: dataset.terms_version.clone(),
            agree_url: format!("/datasets/{}", crate::web::kit::page::url_encode(&dataset.key)),
        }
    }
}

/// A transaction's own failures (begin, commit) are the store's.
impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        StoreError::from(e).into()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UsernameTaken => AppError::field("name", Msg::UsernameTaken),
            StoreError::TeamNameTaken => AppError::Conflict(Msg::TeamNameTaken),
            StoreError::UsernameConfusable => AppError::field("name", Msg::UsernameConfusable),
            StoreError::TeamNameConfusable => AppError::Conflict(Msg::TeamNameConfusable),
            StoreError::AlreadyInTeam => AppError::Conflict(Msg::AlreadyInTeam),
            StoreError::TeamFull { max } => AppError::Conflict(Msg::TeamFull { max }),
            StoreError::StaffCannotPlay => AppError::Forbidden(Msg::StaffCannotPlay),
            StoreError::NotFound => AppError::NotFound,
            StoreError::Db(db) if unreachable(&db) => {
                tracing::warn!(error = %db, "the database is unreachable");
                AppError::Unavailable(Msg::DatabaseUnavailable)
            }
            StoreError::Db(db) => AppError::Internal(db.into()),
        }
    }
}

/// Whether a database error means the database cannot be reached (a restart, a dropped connection, a full
/// pool), rather than a fault of ours: the request can be tried again.
fn unreachable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    match err {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(
                **e,
                sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed
            ) || matches!(&**e, sqlx::Error::Database(d) if d.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")))
        }
        DbErr::Conn(_) => true,
        _ => false,
    }
}

impl From<crate::hashing::HashingError> for AppError {
    fn from(e: crate::hashing::HashingError) -> Self {
        match e {
            crate::hashing::HashingError::Busy => AppError::Unavailable(Msg::ServerBusy),
            failed => AppError::Internal(failed.into()),
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::LoginRequired | AppError::BadToken | AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Status(status) => *status,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A plain answer; `render_errors` replaces it with the real one once it knows who asked.
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).finish()
    }
}

/// Whether a path belongs to the JSON API rather than to the pages.
/// Feeds (`scoreboard.json`, `ctftime.json`) and the event stream answer like the API too.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
        || (path.starts_with("/contests/")
            && (path.contains("/api/v1") || path.ends_with(".json") || path.ends_with("/events")))
}

/// Whether a refusal is told as JSON (a status and a message, never a redirect to the login form): to the
/// API and feeds, to anyone who sends an `Authorization` header, and to a script fetching a file (a browser's
/// navigation asks for `text/html`; `requests`, `curl` and CTFd's downloaders do not).
pub fn answers_with_json(req: &actix_web::HttpRequest) -> bool {
    let headers = req.headers();
    let asks_for_html =
        || headers.get_all(header::ACCEPT).filter_map(|v| v.to_str().ok()).any(|accept| accept.contains("text/html"));
    is_api_path(req.path())
        || headers.contains_key(header::AUTHORIZATION)
        || (req.path().starts_with("/files/") && !asks_for_html())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    page: &'a Page,
    message: String,
    /// Where the message points (the terms to agree to), as links.
    links: Vec<(String, String)>,
}

/// Renders every `AppError` a handler or an extractor returned, as JSON or as a page.
pub async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let lang = Lang::of(req.request());
    let api = answers_with_json(req.request());
    // The request must not be cloned before routing: the router needs it unshared.
    let res = next.call(req).await?;
    let http_req = res.request().clone();
    let fallback;
    let err = match res.response().error().and_then(|e| e.as_error::<AppError>()) {
        Some(err) => err,
        None => {
            let status = res.status();
            let bare = matches!(res.response().body().size(), BodySize::None | BodySize::Sized(0));
            let failed = status.is_client_error() || status.is_server_error();
            if !failed || (!bare && res.response().error().is_none()) {
                return Ok(res.map_into_boxed_body());
            }
            fallback = AppError::Status(status);
            &fallback
        }
    };
    if let AppError::Internal(cause) = err {
        tracing::error!(error = ?cause, path = http_req.path(), "request failed");
    }
    // CTFd answers an anonymous API call 403, and its clients take a 401 for a wrong token.
    let status = match err {
        AppError::LoginRequired if http_req.path().contains("/api/v1/") => StatusCode::FORBIDDEN,
        _ => err.status_code(),
    };
    let mut out = if api {
        HttpResponse::build(status).json(err.json(lang))
    } else if matches!(err, AppError::LoginRequired) {
        let next = http_req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let target = format!("/login?next={}", crate::web::kit::page::url_encode(next));
        HttpResponse::SeeOther().insert_header((header::LOCATION, target)).finish()
    } else {
        let page = Page::for_error(&http_req, lang);
        let links = match err {
            AppError::Forbidden(Msg::AgreementRequired { datasets }) => {
                datasets.iter().map(|t| (t.name.clone(), t.agree_url.clone())).collect()
            }
            _ => Vec::new(),
        };
        let body =
            ErrorPage { page: &page, message: err.text(lang), links }.render().unwrap_or_else(|_| err.text(lang));
        HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body)
    };
    if let AppError::TooMany { wait_secs } = err {
        out.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(*wait_secs));
    }
    if let AppError::Unavailable(_) = err {
        out.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(5u32));
    }
    // Cookies the handler set (a fresh CSRF token, say) still go out with the error.
    for cookie in res.response().cookies() {
        let _ = out.add_cookie(&cookie);
    }
    Ok(ServiceResponse::new(http_req, out))
}
