//! The access SQL, without a server: the queries `hearth_server::service::access` builds every
//! repository permission from (`repos::granted_mode` for one repository, `repos::granted_repos`
//! for lists), and the ones that apply the same rules to listings (`repos::list_org_visible`,
//! `orgs::is_owner`, `collaborations::assignable`).
//!
//! Each test opens a fresh database: SQLite in a temporary directory, or, when
//! `HEARTH_TEST_POSTGRES_URL` is set, a PostgreSQL database of its own (dropped afterwards). Rows
//! are written through the store's own insert functions.

mod common;

use common::PgTestDb;
use hearth_store::orgs::{self, NewTeam, TeamRow};
use hearth_store::repos::{self, NewRepo, RepoRow};
use hearth_store::users::{self, NewUser, UserRow};
use hearth_store::{AccessMode, Db, DbOptions, Handle, UserKind, Window, access, collaborations};

const MODE_READ: AccessMode = AccessMode::Read;
const MODE_WRITE: AccessMode = AccessMode::Write;
const MODE_ADMIN: AccessMode = AccessMode::Admin;
const MODE_OWNER: AccessMode = AccessMode::Owner;

const NOW: i64 = 1_700_000_000;

/// A fresh database for one test.
struct TestDb {
    db: Db,
    _dir: tempfile::TempDir,
    _pg: Option<PgTestDb>,
}

impl TestDb {
    async fn open() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let opts = DbOptions::default();
        match std::env::var("HEARTH_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) {
            None => {
                let db = Db::open_sqlite(&dir.path().join("hearth.db"), &opts).await.expect("open SQLite");
                TestDb { db, _dir: dir, _pg: None }
            }
            Some(_) => {
                let pg = PgTestDb::create("hearth_store_test").await.expect("PostgreSQL test database");
                let db = Db::open_postgres(&pg.url(), &opts).await.expect("open PostgreSQL");
                TestDb { db, _dir: dir, _pg: Some(pg) }
            }
        }
    }

    async fn handle(&self) -> Handle {
        self.db.acquire().await.expect("acquire")
    }

    async fn user(&self, name: &str) -> UserRow {
        self.account(name, UserKind::Individual).await
    }

    /// An organisation with its Owners team (as `service::orgs` creates them), owned by `owner`.
    async fn org(&self, name: &str, owner: &UserRow) -> (UserRow, TeamRow) {
        let org = self.account(name, UserKind::Organization).await;
        let owners = self.team(&org, orgs::OWNERS_TEAM, MODE_OWNER).await;
        self.join(&owners, owner).await;
        (org, owners)
    }

    async fn account(&self, name: &str, kind: UserKind) -> UserRow {
        let email = format!("{name}@example.com");
        let u = NewUser {
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
        users::insert(self.handle().await.conn(), &u).await.expect("insert user")
    }

    async fn repo(&self, owner: &UserRow, name: &str, private: bool) -> RepoRow {
        let r = NewRepo {
            owner_id: owner.id,
            name,
            description: "",
            default_branch: "master",
            is_private: private,
            is_unlisted: false,
            is_bare: true,
            is_mirror: false,
            now: NOW,
        };
        repos::insert(self.handle().await.conn(), &r).await.expect("insert repository")
    }

    async fn team(&self, org: &UserRow, name: &str, authorize: AccessMode) -> TeamRow {
        let t = NewTeam { org_id: org.id, name, description: "", authorize, now: NOW };
        orgs::insert_team(self.handle().await.conn(), &t).await.expect("insert team")
    }

    /// Add `user` to the team and so to its organisation.
    async fn join(&self, team: &TeamRow, user: &UserRow) {
        let mut h = self.handle().await;
        orgs::add_member(h.conn(), team.org_id, user.id, false).await.expect("add member");
        orgs::add_team_member(h.conn(), team, user.id).await.expect("add team member");
    }

    async fn give_team(&self, team: &TeamRow, repo: &RepoRow) {
        orgs::add_team_repo(self.handle().await.conn(), team, repo.id).await.expect("add team repository");
    }

    async fn collaborate(&self, repo: &RepoRow, user: &UserRow, mode: AccessMode) {
        collaborations::upsert(self.handle().await.conn(), repo.id, user.id, mode, NOW).await.expect("collaboration");
    }

    /// `repos::granted_mode` as the access check calls it.
    async fn granted(&self, user: &UserRow, repo: &RepoRow) -> Option<AccessMode> {
        self.granted_uid(user.id, repo).await
    }

    async fn granted_uid(&self, uid: i64, repo: &RepoRow) -> Option<AccessMode> {
        let mode =
            access::granted_mode(self.handle().await.conn(), uid, repo.id, repo.owner_id).await.expect("granted_mode");
        (mode != AccessMode::None).then_some(mode)
    }

    /// `repos::granted_repos` as `(owner/name, mode)`.
    async fn granted_list(&self, user: &UserRow) -> Vec<(String, AccessMode)> {
        let mut h = self.handle().await;
        let rows = access::granted_repos(h.conn(), user.id).await.expect("granted_repos");
        let mut out = Vec::new();
        for g in rows {
            let owner = users::by_id(h.conn(), g.repo.owner_id).await.expect("owner").expect("owner exists");
            out.push((format!("{}/{}", owner.name, g.repo.name), g.mode));
        }
        out
    }

    /// Every repository of `list` must be granted alike by both queries.
    async fn assert_queries_agree(&self, user: &UserRow, list: &[&RepoRow]) {
        let mut h = self.handle().await;
        let many = access::granted_repos(h.conn(), user.id).await.expect("granted_repos");
        for repo in list {
            let one = access::granted_mode(h.conn(), user.id, repo.id, repo.owner_id).await.expect("granted_mode");
            let one = (one != AccessMode::None).then_some(one);
            let in_list = many.iter().find(|g| g.repo.id == repo.id).map(|g| g.mode);
            if repo.owner_id == user.id {
                assert_eq!(in_list, None, "{}: own repositories are not grants", repo.name);
            } else {
                assert_eq!(in_list, one, "{}: granted_repos and granted_mode differ for {}", repo.name, user.name);
            }
        }
    }
}

#[tokio::test]
async fn ownership_and_strangers_are_no_grant() {
    let t = TestDb::open().await;
    let alice = t.user("alice").await;
    let bob = t.user("bob").await;
    let public = t.repo(&alice, "public", false).await;
    let private = t.repo(&alice, "private", true).await;

    // Ownership is decided before any query: the owner's own rows grant nothing.
    assert_eq!(t.granted(&alice, &public).await, None);
    assert_eq!(t.granted(&alice, &private).await, None);
    assert_eq!(t.granted_list(&alice).await, Vec::<(String, AccessMode)>::new());
    // A stranger and an anonymous caller (uid 0) get nothing either, public or private: what
    // a public repository gives them (read) comes from its flag, not from the database.
    for repo in [&public, &private] {
        assert_eq!(t.granted(&bob, repo).await, None, "{}", repo.name);
        assert_eq!(t.granted_uid(0, repo).await, None, "{}", repo.name);
    }
    assert_eq!(t.granted_list(&bob).await, Vec::<(String, AccessMode)>::new());
}

#[tokio::test]
async fn collaborations_grant_their_mode() {
    let t = TestDb::open().await;
    let alice = t.user("alice").await;
    let bob = t.user("bob").await;
    let carol = t.user("carol").await;
    let r = t.repo(&alice, "r", true).await;
    let other = t.repo(&alice, "other", true).await;

    for mode in [MODE_READ, MODE_WRITE, MODE_ADMIN] {
        t.collaborate(&r, &bob, mode).await;
        assert_eq!(t.granted(&bob, &r).await, Some(mode));
        assert_eq!(t.granted_list(&bob).await, vec![("alice/r".to_string(), mode)]);
        assert_eq!(collaborations::mode_of(t.handle().await.conn(), r.id, bob.id).await.unwrap(), Some(mode));
    }
    // Only that repository, only that user.
    assert_eq!(t.granted(&bob, &other).await, None);
    assert_eq!(t.granted(&carol, &r).await, None);
    let (listed, _) = collaborations::list(t.handle().await.conn(), r.id, Window::ALL).await.unwrap();
    assert_eq!(listed.iter().map(|c| (c.user.name.as_str(), c.mode)).collect::<Vec<_>>(), [("bob", MODE_ADMIN)]);

    assert!(collaborations::remove(t.handle().await.conn(), r.id, bob.id).await.unwrap());
    assert_eq!(t.granted(&bob, &r).await, None);
    assert_eq!(t.granted_list(&bob).await, Vec::<(String, AccessMode)>::new());
    assert!(!collaborations::remove(t.handle().await.conn(), r.id, bob.id).await.unwrap());
}

#[tokio::test]
async fn the_owners_team_owns_every_repository_of_its_organisation() {
    let t = TestDb::open().await;
    let alice = t.user("alice").await;
    let bob = t.user("bob").await;
    let (acme, owners) = t.org("acme", &alice).await;
    let (other_org, _) = t.org("other", &bob).await;
    let public = t.repo(&acme, "public", false).await;
    let private = t.repo(&acme, "private", true).await;
    let elsewhere = t.repo(&other_org, "elsewhere", true).await;

    // No team_repo rows: the Owners team has them all, private or not.
    assert_eq!(t.granted(&alice, &public).await, Some(MODE_OWNER));
    assert_eq!(t.granted(&alice, &private).await, Some(MODE_OWNER));
    assert_eq!(
        t.granted_list(&alice).await,
        vec![("acme/private".to_string(), MODE_OWNER), ("acme/public".to_string(), MODE_OWNER)]
    );
    // Owning one organisation says nothing about another.
    assert_eq!(t.granted(&alice, &elsewhere).await, None);
    assert_eq!(t.granted(&bob, &private).await, None);
    let mut h = t.handle().await;
    assert!(orgs::is_owner(h.conn(), acme.id, alice.id).await.unwrap());
    assert!(!orgs::is_owner(h.conn(), acme.id, bob.id).await.unwrap());
    assert!(!orgs::is_owner(h.conn(), other_org.id, alice.id).await.unwrap());

    // A repository created later is covered too.
    let later = t.repo(&acme, "later", true).await;
    assert_eq!(t.granted(&alice, &later).await, Some(MODE_OWNER));

    // Leaving the team ends it.
    assert!(orgs::remove_team_member(h.conn(), owners.id, alice.id).await.unwrap());
    drop(h);
    assert_eq!(t.granted(&alice, &private).await, None);
    assert_eq!(t.granted_list(&alice).await, Vec::<(String, AccessMode)>::new());
}

#[tokio::test]
async fn teams_grant_their_level_on_their_repositories_only() {
    let t = TestDb::open().await;
    let alice = t.user("alice").await;
    let (reader, writer, admin) = (t.user("reader").await, t.user("writer").await, t.user("admin").await);
    let (acme, _) = t.org("acme", &alice).await;
    let app = t.repo(&acme, "app", true).await;
    let lib = t.repo(&acme, "lib", false).await;
    for (user, name, level) in
        [(&reader, "readers", MODE_READ), (&writer, "writers", MODE_WRITE), (&admin, "admins", MODE_ADMIN)]
    {
        let team = t.team(&acme, name, level).await;
        t.join(&team, user).await;
        // In the team, without the repository: nothing yet.
        assert_eq!(t.granted(user, &app).await, None, "{name}");
        t.give_team(&team, &app).await;
        assert_eq!(t.granted(user, &app).await, Some(level), "{name}");
        assert_eq!(t.granted(user, &lib).await, None, "{name}: a repository the team does not have");
        assert_eq!(t.granted_list(user).await, vec![("acme/app".to_string(), level)], "{name}");
        t.assert_queries_agree(user, &[&app, &lib]).await;
        assert!(!orgs::is_owner(t.handle().await.conn(), acme.id, user.id).await.unwrap(), "{name}");
    }

    // Taking the repository from the team, or the member from it, ends the grant.
    let mut h = t.handle().await;
    let writers = orgs::team_by_name(h.conn(), acme.id, "writers").await.unwrap().unwrap();
    assert!(orgs::remove_team_repo(h.conn(), writers.id, app.id).await.unwrap());
    drop(h);
    assert_eq!(t.granted(&writer, &app).await, None);
    let mut h = t.handle().await;
    let admins = orgs::team_by_name(h.conn(), acme.id, "admins").await.unwrap().unwrap();
    assert!(orgs::remove_team_member(h.conn(), admins.id, admin.id).await.unwrap());
    drop(h);
    assert_eq!(t.granted(&admin, &app).await, None);
    // Leaving the organisation leaves its teams; deleting a team takes its rows along.
    assert!(orgs::remove_member(t.handle().await.conn(), acme.id, reader.id).await.unwrap());
    assert_eq!(t.granted(&reader, &app).await, None);
    let readers = t.team(&acme, "readers2", MODE_READ).await;
    t.join(&readers, &reader).await;
    t.give_team(&readers, &app).await;
    assert_eq!(t.granted(&reader, &app).await, Some(MODE_READ));
    orgs::delete_team(t.handle().await.conn(), readers.id).await.unwrap();
    assert_eq!(t.granted(&reader, &app).await, None);
    assert_eq!(t.granted_list(&reader).await, Vec::<(String, AccessMode)>::new());
}

#[tokio::test]
async fn the_highest_grant_wins() {
    let t = TestDb::open().await;
    let alice = t.user("alice").await;
    let bob = t.user("bob").await;
    let (acme, owners) = t.org("acme", &alice).await;
    let app = t.repo(&acme, "app", true).await;
    let readers = t.team(&acme, "readers", MODE_READ).await;
    let writers = t.team(&acme, "writers", MODE_WRITE).await;
    t.give_team(&readers, &app).await;
    t.give_team(&writers, &app).await;

    // Two teams: the higher level.
    t.join(&readers, &bob).await;
    assert_eq!(t.granted(&bob, &app).await, Some(MODE_READ));
    t.join(&writers, &bob).await;
    assert_eq!(t.granted(&bob, &app).await, Some(MODE_WRITE));
    // A collaboration below the teams does not lower it; one above raises it.
    t.collaborate(&app, &bob, MODE_READ).await;
    assert_eq!(t.granted(&bob, &app).await, Some(MODE_WRITE));
    t.collaborate(&app, &bob, MODE_ADMIN).await;
    assert_eq!(t.granted(&bob, &app).await, Some(MODE_ADMIN));
    // The Owners team is above everything.
    t.join(&owners, &bob).await;
    assert_eq!(t.granted(&bob, &app).await, Some(MODE_OWNER));
    // The list agrees, one row per repository.
    assert_eq!(t.granted_list(&bob).await, vec![("acme/app".to_string(), MODE_OWNER)]);
    t.assert_queries_agree(&bob, &[&app]).await;
}

#[tokio::test]
async fn granted_repositories_are_listed_by_owner_then_name() {
    let t = TestDb::open().await;
    let alice = t.user("alice").await;
    let bob = t.user("bob").await;
    let carol = t.user("carol").await;
    let (zeta, _) = t.org("zeta", &carol).await;
    let (acme, _) = t.org("acme", &carol).await;
    let own = t.repo(&bob, "own", false).await;
    let a_public = t.repo(&alice, "b-public", false).await;
    let a_private = t.repo(&alice, "a-private", true).await;
    let a_untouched = t.repo(&alice, "untouched", true).await;
    let z_app = t.repo(&zeta, "app", true).await;
    let acme_web = t.repo(&acme, "web", true).await;
    let acme_api = t.repo(&acme, "api", true).await;
    let acme_docs = t.repo(&acme, "docs", false).await;

    t.collaborate(&a_public, &bob, MODE_WRITE).await;
    t.collaborate(&a_private, &bob, MODE_READ).await;
    // A collaboration on one's own repository is still not a grant.
    t.collaborate(&own, &bob, MODE_ADMIN).await;
    let zeta_devs = t.team(&zeta, "devs", MODE_ADMIN).await;
    t.join(&zeta_devs, &bob).await;
    t.give_team(&zeta_devs, &z_app).await;
    let acme_web_team = t.team(&acme, "web", MODE_WRITE).await;
    t.join(&acme_web_team, &bob).await;
    t.give_team(&acme_web_team, &acme_web).await;
    t.give_team(&acme_web_team, &acme_api).await;

    assert_eq!(
        t.granted_list(&bob).await,
        vec![
            ("acme/api".to_string(), MODE_WRITE),
            ("acme/web".to_string(), MODE_WRITE),
            ("alice/a-private".to_string(), MODE_READ),
            ("alice/b-public".to_string(), MODE_WRITE),
            ("zeta/app".to_string(), MODE_ADMIN),
        ]
    );
    t.assert_queries_agree(
        &bob,
        &[&own, &a_public, &a_private, &a_untouched, &z_app, &acme_web, &acme_api, &acme_docs],
    )
    .await;
    // carol owns both organisations through their Owners teams.
    assert_eq!(
        t.granted_list(&carol).await,
        vec![
            ("acme/api".to_string(), MODE_OWNER),
            ("acme/docs".to_string(), MODE_OWNER),
            ("acme/web".to_string(), MODE_OWNER),
            ("zeta/app".to_string(), MODE_OWNER),
        ]
    );
    t.assert_queries_agree(&carol, &[&own, &a_public, &z_app, &acme_web, &acme_api, &acme_docs]).await;
}

#[tokio::test]
async fn organisation_listings_show_public_repositories_and_the_callers_teams() {
    let t = TestDb::open().await;
    let alice = t.user("alice").await;
    let bob = t.user("bob").await;
    let carol = t.user("carol").await;
    let (acme, _) = t.org("acme", &alice).await;
    t.repo(&acme, "public", false).await;
    let private = t.repo(&acme, "private", true).await;
    t.repo(&acme, "hidden", true).await;
    let team = t.team(&acme, "devs", MODE_READ).await;
    t.join(&team, &bob).await;
    t.give_team(&team, &private).await;

    let names = |rows: Vec<RepoRow>| {
        let mut v: Vec<String> = rows.into_iter().map(|r| r.name).collect();
        v.sort();
        v
    };
    let mut h = t.handle().await;
    // Outsiders and anonymous callers: public repositories only.
    assert_eq!(names(access::list_org_visible(h.conn(), acme.id, carol.id).await.unwrap()), ["public"]);
    assert_eq!(names(access::list_org_visible(h.conn(), acme.id, 0).await.unwrap()), ["public"]);
    // A team member: plus its team's private repositories.
    assert_eq!(names(access::list_org_visible(h.conn(), acme.id, bob.id).await.unwrap()), ["private", "public"]);
    // An owner: everything.
    assert_eq!(
        names(access::list_org_visible(h.conn(), acme.id, alice.id).await.unwrap()),
        ["hidden", "private", "public"]
    );
    // The team's repositories as the team routes list them (Owners: all of them).
    assert_eq!(names(orgs::team_repos(h.conn(), team.id, acme.id, false, Window::ALL).await.unwrap().0), ["private"]);
    let owners = orgs::team_by_name(h.conn(), acme.id, orgs::OWNERS_TEAM).await.unwrap().unwrap();
    assert!(owners.is_owners());
    assert_eq!(
        names(orgs::team_repos(h.conn(), owners.id, acme.id, true, Window::ALL).await.unwrap().0),
        ["hidden", "private", "public"]
    );
    assert_eq!(orgs::count_team_repos(h.conn(), team.id, acme.id, false).await.unwrap(), 1);
    assert_eq!(orgs::count_team_repos(h.conn(), owners.id, acme.id, true).await.unwrap(), 3);
}

#[tokio::test]
async fn assignees_are_those_with_write_or_more() {
    let t = TestDb::open().await;
    let alice = t.user("alice").await;
    let (w, r, a) = (t.user("writer").await, t.user("reader").await, t.user("admin").await);
    let own = t.repo(&alice, "own", true).await;
    t.collaborate(&own, &w, MODE_WRITE).await;
    t.collaborate(&own, &r, MODE_READ).await;
    t.collaborate(&own, &a, MODE_ADMIN).await;
    let names = |rows: Vec<UserRow>| rows.into_iter().map(|u| u.name).collect::<Vec<_>>();
    let mut h = t.handle().await;
    // The individual owner, then write and admin collaborators, by name; not the reader.
    assert_eq!(
        names(collaborations::assignable(h.conn(), own.id, own.owner_id).await.unwrap()),
        ["admin", "alice", "writer"]
    );
    drop(h);

    // An organisation's repository: Owners and write-or-more teams that have it, not the
    // organisation itself, not a read team.
    let (acme, _) = t.org("acme", &alice).await;
    let app = t.repo(&acme, "app", true).await;
    let (tw, tr, other) = (t.user("team-writer").await, t.user("team-reader").await, t.user("other-team").await);
    let writers = t.team(&acme, "writers", MODE_WRITE).await;
    let readers = t.team(&acme, "readers", MODE_READ).await;
    let elsewhere = t.team(&acme, "elsewhere", MODE_ADMIN).await;
    t.join(&writers, &tw).await;
    t.join(&readers, &tr).await;
    t.join(&elsewhere, &other).await;
    t.give_team(&writers, &app).await;
    t.give_team(&readers, &app).await;
    let mut h = t.handle().await;
    assert_eq!(
        names(collaborations::assignable(h.conn(), app.id, app.owner_id).await.unwrap()),
        ["alice", "team-writer"]
    );
}
