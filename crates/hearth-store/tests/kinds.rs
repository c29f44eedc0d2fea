//! The typed kinds and levels through a real database: what the store writes is Gogs' number,
//! what it reads back is the same kind, and numbers this code does not know load the way the
//! code has always read them. SQLite always; PostgreSQL too when `HEARTH_TEST_POSTGRES_URL` is set
//! (an URL whose user may create databases).

mod common;

use common::PgTestDb;
use hearth_store::collaborations;
use hearth_store::hooks::{self, HookFields, NewTask};
use hearth_store::issues::{self, NewIssue};
use hearth_store::keys::{self, NewKey};
use hearth_store::orgs::{self, NewTeam};
use hearth_store::repos::{self, NewRepo};
use hearth_store::users::{self, NewUser, UserRow};
use hearth_store::{AccessMode, CommentKind, Db, HookContentType, HookKind, KeyKind, Pool, UserKind, Window};

const NOW: i64 = 1_700_000_000;

#[test]
fn every_known_kind_survives_its_number() {
    let modes = [AccessMode::None, AccessMode::Read, AccessMode::Write, AccessMode::Admin, AccessMode::Owner];
    assert_eq!(modes.map(AccessMode::as_i64), [0, 1, 2, 3, 4]);
    assert!(modes.iter().all(|m| AccessMode::from_i64(m.as_i64()) == *m));
    let users = [UserKind::Individual, UserKind::Organization, UserKind::Other(9)];
    assert_eq!(users.map(UserKind::as_i64), [0, 1, 9]);
    assert!(users.iter().all(|k| UserKind::from_i64(k.as_i64()) == *k));
    let keys = [KeyKind::User, KeyKind::Deploy, KeyKind::Other(0)];
    assert_eq!(keys.map(KeyKind::as_i64), [1, 2, 0]);
    assert!(keys.iter().all(|k| KeyKind::from_i64(k.as_i64()) == *k));
    let comments = [CommentKind::Plain, CommentKind::Reopen, CommentKind::Close, CommentKind::Other(6)];
    assert_eq!(comments.map(CommentKind::as_i64), [0, 1, 2, 6]);
    assert!(comments.iter().all(|k| CommentKind::from_i64(k.as_i64()) == *k));
    let types = [HookContentType::Json, HookContentType::Form];
    assert_eq!(types.map(HookContentType::as_i64), [1, 2]);
    assert!(types.iter().all(|t| HookContentType::from_i64(t.as_i64()) == *t));
    assert!(types.iter().all(|t| HookContentType::from_name(t.name()) == Some(*t)));
    let hooks = [HookKind::Gogs, HookKind::Slack, HookKind::Discord, HookKind::Dingtalk, HookKind::Gitea];
    assert_eq!(hooks.map(HookKind::as_i64), [1, 2, 3, 4, 5]);
    assert!(hooks.iter().all(|k| HookKind::from_i64(k.as_i64()) == *k));
    assert!(hooks.iter().all(|k| HookKind::from_name(k.name()) == Some(*k)));
}

#[tokio::test]
async fn kinds_round_trip_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite(&dir.path().join("kinds.db"), &Default::default()).await.unwrap();
    round_trip(&db).await;
    unknown_numbers_load(&db).await;
    db.close().await;
}

#[tokio::test]
async fn kinds_round_trip_on_postgres() {
    let Some(pg) = PgTestDb::create("hearth_store_kinds").await else { return };
    let db = Db::open_postgres(&pg.url(), &Default::default()).await.unwrap();
    round_trip(&db).await;
    unknown_numbers_load(&db).await;
    db.close().await;
}

/// Write each kind through the store, read it back through the store and check the stored number.
async fn round_trip(db: &Db) {
    let mut h = db.acquire().await.unwrap();
    let alice = new_user(db, "alice", UserKind::Individual).await;
    let bob = new_user(db, "bob", UserKind::Individual).await;
    let org = new_user(db, "org", UserKind::Organization).await;
    assert_eq!(users::by_id(h.conn(), alice.id).await.unwrap().unwrap().kind, UserKind::Individual);
    assert_eq!(users::by_id(h.conn(), org.id).await.unwrap().unwrap().kind, UserKind::Organization);
    assert_eq!(number(db, &format!("SELECT type FROM \"user\" WHERE id = {}", org.id)).await, 1);

    // Keys: kind and the mode the insert gives them.
    let new = NewKey {
        owner_id: alice.id,
        name: "k",
        fingerprint: "SHA256:x",
        content: "ssh-ed25519 A",
        kind: KeyKind::User,
        now: NOW,
    };
    let key = keys::insert(h.conn(), &new).await.unwrap();
    assert_eq!((key.kind, key.mode), (KeyKind::User, AccessMode::Write));
    assert_eq!(keys::list_user_keys(h.conn(), alice.id, Window::ALL).await.unwrap().0.len(), 1);
    assert_eq!(number(db, &format!("SELECT type FROM public_key WHERE id = {}", key.id)).await, 1);

    // Teams and collaborations: access modes.
    let repo = new_repo(db, org.id, "r").await;
    let new = NewTeam { org_id: org.id, name: "Owners", description: "", authorize: AccessMode::Owner, now: NOW };
    let owners = orgs::insert_team(h.conn(), &new).await.unwrap();
    assert!(owners.is_owners());
    let new = NewTeam { org_id: org.id, name: "devs", description: "", authorize: AccessMode::Admin, now: NOW };
    let devs = orgs::insert_team(h.conn(), &new).await.unwrap();
    assert_eq!((devs.authorize, devs.is_owners()), (AccessMode::Admin, false));
    orgs::update_team(h.conn(), devs.id, "devs", "", AccessMode::Write).await.unwrap();
    let devs = orgs::team_by_id(h.conn(), devs.id).await.unwrap().unwrap();
    assert_eq!(devs.authorize, AccessMode::Write);
    assert_eq!(number(db, &format!("SELECT authorize FROM team WHERE id = {}", devs.id)).await, 2);
    assert_eq!(number(db, &format!("SELECT authorize FROM team WHERE id = {}", owners.id)).await, 4);

    collaborations::upsert(h.conn(), repo.id, alice.id, AccessMode::Read, NOW).await.unwrap();
    assert_eq!(collaborations::mode_of(h.conn(), repo.id, alice.id).await.unwrap(), Some(AccessMode::Read));
    assert_eq!(collaborations::mode_of(h.conn(), repo.id, bob.id).await.unwrap(), None);
    let (listed, _) = collaborations::list(h.conn(), repo.id, Window::ALL).await.unwrap();
    assert_eq!((listed.len(), listed[0].mode, listed[0].user.kind), (1, AccessMode::Read, UserKind::Individual));
    assert_eq!(number(db, &format!("SELECT mode FROM collaboration WHERE user_id = {}", alice.id)).await, 1);

    // Grants: the highest of a collaboration and the teams' modes.
    let grant = async |uid| {
        hearth_store::access::granted_mode(db.acquire().await.unwrap().conn(), uid, repo.id, org.id).await.unwrap()
    };
    assert_eq!(grant(alice.id).await, AccessMode::Read);
    assert_eq!(grant(bob.id).await, AccessMode::None);
    orgs::add_team_member(h.conn(), &devs, alice.id).await.unwrap();
    orgs::add_team_repo(h.conn(), &devs, repo.id).await.unwrap();
    assert_eq!(grant(alice.id).await, AccessMode::Write);
    orgs::add_team_member(h.conn(), &owners, bob.id).await.unwrap();
    assert_eq!(grant(bob.id).await, AccessMode::Owner);
    let granted = hearth_store::access::granted_repos(h.conn(), bob.id).await.unwrap();
    assert_eq!(granted.iter().map(|g| (g.repo.id, g.mode)).collect::<Vec<_>>(), [(repo.id, AccessMode::Owner)]);

    // Webhooks and their tasks: content type and kind.
    let fields = HookFields {
        url: "http://example.com/h".into(),
        content_type: HookContentType::Form,
        secret: String::new(),
        events: String::new(),
        is_active: true,
        hook_task_type: HookKind::Discord,
        meta: String::new(),
    };
    let hook = hooks::insert(h.conn(), repo.id, 0, &fields, NOW).await.unwrap();
    assert_eq!((hook.content_type, hook.hook_task_type), (HookContentType::Form, HookKind::Discord));
    let sql = format!("SELECT content_type * 10 + hook_task_type FROM webhook WHERE id = {}", hook.id);
    assert_eq!(number(db, &sql).await, 23);
    let edited = HookFields { content_type: HookContentType::Json, hook_task_type: HookKind::Dingtalk, ..fields };
    hooks::update(h.conn(), hook.id, &edited, NOW).await.unwrap();
    let hook = hooks::by_id_for_repo(h.conn(), repo.id, hook.id).await.unwrap().unwrap();
    assert_eq!((hook.content_type, hook.hook_task_type), (HookContentType::Json, HookKind::Dingtalk));
    let task = NewTask {
        repo_id: repo.id,
        hook_id: hook.id,
        uuid: "u",
        kind: HookKind::Slack,
        url: &hook.url,
        signature: "",
        signature_sha1: "",
        payload_content: "{}",
        content_type: HookContentType::Form,
        event_type: "push",
        event_type_detail: "",
        now: NOW,
    };
    let task_id = hooks::insert_task(h.conn(), &task).await.unwrap();
    let task = hooks::task_of_hook(h.conn(), hook.id, task_id).await.unwrap().unwrap();
    assert_eq!((task.kind, task.content_type), (HookKind::Slack, HookContentType::Form));
    let sql = format!("SELECT content_type * 10 + type FROM hook_task WHERE id = {task_id}");
    assert_eq!(number(db, &sql).await, 22);

    // Comments: the kind decides what counts on the issue.
    let new = NewIssue {
        repo_id: repo.id,
        idx: 1,
        poster_id: alice.id,
        title: "t",
        body: "",
        milestone_id: 0,
        assignee_id: 0,
        is_pull: false,
        now: NOW,
    };
    let issue = issues::insert(h.conn(), &new).await.unwrap();
    let plain = issues::insert_comment(h.conn(), &issue, CommentKind::Plain, alice.id, "hi", NOW).await.unwrap();
    let close = issues::insert_comment(h.conn(), &issue, CommentKind::Close, alice.id, "", NOW).await.unwrap();
    let reopen = issues::insert_comment(h.conn(), &issue, CommentKind::Reopen, alice.id, "", NOW).await.unwrap();
    assert_eq!((plain.kind, close.kind, reopen.kind), (CommentKind::Plain, CommentKind::Close, CommentKind::Reopen));
    assert_eq!(issues::comment(h.conn(), repo.id, close.id).await.unwrap().unwrap().kind, CommentKind::Close);
    let (listed, _) = issues::comments_of_issue(h.conn(), issue.id, 0, Window::ALL).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), [plain.id]);
    assert_eq!(number(db, &format!("SELECT num_comments FROM issue WHERE id = {}", issue.id)).await, 1);
    for (c, n) in [(&plain, 0), (&reopen, 1), (&close, 2)] {
        assert_eq!(number(db, &format!("SELECT type FROM comment WHERE id = {}", c.id)).await, n);
    }
}

/// Numbers written by something else (an imported Gogs database) load without an error.
async fn unknown_numbers_load(db: &Db) {
    let mut h = db.acquire().await.unwrap();
    let carol = new_user(db, "carol", UserKind::Individual).await;
    let odd = new_user(db, "odd", UserKind::Individual).await;
    run(db, &format!("UPDATE \"user\" SET type = 7 WHERE id = {}", odd.id)).await;
    let odd = users::by_id(h.conn(), odd.id).await.unwrap().unwrap();
    assert_eq!(odd.kind, UserKind::Other(7));
    assert!(odd.kind != UserKind::Individual && odd.kind != UserKind::Organization);

    let new = NewKey {
        owner_id: carol.id,
        name: "k2",
        fingerprint: "SHA256:y",
        content: "ssh-ed25519 B",
        kind: KeyKind::User,
        now: NOW,
    };
    let key = keys::insert(h.conn(), &new).await.unwrap();
    run(db, &format!("UPDATE public_key SET type = 5, mode = 0 WHERE id = {}", key.id)).await;
    let key = keys::by_id(h.conn(), key.id).await.unwrap().unwrap();
    assert_eq!((key.kind, key.mode), (KeyKind::Other(5), AccessMode::None));

    // Teams: above owner reads as owner, anything below read as none.
    let org = new_user(db, "org2", UserKind::Organization).await;
    let repo = new_repo(db, org.id, "r2").await;
    let new = NewTeam { org_id: org.id, name: "big", description: "", authorize: AccessMode::Read, now: NOW };
    let big = orgs::insert_team(h.conn(), &new).await.unwrap();
    let new = NewTeam { org_id: org.id, name: "small", description: "", authorize: AccessMode::Read, now: NOW };
    let small = orgs::insert_team(h.conn(), &new).await.unwrap();
    run(db, &format!("UPDATE team SET authorize = 9 WHERE id = {}", big.id)).await;
    run(db, &format!("UPDATE team SET authorize = -1 WHERE id = {}", small.id)).await;
    let (teams, _) = orgs::teams_of_org(h.conn(), org.id, Window::ALL).await.unwrap();
    assert_eq!(teams.iter().map(|t| t.authorize).collect::<Vec<_>>(), [AccessMode::Owner, AccessMode::None]);
    collaborations::upsert(h.conn(), repo.id, carol.id, AccessMode::Write, NOW).await.unwrap();
    run(db, &format!("UPDATE collaboration SET mode = 0 WHERE user_id = {}", carol.id)).await;
    assert_eq!(collaborations::mode_of(h.conn(), repo.id, carol.id).await.unwrap(), Some(AccessMode::None));

    // Hooks: an unknown kind is a Gogs hook, an unknown content type is JSON.
    let fields = HookFields {
        url: "http://example.com/h".into(),
        content_type: HookContentType::Form,
        secret: String::new(),
        events: String::new(),
        is_active: true,
        hook_task_type: HookKind::Slack,
        meta: String::new(),
    };
    let hook = hooks::insert(h.conn(), repo.id, 0, &fields, NOW).await.unwrap();
    run(db, &format!("UPDATE webhook SET content_type = 0, hook_task_type = 42 WHERE id = {}", hook.id)).await;
    let hook = hooks::by_id_for_repo(h.conn(), repo.id, hook.id).await.unwrap().unwrap();
    assert_eq!((hook.content_type, hook.hook_task_type), (HookContentType::Json, HookKind::Gogs));

    // Comments: Gogs' reference entries (3 and up) are neither plain nor state changes.
    let new = NewIssue {
        repo_id: repo.id,
        idx: 1,
        poster_id: carol.id,
        title: "t",
        body: "",
        milestone_id: 0,
        assignee_id: 0,
        is_pull: false,
        now: NOW,
    };
    let issue = issues::insert(h.conn(), &new).await.unwrap();
    let c = issues::insert_comment(h.conn(), &issue, CommentKind::Close, carol.id, "", NOW).await.unwrap();
    run(db, &format!("UPDATE comment SET type = 4 WHERE id = {}", c.id)).await;
    assert_eq!(issues::comment(h.conn(), repo.id, c.id).await.unwrap().unwrap().kind, CommentKind::Other(4));
}

async fn new_user(db: &Db, name: &str, kind: UserKind) -> UserRow {
    let email = format!("{name}@example.com");
    let new = NewUser {
        name,
        full_name: "",
        email: &email,
        passwd: "",
        salt: "",
        login_source: 0,
        login_name: "",
        kind,
        is_active: true,
        is_admin: false,
        now: NOW,
    };
    let mut h = db.acquire().await.unwrap();
    users::insert(h.conn(), &new).await.unwrap()
}

async fn new_repo(db: &Db, owner_id: i64, name: &str) -> repos::RepoRow {
    let new = NewRepo {
        owner_id,
        name,
        description: "",
        default_branch: "master",
        is_private: true,
        is_unlisted: false,
        is_bare: true,
        is_mirror: false,
        now: NOW,
    };
    let mut h = db.acquire().await.unwrap();
    repos::insert(h.conn(), &new).await.unwrap()
}

async fn run(db: &Db, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match db.pool() {
        Pool::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
        Pool::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
    }
    .expect("raw SQL");
}

/// The one integer a query returns, as stored.
async fn number(db: &Db, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match db.pool() {
        Pool::Sqlite(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
        Pool::Postgres(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
    }
    .expect("query")
}
