//! Japanese and English. Each text is written once with both languages side by side, so neither can be
//! forgotten; templates read them as fields (`t.login`), checked when the crate compiles.

use actix_web::HttpRequest;

pub const LANG_COOKIE: &str = "lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Ja => &JA,
            Lang::En => &EN,
        }
    }

    /// Picks between a Japanese and an English value.
    pub fn pick<T>(self, ja: T, en: T) -> T {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    /// Organizer-written text in this language, falling back to the Japanese when no English was given.
    pub fn text<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En if !en.trim().is_empty() => en,
            _ => ja,
        }
    }

    /// The language of a request: the switch's cookie, else `Accept-Language`, else Japanese.
    pub fn of(req: &HttpRequest) -> Lang {
        if let Some(lang) = req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())) {
            return lang;
        }
        req.headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(from_accept_language)
            .unwrap_or(Lang::Ja)
    }
}

/// The preferred of Japanese and English in an `Accept-Language` header, by quality.
fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for part in header.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
        let lang = match tag.split('-').next() {
            Some("ja") => Lang::Ja,
            Some("en") => Lang::En,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

macro_rules! texts {
    ($($field:ident: $ja:expr, $en:expr;)*) => {
        /// Every fixed text of the pages, in one language.
        pub struct Texts { $(pub $field: &'static str,)* }
        pub static JA: Texts = Texts { $($field: $ja,)* };
        pub static EN: Texts = Texts { $($field: $en,)* };
        /// Every (Japanese, English) pair of the table: what a test holds Japanese pages to.
        pub static PAIRS: &[(&str, &str)] = &[$(($ja, $en),)*];
    };
}

texts! {
    site_name: "MWS Cup", "MWS Cup";
    skip_to_content: "本文へ移動", "Skip to content";
    switch_to: "English", "日本語";
    nav_home: "ホーム", "Home";
    nav_login: "ログイン", "Log in";
    nav_register: "登録", "Register";
    nav_logout: "ログアウト", "Log out";
    nav_account: "アカウント", "Account";
    signed_in_as: "ログイン中:", "Signed in as";
    home_title: "コンテスト", "Contests";
    home_lead: "anti-Malware engineering WorkShop のマルウェア解析コンテスト", "The malware-analysis contest of the anti-Malware engineering WorkShop";
    running: "開催中", "Running";
    upcoming: "開催予定", "Upcoming";
    past: "終了", "Past";
    no_contests: "コンテストはまだありません。", "No contests yet.";
    phase_upcoming: "開始前", "Not started";
    phase_running: "開催中", "Running";
    phase_frozen: "開催中 (スコアボード凍結)", "Running (scoreboard frozen)";
    phase_ended: "終了", "Ended";
    username: "ユーザー名", "Username";
    username_hint: "英数字と _ - . で32文字まで", "Letters, digits, _ - . (up to 32)";
    password: "パスワード", "Password";
    password_hint: "8文字以上", "At least 8 characters";
    password_confirm: "パスワード (確認)", "Password (again)";
    email_optional: "メールアドレス (任意)", "E-mail (optional)";
    register_title: "アカウント登録", "Create an account";
    register_submit: "登録する", "Register";
    have_account: "アカウントをお持ちの方はこちら", "Already registered? Log in";
    login_title: "ログイン", "Log in";
    login_submit: "ログイン", "Log in";
    no_account: "アカウントの登録はこちら", "No account yet? Register";
    account_title: "アカウント", "Account";
    role: "権限", "Role";
    change_password: "パスワードの変更", "Change password";
    current_password: "現在のパスワード", "Current password";
    new_password: "新しいパスワード", "New password";
    change_password_submit: "変更する", "Change";
    inline_cut: "表示する本文の量には上限があるため、一部のテキストファイルは本文を表示していません。ダウンロードしてご覧ください。", "Some text files are not shown here, as a page shows a limited amount of text: download them to read them.";
    staff_play_none: "運営者と審査員はチームに参加せず、解答もしません。", "Organizers and judges are in no team and answer nothing.";
    teams_by_organizers: "このコンテストのチームは運営者が作成します。受け取った招待コードで参加してください。", "In this contest the organizers create the teams: join yours with the invite code they gave you.";
    password_changed: "パスワードを変更しました。他の端末のログインと API トークンはすべて無効になりました。スクリプトには新しいトークンを作成してください。", "Password changed. Your other sessions and all your API tokens have ended: create a new token for your scripts.";
    tokens_title: "API トークン", "API tokens";
    tokens_lead: "スクリプトからは Authorization: Token <トークン> ヘッダーを付けて /api/v1 を呼び出します。", "Scripts call /api/v1 with the header Authorization: Token <token>.";
    token_name: "名前", "Name";
    token_create: "トークンを作成", "Create token";
    token_created_once: "新しいトークンです。この画面を離れると二度と表示されません。今すぐ控えてください。", "Your new token. It will not be shown again: copy it now.";
    token_prefix: "先頭", "Starts with";
    created_at: "作成", "Created";
    last_used: "最終使用", "Last used";
    never: "未使用", "Never";
    revoke: "失効させる", "Revoke";
    no_tokens: "トークンはありません。", "No tokens.";
    token_revoked: "トークンを失効させました。", "Token revoked.";
    contest_schedule: "日程", "Schedule";
    starts_at: "開始", "Starts";
    ends_at: "終了", "Ends";
    freeze_at: "スコアボード凍結", "Scoreboard freezes";
    status: "状態", "Status";
    teams_count: "参加チーム数", "Teams";
    max_team_size: "チームの最大人数", "Team size limit";
    your_team: "あなたのチーム", "Your team";
    open_team: "チームページへ", "Team page";
    create_team: "チームを作る", "Create a team";
    team_name: "チーム名", "Team name";
    affiliation: "所属 (任意)", "Affiliation (optional)";
    create_team_submit: "作成する", "Create";
    join_team: "チームに参加する", "Join a team";
    invite_code: "招待コード", "Invite code";
    join_submit: "参加する", "Join";
    login_to_join: "チームを作るか参加するにはログインしてください。", "Log in to create or join a team.";
    team_title: "チーム", "Team";
    members: "メンバー", "Members";
    captain: "キャプテン", "Captain";
    joined_at: "参加日時", "Joined";
    invite_lead: "このコードを仲間に伝えると、コンテストページからチームに参加できます。", "Share this code with your teammates: they join from the contest page.";
    renew_invite: "招待コードを再発行", "Renew invite code";
    leave_team: "チームを抜ける", "Leave team";
    leave_confirm: "本当にチームを抜けますか? 最後のメンバーが抜けるとチームは削除されます。", "Leave the team? When the last member leaves, the team is deleted.";
    back_to_contest: "コンテストへ戻る", "Back to the contest";
    error_title: "エラー", "Error";
    back_home: "ホームへ戻る", "Back to home";
    times_in: "時刻のタイムゾーン:", "Times in";
    nav_datasets: "データセット", "Datasets";
    datasets_title: "MWS Datasets", "MWS Datasets";
    datasets_lead: "MWS Cup の問題の多くは、研究用データセット MWS Datasets を基にしています。利用には誓約書による手続きが必要なものがあります。", "Many MWS Cup challenges are built on MWS Datasets, the research datasets of the workshop. Some may be used only after a signed pledge.";
    kind_observation: "観測系", "Observation";
    kind_analysis: "解析系", "Analysis";
    kind_other: "その他", "Other";
    period: "収集期間", "Collected";
    agreement_required: "利用規約への同意が必要", "Agreement required";
    agreement_not_required: "同意は不要", "No agreement needed";
    agreed_on: "同意済み", "Agreed";
    built_on_it: "このデータセットを基にした問題", "Challenges built on it";
    none_yet: "まだありません。", "None yet.";
    terms_title: "利用規約", "Terms of use";
    terms_version: "版", "Version";
    agree_submit: "上記の規約に同意する", "I agree to these terms";
    agreed_notice: "利用規約に同意しました。添付ファイルをダウンロードできます。", "You agreed to the terms: its files are open to you.";
    back_to_challenge: "問題に戻る", "Back to the challenge";
    login_to_agree: "同意するにはログインしてください。", "Log in to agree.";
    agreements_title: "同意の記録", "Agreements";
    agreements_lead: "誓約書を受け取った参加者の同意を、まとめて記録できます。ユーザー名を1行に1つずつ入力してください。", "Record the agreements of people whose signed pledge you hold: one username a line.";
    usernames: "ユーザー名 (1行に1つ)", "Usernames (one a line)";
    record_submit: "記録する", "Record";
    recorded_by: "記録者", "Recorded by";
    self_agreed: "本人", "Themselves";
    console_challenges: "問題一覧 (運営者)", "Challenges (organizers)";
    console_lead: "challenges sync で読み込んだ問題です。正解は保存されていません (ハッシュのみ)。", "The challenges as loaded by challenges sync. Answers are not stored: digests only.";
    slug: "スラッグ", "Slug";
    points: "配点", "Points";
    dynamic_scoring: "動的", "dynamic";
    opens: "公開", "Opens";
    closes: "締切", "Closes";
    attempts: "解答回数の上限", "Attempt limit";
    unlimited: "無制限", "unlimited";
    requires: "前提", "Requires";
    datasets: "データセット", "Datasets";
    hints: "ヒント", "Hints";
    cost: "消費する点", "cost";
    files: "添付ファイル", "Files";
    answer_rule: "照合規則", "Answer rule";
    answer_format: "解答形式", "Answer format";
    answer_gains: "正解で得られる点", "A right answer gains";
    digests: "ハッシュ数", "Digests";
    no_challenges: "問題はまだ読み込まれていません。", "No challenges loaded yet.";
    group: "グループ", "Group";
    board_title: "問題", "Challenges";
    open_board: "問題一覧へ", "Go to the challenges";
    time_left: "残り時間", "Time left";
    area_closes: "締切", "Closes";
    solves: "解答チーム数", "Solves";
    solved_mark: "解答済み", "Solved";
    opens_label: "公開予定", "Opens";
    locked_label: "ロック中。先に解く問題:", "Locked. Solve first:";
    closed_label: "締切済み", "Closed";
    points_now: "現在の配点", "Points now";
    dynamic_note: "動的配点: 解いたチームが増えるほど、解いた全チームの得点が下がります。", "Dynamic: the value falls as more teams solve it, for every team that solved it.";
    answer_label: "解答", "Answer";
    submit_answer: "送信", "Submit";
    attempts_left: "残り解答回数", "Attempts left";
    your_attempts: "チームの解答履歴", "Your team's attempts";
    no_attempts_yet: "まだ解答していません。", "No attempts yet.";
    outcome_correct: "正解", "Correct";
    outcome_incorrect: "不正解", "Incorrect";
    outcome_already_solved: "解答済み", "Already solved";
    by_user: "解答者", "By";
    at_time: "時刻", "Time";
    result: "結果", "Result";
    typed: "内容", "Text";
    submission_id: "解答ID", "Submission ID";
    unlock_hint: "ヒントを見る", "Unlock";
    hint_locked: "未開封のヒント", "Locked hint";
    hint_confirm_title: "ヒントを開きますか?", "Unlock this hint?";
    hint_confirm_lead: "このヒントを開くと、チームの得点から次の点が差し引かれます。一度開いたヒントは、チーム全員が何度でも見られます。", "Unlocking this hint deducts these points from your team's score. Once unlocked, every member sees it.";
    confirm_unlock: "差し引いて開く", "Deduct and unlock";
    cancel: "やめる", "Cancel";
    terms_needed: "添付ファイルを受け取るには、次のデータセットの利用規約に同意してください:", "To receive its files, agree to the terms of:";
    announcements: "お知らせ", "Announcements";
    no_announcements: "お知らせはありません。", "No announcements.";
    paused_banner: "競技は一時停止中です。再開まで解答は受け付けられません。", "The contest is paused: no answers are taken until it resumes.";
    hours_minutes: "時間", "h";
    minutes: "分", "min";
    console_pause: "一時停止する", "Pause the contest";
    pause_warning: "一時停止中は、すべてのチームの解答とヒントの開封を受け付けません。再開するまで続きます。", "While paused, no team's answers or hint unlocks are taken, until you resume.";
    confirm_sure: "確認しました", "I'm sure";
    console_resume: "再開する", "Resume the contest";
    console_announce: "お知らせを投稿", "Post an announcement";
    title_ja: "タイトル (日本語)", "Title (Japanese)";
    title_en: "タイトル (英語)", "Title (English)";
    body_ja: "本文 (日本語, Markdown)", "Text (Japanese, Markdown)";
    body_en: "本文 (英語, Markdown)", "Text (English, Markdown)";
    post_submit: "投稿する", "Post";
    console_title: "運営コンソール", "Organizer console";
    admin_title: "運営", "Administration";
    admin_contests: "大会", "Contests";
    audit_title: "操作記録", "Audit log";
    audit_lead: "運営者と審査員の操作をすべて記録しています (誰が、いつ、何を、前後の値)。", "Every action of organizers and judges: who, when, what, and the values before and after.";
    audit_contest: "大会", "Contest";
    audit_all: "すべて", "All";
    audit_actor: "操作者", "Who";
    audit_action: "操作", "Action";
    audit_target: "対象", "On";
    audit_changes: "変更内容 (項目: 変更前 → 変更後)", "Changes (field: before → after)";
    audit_when: "日時", "When";
    audit_filter: "絞り込む", "Filter";
    audit_newest: "新しい順に最大", "Newest first, at most";
    users_title: "アカウント", "Accounts";
    sync_title: "問題の読み込み (challenges sync)", "Load challenges (challenges sync)";
    sync_lead: "サーバーの問題フォルダから大会を検査して読み込みます。問題があれば何も書き込みません。フォルダ:", "Checks a contest folder of the server's challenges folder and loads it; with any problem, nothing is written. Folder:";
    sync_folder: "大会フォルダ", "Contest folder";
    sync_submit: "検査して読み込む", "Check and load";
    sync_nothing: "変更はありません。", "Nothing changed.";
    sync_more: "ほかの変更 (すべてはコマンドラインの challenges sync が表示します):", "Changes not listed here (the command line's challenges sync lists all):";
    move_member: "メンバーを移す (ユーザー名)", "Move a member (username)";
    move_submit: "移す", "Move";
    username_label: "ユーザー名", "Username";
    role_label: "権限", "Role";
    role_participant: "参加者", "Participant";
    area_static: "静的解析", "Static analysis";
    area_dynamic: "動的解析", "Dynamic analysis";
    area_surface: "表層解析", "Surface analysis";
    area_dfir: "攻撃痕跡ログ分析", "DFIR";
    area_hackathon: "ハッカソン", "Hackathon";
    role_judge: "審査員", "Judge";
    role_organizer: "運営者", "Organizer";
    reset_password: "パスワードを再発行", "Reset the password";
    settings_title: "日程と制限", "Schedule and limits";
    settings_lead: "当日の変更 (開始の遅れ、延長など) はここで行います。変更は操作記録に残り、次の challenges sync で contest.toml の値との差分として報告されます。時刻は YYYY-MM-DD HH:MM で、大会のタイムゾーンです", "Changes on the day (a delayed start, an extension) are made here. Each goes to the audit log, and the next challenges sync reports it as a difference from contest.toml. Times are YYYY-MM-DD HH:MM in the contest's zone";
    starts_label: "開始", "Starts";
    ends_label: "終了", "Ends";
    freeze_label: "凍結 (空欄で凍結なし)", "Freeze (empty: none)";
    wrong_limit_label: "1 分あたりの不正解の上限 (チームごと)", "Wrong answers a minute (per team)";
    save: "保存", "Save";
    settings_contest: "大会全体", "The whole contest";
    windows_title: "部門ごとの公開期間", "Each area's window";
    windows_lead: "空欄で保存すると、その部門は大会の開始・終了に従います。", "Saved empty, an area follows the contest's start and end.";
    follows_contest: "大会と同じ", "as the contest";
    since: "開始時刻", "From";
    until: "終了時刻", "Until";
    sync_from_server: "サーバーのフォルダから", "From the server's folder";
    sync_from_zip: "zip をアップロードして", "From an uploaded zip";
    sync_zip_lead: "コンテストのフォルダを zip にしてアップロードします (challenges フォルダで zip -r cup.zip cup datasets.toml)。チェックに通ったときだけ読み込みます。", "Zip the contest folder and upload it (in the challenges folder: zip -r cup.zip cup datasets.toml). It is loaded only if it passes the check.";
    sync_zip: "zip ファイル", "Zip file";
    minimum_points: "最低点", "Minimum";
    change_points: "配点を変更", "Change points";
    withdraw_challenge: "取り下げる", "Withdraw";
    restore_challenge: "戻す", "Bring back";
    withdrawn_title: "取り下げた問題", "Withdrawn challenges";
    withdrawn_lead: "取り下げた問題は問題一覧に表示されず、その正解は得点になりません (記録は残ります)。次の challenges sync で元の設定に戻ります。", "A withdrawn challenge leaves the board and its solves count for nothing (they are kept). The next challenges sync puts the sources' settings back.";
    disqualified_label: "失格", "Disqualified";
    disqualify_team: "失格にする", "Disqualify";
    reinstate_team: "失格を取り消す", "Reinstate";
    hackathon_title: "ハッカソン作品", "Hackathon entry";
    hackathon_lead: "チームの成果物を登録します。審査員がルーブリックの観点ごとに採点し、審査員の合計点の平均がハッカソン部門の得点になります。締切までは何度でも変更できます。", "Hand in your team's work. Judges mark it on each criterion of the rubric; the mean of the judges' totals is your hackathon score. You can change the entry until the deadline.";
    entry_deadline: "締切", "Deadline";
    entry_current: "登録済みの作品", "Your entry";
    entry_none: "まだ作品を登録していません。", "No entry handed in yet.";
    entry_hand_in: "作品を登録する", "Hand in your entry";
    entry_change: "作品を変更する", "Change your entry";
    entry_link: "リポジトリまたは動画のリンク (任意)", "Repository or video link (optional)";
    entry_slides: "スライド", "Slides";
    entry_slides_note: "スライドは任意です (新しいファイルを選ぶと置き換わります)。1ファイルの上限:", "Slides are optional (a new file replaces the old one). Limit a file:";
    entry_updated: "最終更新", "Last changed";
    entry_closed: "作品の受付期間ではありません。", "Entries are not being taken now.";
    marks_title: "審査結果", "Judges' marks";
    criterion: "観点", "Criterion";
    mean_mark: "平均点", "Mean mark";
    marks_note: "すべての観点を採点した審査員の合計点の平均です。", "Means over the judges who marked every criterion.";
    nav_hackathon: "ハッカソン作品", "Hackathon entry";
    nav_judging: "審査", "Judging";
    judging_title: "ハッカソン審査", "Hackathon judging";
    judging_lead: "各作品をルーブリックの観点ごとに 0 から上限までの整数で採点します。運営者が公開するまで、他の審査員の採点は見えません。", "Mark each entry on every criterion of the rubric, a whole number from 0 to its maximum. Other judges' marks stay hidden until organizers publish them.";
    judging_entries: "作品", "Entries";
    my_sheet: "あなたの採点", "Your marks";
    sheet_complete: "採点済み", "Complete";
    sheet_partial: "途中", "Incomplete";
    sheet_empty: "未採点", "Not marked";
    complete_sheets: "採点済みの審査員", "Judges done";
    judge_word: "審査員", "Judge";
    total_word: "合計", "Total";
    marks_hidden: "他の審査員の採点は、運営者が公開するまで表示されません。", "Other judges' marks are hidden until organizers publish them.";
    marks_published_at: "採点は公開済みです。公開時刻:", "Marks are published. Published at";
    marks_unpublished: "採点はまだ公開されていません。公開すると、得点がハッカソン部門と総合のスコアボードに加わり、各チームと審査員が採点を見られるようになります。", "Marks are not published yet. Publishing adds the scores to the hackathon area and the total, and shows the marks to teams and judges.";
    publish_marks: "採点を公開する", "Publish the marks";
    withdraw_marks: "公開を取り消す", "Withdraw the marks";
    save_marks: "採点を保存", "Save marks";
    all_marks: "全審査員の採点", "Every judge's marks";
    register_bulk_title: "チームの一括登録", "Register teams in bulk";
    register_bulk_lead: "名簿 (CSV、1 行に 1 人: team,affiliation,username,email) からアカウントとチームを作成します。1 行でも問題があれば何も作成しません。作成したパスワードと招待コードは CSV で一度だけ返し、保存しません。", "Creates accounts and teams from a roster (CSV, one member a line: team,affiliation,username,email). If any line has a problem, nothing is created. The generated passwords and invite codes are given back once, as a CSV, and kept nowhere.";
    register_bulk_file: "CSV ファイル", "CSV file";
    register_bulk_paste: "または貼り付け", "or paste it";
    register_bulk_submit: "登録する", "Register";
    submissions_title: "解答一覧", "Submissions";
    submissions_lead: "異議のある不正解は理由を添えて承認できます (解答した時刻の正解になります)。正解の取り消しも理由を添えて行います。どちらも操作記録に残り、スコアボードにすぐ反映されます。", "A disputed wrong answer can be accepted with a reason (a solve at the time it was given); a solve can be revoked with a reason. Both go to the audit log and reach the scoreboard at once.";
    outcome: "結果", "Outcome";
    challenge_word: "問題", "Challenge";
    solves_word: "正解チーム数", "Solves";
    first_solve: "最初の正解", "first";
    wrong_answers: "不正解 (多い順)", "Wrong answers (most frequent)";
    reason: "理由", "Reason";
    accept_answer: "承認する", "Accept";
    revoke_solve: "正解を取り消す", "Revoke the solve";
    outcome_accepted: "承認 (運営)", "Accepted by the organizers";
    outcome_revoked: "取り消し (運営)", "Revoked by the organizers";
    scoreboard: "スコアボード", "Scoreboard";
    screen_title: "会場の画面", "Venue screen";
    screen_starts_in: "開始まで", "Starts in";
    screen_over: "競技終了", "The contest is over";
    screen_others: "そのほかのチーム", "Other teams";
    screen_first_bloods: "各問題の最初の正解", "First blood";
    screen_no_first_bloods: "まだ正解はありません。", "No solves yet.";
    screen_solved: "問正解", "solved";
    // The closing ceremony.
    ceremony_title: "表彰式", "Closing ceremony";
    ceremony_intro: "スコアボードの凍結後の結果 (正解、ヒントで消費した点、得点の調整、ハッカソンの得点、非公開スコア) を、順位の低いチームから1件ずつ公開し、最後に部門ごとと総合の上位チームを表彰します。会場の画面は表彰式の進行に合わせて切り替わります。", "The results after the scoreboard froze (solves, hint costs, adjustments, the hackathon's scores, private scores) are revealed one at a time from the lowest-ranked team up, then the top teams of each area and overall are awarded. The venue screen follows each step.";
    ceremony_reveals: "公開する結果", "Results to reveal";
    ceremony_awards: "表彰", "Awards";
    ceremony_start: "表彰式を始める", "Start the ceremony";
    ceremony_next: "次へ", "Next";
    ceremony_back: "戻る", "Back";
    ceremony_to_end: "最後へ", "To the end";
    ceremony_finish: "表彰式を終えて最終結果を公開する", "Finish and reveal the final standings";
    ceremony_keys: "キー操作: → またはスペースで次へ、← で戻る、End で最後へ。", "Keys: → or space for the next step, ← to go back, End to the end.";
    ceremony_step: "ステップ", "Step";
    ceremony_frozen: "凍結時点のスコアボード", "The scoreboard as it froze";
    ceremony_area_award: "部門賞", "Area award";
    ceremony_overall_award: "総合順位", "Overall";
    ceremony_done: "すべての結果を公開しました。", "Every result is revealed.";
    ceremony_open_screen: "会場の画面を開く", "Open the venue screen";
    ceremony_drive: "表彰式の進行", "Run the ceremony";
    points_unit: "点", "pts";
    overall: "総合", "Overall";
    score: "得点", "Score";
    on_day_score: "当日得点", "On the day";
    solves_count: "解答数", "Solved";
    last_scored: "最終得点時刻", "Last scored";
    no_teams_yet: "まだチームがありません。", "No teams yet.";
    score_over_time: "得点の推移 (上位10チーム)", "Score over time (top 10)";
    reveal: "最終結果を公開する", "Reveal the final standings";
    reveal_warning: "凍結後の解答と非公開スコアを含む最終順位を全員に公開します。取り消せません。", "Shows everyone the final standings, with the answers after the freeze and the private scores. This cannot be undone.";
    revealed_state: "最終結果は公開済みです。", "The final standings are revealed.";
    adjust_title: "得点の調整", "Adjust a score";
    adjust_points: "得点の増減 (負の値で減点)", "Points (negative to deduct)";
    adjust_reason: "理由", "Reason";
    adjust_area: "部門 (任意)", "Area (optional)";
    adjust_submit: "調整する", "Adjust";
    teams_title: "チーム", "Teams";
    hide_team: "スコアボードから隠す", "Hide from the scoreboard";
    show_team: "スコアボードに戻す", "Show on the scoreboard";
    hidden_label: "非表示", "hidden";
    total_only: "総合のみ", "Total only";
    nav_archive: "アーカイブ", "Archive";
    archive_title: "アーカイブ", "Archive";
    archive_lead: "過去の MWS Cup の結果、問題、そして参加チームのスライドやスクリプト。", "Past MWS Cups: results, questions, and the teams' slides and scripts.";
    final_standings: "最終順位", "Final standings";
    team_work: "チームの成果物", "Teams' work";
    questions: "問題", "Questions";
    add_item: "成果物を登録する", "Add your team's work";
    archive_until_label: "登録の締切", "Open until";
    kind: "種類", "Kind";
    kind_slides: "スライド", "Slides";
    kind_script: "スクリプト", "Script";
    kind_writeup: "解説", "Write-up";
    kind_video: "動画", "Video";
    kind_repository: "リポジトリ", "Repository";
    item_title: "タイトル", "Title";
    description_md: "説明 (Markdown)", "Description (Markdown)";
    concerns_areas: "関係する部門", "Areas it concerns";
    concerns_challenges: "関係する問題", "Challenges it concerns";
    licence: "ライセンス (SPDX, 任意)", "Licence (SPDX id, optional)";
    link: "リンク (任意)", "Link (optional)";
    files_label: "ファイル (複数可)", "Files (several allowed)";
    limits_note: "1ファイルあたりの上限とチームの上限 (MiB):", "Limits per file and per team (MiB):";
    visibility: "公開範囲", "Visibility";
    vis_public: "一般公開", "Public";
    vis_participants: "データセット利用者のみ", "Dataset agreement holders";
    vis_organizers: "運営者のみ", "Organizers only";
    ethics_title: "倫理チェックリスト", "Ethics checklist";
    ethics_no_live_malware: "暗号化 zip の外に動作するマルウェアを含めていません。", "No live malware outside an encrypted zip.";
    ethics_no_personal_data: "実在の被害者の個人情報、認証情報、内部ホスト名を含めていません。", "No personal data, credentials or internal host names of real victims.";
    ethics_identifiers_redacted: "データセットの規約が求める識別子を伏せています。", "Identifiers redacted as the dataset terms require.";
    ethics_responsible_disclosure: "第三者に関する発見は責任ある開示の手順を踏んでいます。", "Findings about third parties were disclosed responsibly.";
    submit_item: "登録する (運営者の確認後に公開)", "Submit (published after the organizers' review)";
    status_submitted: "確認待ち", "Awaiting review";
    status_published: "公開中", "Published";
    status_returned: "差し戻し", "Returned";
    review_title: "成果物の確認", "Review the archive";
    publish: "公開する", "Publish";
    return_item: "差し戻す", "Return";
    comment: "コメント", "Comment";
    media_type: "種類", "Type";
    archive_none: "まだありません。", "Nothing yet.";
    search: "検索", "Search";
    search_placeholder: "チーム名、タイトル、ファイル名など", "Team, title, file name…";
    all_years: "すべての年", "All years";
    all_areas: "すべての部門", "All areas";
    all_kinds: "すべての種類", "All kinds";
    no_hits: "見つかりませんでした。", "Nothing found.";
    paused_state: "一時停止中", "Paused";
    running_state: "解答受付中", "Taking answers";
    // Classification challenges.
    cls_heading: "予測ファイルの提出", "Prediction file";
    cls_explain: "テスト用ファイルの各 id にラベルを付けた CSV (1行目は見出し id,label、すべての id を1回ずつ) をアップロードしてください。アップロードはすぐに公開部分で採点されます。最終的な得点は、コンテスト終了後に非公開部分で決まります。", "Upload a CSV labelling every id of the test files (first line the header id,label, every id once). Each upload is scored at once on the public part; the final points come from the private part after the end.";
    cls_labels: "ラベル", "Labels";
    cls_metric: "評価指標", "Metric";
    cls_perfect: "満点", "Perfect score";
    cls_per_day: "1日のアップロード上限", "Uploads a day";
    cls_used_today: "本日の使用", "used today";
    cls_file: "CSV ファイル", "CSV file";
    cls_upload: "アップロード", "Upload";
    cls_uploads: "チームのアップロード", "Your team's uploads";
    cls_rows: "行数", "Rows";
    cls_public: "公開スコア", "Public score";
    cls_private: "非公開スコア", "Private score";
    cls_final: "最終提出", "Final";
    cls_choose: "最終提出にする", "Make final";
    cls_unchoose: "最終提出から外す", "Unselect";
    cls_default_finals: "最終提出を選ばない場合は、公開スコアの上位2つが最終提出になります (最大2つまで選べます)。", "Without a choice, the two best public scores are final (choose at most two).";
    cls_private_hidden: "非公開スコアは結果の公開後に表示されます。", "Private scores are shown once the results are revealed.";
    cls_problems: "ファイルの問題", "Problems in the file";
    cls_badge: "予測ファイルで解答", "Prediction file";
    cls_board_title: "順位表", "Board";
    cls_board_public: "各チームの公開スコアの最高値です。最終的な得点は、結果の公開後に非公開スコアで決まります。", "Each team's best public score. The final points come from the private scores once the results are revealed.";
    cls_board_private: "結果は公開済みです。順位は最終提出の非公開スコアで決まります。", "The results are revealed: the private scores of the finals decide.";
    cls_board_frozen: "スコアボードの凍結後のアップロードは、結果の公開まで表示されません。", "Uploads after the scoreboard froze are not shown until the results are revealed.";
    cls_upload_count: "アップロード数", "Uploads";
    cls_reached: "到達時刻", "Reached";
    cls_open_board: "順位表を見る", "See the board";
    cls_sample: "見本の予測ファイル (すべての id に1つ目のラベル)", "A sample prediction file (every id, with the first label)";
    cls_api: "API からも提出できます ($TOKEN はアカウントのページで作るトークン):", "Or upload with the API ($TOKEN is a token made on your account page):";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/GLOSSARY.md: one word for one thing on every Japanese page.
    #[test]
    fn japanese_texts_follow_the_glossary() {
        let avoided = [
            ("回答", "解答"),
            ("答え", "解答"),
            ("コスト", "消費する点"),
            ("点数", "配点・得点・点"),
            ("フラグ", "正解"),
        ];
        for (ja, _) in PAIRS {
            for (word, use_instead) in avoided {
                assert!(!ja.contains(word), "{ja:?} says {word:?}: the glossary says {use_instead:?}");
            }
        }
    }

    #[test]
    fn accept_language_prefers_by_quality() {
        assert_eq!(from_accept_language("en-US,en;q=0.9,ja;q=0.8"), Some(Lang::En));
        assert_eq!(from_accept_language("ja-JP,ja;q=0.9,en;q=0.8"), Some(Lang::Ja));
        assert_eq!(from_accept_language("fr;q=1, en;q=0.5, ja;q=0.7"), Some(Lang::Ja));
        assert_eq!(from_accept_language("de"), None);
        assert_eq!(from_accept_language("en;q=0"), None);
    }
}
