// Repositories, branches, migrations and Git Smart HTTP, driven through go-gogs-client
// (repo.go, admin_repo.go, repo_branch.go) plus raw requests for routes the 2016 client lacks
// (/repos/search, issue-tracker, wiki, mirror-sync).
package main

import (
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	gogs "github.com/gogits/go-gogs-client"
)

// lastJSON decodes the body of the last recorded exchange as an object (fields the client struct lacks:
// empty, mirror, size, parent ...).
func lastJSON() map[string]interface{} {
	m := map[string]interface{}{}
	_ = json.Unmarshal([]byte(lastEx().respBody), &m)
	return m
}

func permStr(p *gogs.Permission) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprintf("{admin:%v push:%v pull:%v}", p.Admin, p.Push, p.Pull)
}

func repoStr(r *gogs.Repository) string {
	if r == nil {
		return "nil"
	}
	own := "nil"
	if r.Owner != nil {
		own = fmt.Sprintf("%+v", *r.Owner)
	}
	return fmt.Sprintf("{id:%d owner:%s name:%s full:%s desc:%q private:%v fork:%v html:%s ssh:%s clone:%s watchers:%d default:%q created:%s updated:%s perms:%s}",
		r.ID, own, r.Name, r.FullName, r.Description, r.Private, r.Fork, r.HTMLURL, r.SSHURL, r.CloneURL, r.Watchers,
		r.DefaultBranch, r.Created, r.Updated, permStr(r.Permissions))
}

func branchStr(b *gogs.Branch) string {
	if b == nil {
		return "nil"
	}
	if b.Commit == nil {
		return b.Name + "{commit:nil}"
	}
	c := b.Commit
	a, cm := "nil", "nil"
	if c.Author != nil {
		a = fmt.Sprintf("%+v", *c.Author)
	}
	if c.Committer != nil {
		cm = fmt.Sprintf("%+v", *c.Committer)
	}
	return fmt.Sprintf("%s{id:%s msg:%q url:%s author:%s committer:%s ts:%s}", b.Name, c.ID, c.Message, c.URL, a, cm, c.Timestamp)
}

func repoNames(rs []*gogs.Repository) string {
	var n []string
	for _, r := range rs {
		n = append(n, r.FullName)
	}
	return strings.Join(n, ",")
}

func findRepo(rs []*gogs.Repository, full string) *gogs.Repository {
	for _, r := range rs {
		if r.FullName == full {
			return r
		}
	}
	return nil
}

func perm(p *gogs.Permission, a, pu, pl bool) bool {
	return p != nil && p.Admin == a && p.Push == pu && p.Pull == pl
}

// git runs the git CLI in dir; returns combined output.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_ASKPASS=true")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func withCreds(u, user, pass string) string {
	p, _ := url.Parse(u)
	p.User = url.UserPassword(user, pass)
	return p.String()
}

func repoTests(root, ac, bc, anon *gogs.Client, rootTok, aliceTok string, aliceID int64) {
	host := strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://")
	hostOnly := strings.Split(host, ":")[0]

	// ---------------- create ----------------
	r, err := root.CreateRepo(gogs.CreateRepoOption{Name: "go-init", Description: "Go init repo", AutoInit: true,
		Gitignores: "Go", License: "MIT License", Readme: "Default"})
	j := lastJSON()
	ok := err == nil && r.ID > 0 && r.Owner != nil && r.Owner.ID == 1 && r.Owner.UserName == "root" && r.Owner.Email == "root@example.com" &&
		r.Name == "go-init" && r.FullName == "root/go-init" && r.Description == "Go init repo" && !r.Private && !r.Fork &&
		r.HTMLURL == base+"/root/go-init" && r.CloneURL == base+"/root/go-init.git" &&
		strings.HasSuffix(r.SSHURL, hostOnly+":root/go-init.git") && r.DefaultBranch == "master" &&
		perm(r.Permissions, true, true, true) && r.Created.Year() > 2000 && r.Updated.Year() > 2000 && r.Watchers == 1 &&
		r.Stars == 0 && r.Forks == 0 && r.OpenIssues == 0
	check("CreateRepo(auto_init, Go gitignore, MIT licence): owner/urls/default_branch/permissions/real dates", ok, "err="+es(err)+" repo="+repoStr(r))
	check("CreateRepo(auto_init) body: empty=false mirror=false parent=null", j["empty"] == false && j["mirror"] == false && j["parent"] == nil,
		fmt.Sprintf("empty=%v mirror=%v parent=%v", j["empty"], j["mirror"], j["parent"]))
	initID := r.ID

	r, err = root.CreateRepo(gogs.CreateRepoOption{Name: "go-empty", Private: true})
	j = lastJSON()
	check("CreateRepo(private, no auto_init): private, default_branch master, empty=true",
		err == nil && r.Private && r.DefaultBranch == "master" && j["empty"] == true && perm(r.Permissions, true, true, true),
		fmt.Sprintf("err=%s empty=%v repo=%s", es(err), j["empty"], repoStr(r)))

	r, err = root.CreateRepo(gogs.CreateRepoOption{Name: "go-noreadme", AutoInit: true})
	j = lastJSON()
	check("CreateRepo(auto_init, readme \"\") succeeds (Gogs 500 quirk; hearth uses Default)", err == nil && j["empty"] == false,
		fmt.Sprintf("err=%s empty=%v", es(err), j["empty"]))

	_, err = root.CreateRepo(gogs.CreateRepoOption{Name: "GO-INIT"})
	ex := lastEx()
	check("CreateRepo duplicate name (other case) -> 422 'repository already exists'", err != nil && ex.status == 422 && strings.Contains(err.Error(), "already exists"),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))

	_, err = root.CreateRepo(gogs.CreateRepoOption{Name: "bad.git"})
	ex = lastEx()
	check("CreateRepo reserved name x.git -> 422 'name is not allowed'", err != nil && ex.status == 422 && strings.Contains(err.Error(), "not allowed"),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))

	err = safe(func() error { _, e := root.CreateRepo(gogs.CreateRepoOption{Name: "bad name"}); return e })
	ex = lastEx()
	check("CreateRepo invalid name -> 422 binding array (client: json decode error, same against Gogs)", err != nil && ex.status == 422 && strings.HasPrefix(ex.respBody, "["),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))

	_, err = root.CreateRepo(gogs.CreateRepoOption{Name: "go-badlic", AutoInit: true, License: "Apache v2 License"})
	ex = lastEx()
	check("CreateRepo unknown licence -> error with message (Gogs 500; hearth 422)", err != nil && ex.status/100 == 4 && !strings.HasPrefix(es(err), "json:"),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	_, err = root.GetRepo("root", "go-badlic")
	check("failed create leaves no repository behind", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	_, err = anon.CreateRepo(gogs.CreateRepoOption{Name: "anon"})
	ex = lastEx()
	check("CreateRepo without token -> 401", err != nil && ex.status == 401, fmt.Sprintf("err=%s status=%d", es(err), ex.status))

	// ---------------- admin create ----------------
	r, err = root.AdminCreateRepo("alice", gogs.CreateRepoOption{Name: "alice-admin", Description: "made by admin", AutoInit: true, Readme: "Default"})
	check("AdminCreateRepo(alice): owner alice, permissions all true", err == nil && r.Owner != nil && r.Owner.UserName == "alice" && r.Owner.ID == aliceID &&
		r.FullName == "alice/alice-admin" && perm(r.Permissions, true, true, true),
		"err="+es(err)+" repo="+repoStr(r))
	_, err = ac.AdminCreateRepo("bob", gogs.CreateRepoOption{Name: "x"})
	check("AdminCreateRepo as non-admin -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = root.AdminCreateRepo("nosuchuser", gogs.CreateRepoOption{Name: "x"})
	check("AdminCreateRepo(missing user) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = root.AdminCreateRepo("alice", gogs.CreateRepoOption{Name: "Alice-Admin"})
	check("AdminCreateRepo duplicate -> 422 already exists", err != nil && strings.Contains(err.Error(), "already exists"), "err="+es(err))

	// ---------------- get ----------------
	r, err = root.GetRepo("root", "go-init")
	check("GetRepo(root/go-init) as owner", err == nil && r.ID == initID && r.Owner != nil && r.Owner.UserName == "root" &&
		r.CloneURL == base+"/root/go-init.git" && r.DefaultBranch == "master" && perm(r.Permissions, true, true, true),
		"err="+es(err)+" repo="+repoStr(r))
	r, err = ac.GetRepo("root", "go-init")
	check("GetRepo(root/go-init) as other user: permissions {false,false,true}", err == nil && perm(r.Permissions, false, false, true),
		"err="+es(err)+" repo="+repoStr(r))
	r, err = anon.GetRepo("root", "go-init")
	check("GetRepo public anonymously: owner e-mail included", err == nil && r.Owner != nil && r.Owner.Email == "root@example.com" && r.Permissions != nil && r.Permissions.Pull && !r.Permissions.Push,
		"err="+es(err)+" repo="+repoStr(r))
	r, err = root.GetRepo("ROOT", "GO-INIT")
	check("GetRepo case-insensitive, stored spelling", err == nil && r.FullName == "root/go-init", "err="+es(err)+" repo="+repoStr(r))
	r, err = root.GetRepo("alice", "alice-admin")
	check("GetRepo other user's repo as site admin (token): permissions all true", err == nil && perm(r.Permissions, true, true, true),
		"err="+es(err)+" repo="+repoStr(r))
	_, err = root.GetRepo("root", "nosuchrepo")
	check("GetRepo(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = root.GetRepo("nosuchuser", "go-init")
	check("GetRepo(missing owner) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = ac.GetRepo("root", "go-empty")
	check("GetRepo(private) as non-collaborator -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = anon.GetRepo("root", "go-empty")
	check("GetRepo(private) anonymously -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	// ---------------- lists ----------------
	rs, err := root.ListMyRepos()
	check("ListMyRepos(root): own repos incl. private, newest updated first",
		err == nil && repoNames(rs) == "root/go-noreadme,root/go-empty,root/go-init" && perm(rs[0].Permissions, true, true, true),
		fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))
	rs, err = ac.ListMyRepos()
	check("ListMyRepos(alice) = alice/alice-admin", err == nil && repoNames(rs) == "alice/alice-admin", fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))
	rs, err = bc.ListMyRepos()
	check("ListMyRepos(bob) = [] (not null)", err == nil && rs != nil && len(rs) == 0, fmt.Sprintf("err=%s repos=%v", es(err), rs))
	rs, err = ac.ListUserRepos("root")
	check("ListUserRepos(root) as alice: public only", err == nil && repoNames(rs) == "root/go-noreadme,root/go-init", fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))
	if err == nil && len(rs) > 0 {
		note("ListUserRepos(root) as alice permissions (Gogs all-true quirk; spec recommends real)", permStr(rs[0].Permissions))
	}
	rs, err = root.ListUserRepos("root")
	check("ListUserRepos(self) = ListMyRepos (incl. private)", err == nil && findRepo(rs, "root/go-empty") != nil, fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))
	_, err = anon.ListUserRepos("root")
	ex = lastEx()
	check("ListUserRepos(root) anonymously -> 401 (routes.tsv: token required)", err != nil && ex.status == 401, fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	_, err = root.ListUserRepos("nosuchuser")
	check("ListUserRepos(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	rs, err = ac.ListOrgRepos("root")
	ex = lastEx()
	note(fmt.Sprintf("[GET /orgs/root/repos -> %d %q] ", ex.status, ex.respBody)+"ListOrgRepos(user name root) (spec §6.1: /orgs/:org/repos also works for user names)", fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))

	// ---------------- search (raw; no client method) ----------------
	auth := map[string]string{"Authorization": "token " + rootTok}
	st, _, body := rawDo("GET", "/api/v1/repos/search?q=go-&limit=50", "", "", nil)
	var sr struct {
		Data []map[string]interface{} `json:"data"`
		OK   bool                     `json:"ok"`
	}
	_ = json.Unmarshal([]byte(body), &sr)
	var sn []string
	noPerm := true
	for _, d := range sr.Data {
		sn = append(sn, fmt.Sprint(d["full_name"]))
		if _, has := d["permissions"]; has {
			noPerm = false
		}
	}
	check("GET /repos/search?q=go- anonymous: {data,ok}, public only, no permissions key",
		st == 200 && sr.OK && len(sr.Data) == 2 && noPerm && !strings.Contains(body, "go-empty"), fmt.Sprintf("status=%d names=%v body=%s", st, sn, body))
	st, _, body = rawDo("GET", "/api/v1/repos/search?q=go-&uid=1", "", "", auth)
	check("GET /repos/search?uid=1 as root includes private", st == 200 && strings.Contains(body, "root/go-empty"), fmt.Sprintf("status=%d body=%s", st, body))
	st, _, body = rawDo("GET", "/api/v1/repos/search?q=go-&limit=1", "", "", nil)
	sr.Data = nil
	_ = json.Unmarshal([]byte(body), &sr)
	check("GET /repos/search limit=1 -> 1 result", st == 200 && len(sr.Data) == 1, fmt.Sprintf("status=%d body=%s", st, body))
	st, _, body = rawDo("GET", "/api/v1/repos/search?q=nomatchzzz", "", "", nil)
	check("GET /repos/search no match -> data:[]", st == 200 && strings.Contains(body, `"data":[]`), fmt.Sprintf("status=%d body=%s", st, body))
	last = nil

	// ---------------- branches (initial commit) ----------------
	bs, err := root.ListRepoBranches("root", "go-init")
	var initSha string
	ok = err == nil && len(bs) == 1 && bs[0].Name == "master" && bs[0].Commit != nil && hex40.MatchString(bs[0].Commit.ID) &&
		bs[0].Commit.Message == "Initial commit\n" && bs[0].Commit.Author != nil && bs[0].Commit.Author.Name == "root" &&
		bs[0].Commit.Author.Email == "root@example.com" && bs[0].Commit.Author.UserName == "root" && bs[0].Commit.Committer != nil &&
		bs[0].Commit.Timestamp.Year() > 2000
	if len(bs) == 1 && bs[0].Commit != nil {
		initSha = bs[0].Commit.ID
	}
	var bstr []string
	for _, b := range bs {
		bstr = append(bstr, branchStr(b))
	}
	check("ListRepoBranches(go-init): master with Initial commit by root", ok, fmt.Sprintf("err=%s branches=%v", es(err), bstr))
	b, err := root.GetRepoBranch("root", "go-init", "master")
	check("GetRepoBranch(master) same tip", err == nil && b.Name == "master" && b.Commit != nil && b.Commit.ID == initSha,
		"err="+es(err)+" branch="+branchStr(b))
	_, err = root.GetRepoBranch("root", "go-init", "nosuch")
	check("GetRepoBranch(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	bs, err = root.ListRepoBranches("root", "go-empty")
	check("ListRepoBranches(empty repo) = [] (not null)", err == nil && bs != nil && len(bs) == 0, fmt.Sprintf("err=%s n=%d", es(err), len(bs)))
	_, err = anon.ListRepoBranches("root", "go-init")
	ex = lastEx()
	check("ListRepoBranches anonymously -> 401 (Gogs: token required under /repos/:o/:r/*)", err != nil && ex.status == 401,
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	bs, err = ac.ListRepoBranches("root", "go-init")
	check("ListRepoBranches(public) as other user", err == nil && len(bs) == 1, fmt.Sprintf("err=%s n=%d", es(err), len(bs)))
	_, err = ac.ListRepoBranches("root", "go-empty")
	check("ListRepoBranches(private) as non-collaborator -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	// ---------------- git round trip ----------------
	tmp, _ := ioutil.TempDir("", "hearth-go-git")
	defer os.RemoveAll(tmp)
	wc := filepath.Join(tmp, "wc")
	out, err := git(tmp, "clone", base+"/root/go-init.git", wc)
	_, statErr := os.Stat(filepath.Join(wc, "README.md"))
	lic, _ := ioutil.ReadFile(filepath.Join(wc, "LICENSE"))
	gi, _ := ioutil.ReadFile(filepath.Join(wc, ".gitignore"))
	readme, _ := ioutil.ReadFile(filepath.Join(wc, "README.md"))
	check("git clone (anonymous, public) of auto_init repo: README.md, LICENSE, .gitignore",
		err == nil && statErr == nil && strings.Contains(string(lic), "MIT License") && strings.Contains(string(gi), "# ---> Go") &&
			strings.HasPrefix(string(readme), "# go-init") && strings.Contains(string(readme), "Go init repo"),
		fmt.Sprintf("err=%v out=%s readme=%q gitignore-head=%.40q", err, out, readme, gi))
	head, _ := git(wc, "rev-parse", "HEAD")
	check("cloned HEAD = branch API sha", strings.TrimSpace(head) == initSha, fmt.Sprintf("head=%s api=%s", head, initSha))

	_ = ioutil.WriteFile(filepath.Join(wc, "hello.txt"), []byte("hello from go\n"), 0644)
	git(wc, "add", "hello.txt")
	out, err = git(wc, "-c", "user.name=Alice Git", "-c", "user.email=alice@example.com", "commit", "-q", "-m", "Add hello\n\nbody line")
	newSha, _ := git(wc, "rev-parse", "HEAD")
	newSha = strings.TrimSpace(newSha)
	out, err = git(wc, "push", withCreds(base+"/root/go-init.git", "root", rootTok), "master", "master:feature/x")
	check("git push master + feature/x with token as password", err == nil, fmt.Sprintf("err=%v out=%s", err, out))

	b, err = root.GetRepoBranch("root", "go-init", "master")
	ok = err == nil && b.Commit != nil && b.Commit.ID == newSha && b.Commit.Message == "Add hello\n\nbody line\n" &&
		b.Commit.Author != nil && b.Commit.Author.Name == "Alice Git" && b.Commit.Author.Email == "alice@example.com" && b.Commit.Author.UserName == "alice"
	check("GetRepoBranch(master) after push: new sha, full message, author username via e-mail", ok, "err="+es(err)+" want="+newSha+" branch="+branchStr(b))
	b, err = root.GetRepoBranch("root", "go-init", "feature/x")
	check("GetRepoBranch(feature/x) (name with '/')", err == nil && b.Name == "feature/x" && b.Commit != nil && b.Commit.ID == newSha, "err="+es(err)+" branch="+branchStr(b))
	bs, err = root.ListRepoBranches("root", "go-init")
	bstr = nil
	for _, b := range bs {
		bstr = append(bstr, b.Name)
	}
	check("ListRepoBranches after push: feature/x, master (sorted)", err == nil && strings.Join(bstr, ",") == "feature/x,master", fmt.Sprintf("err=%s names=%v", es(err), bstr))

	// push by a non-collaborator is refused; anonymous push is refused
	git(wc, "-c", "user.name=x", "-c", "user.email=x@example.com", "commit", "-q", "--allow-empty", "-m", "by alice")
	out, err = git(wc, "push", withCreds(base+"/root/go-init.git", "alice", aliceTok), "HEAD:refs/heads/alice-branch")
	check("git push by non-collaborator (alice token) refused", err != nil, fmt.Sprintf("out=%s", out))
	out, err = git(wc, "push", base+"/root/go-init.git", "HEAD:refs/heads/anon-branch")
	check("git push anonymously refused", err != nil, fmt.Sprintf("out=%s", out))
	_, err = root.GetRepoBranch("root", "go-init", "alice-branch")
	check("refused push created no branch", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	// private repo: anonymous clone refused; token clone + first push into empty repo
	out, err = git(tmp, "clone", base+"/root/go-empty.git", filepath.Join(tmp, "anon-empty"))
	check("git clone private repo anonymously refused", err != nil, "out="+out)
	pe := filepath.Join(tmp, "pe")
	out, err = git(tmp, "clone", withCreds(base+"/root/go-empty.git", "root", rootTok), pe)
	check("git clone private empty repo with root:token", err == nil, fmt.Sprintf("err=%v out=%s", err, out))
	_ = ioutil.WriteFile(filepath.Join(pe, "a.txt"), []byte("a\n"), 0644)
	git(pe, "add", "a.txt")
	git(pe, "-c", "user.name=Root", "-c", "user.email=root@example.com", "commit", "-q", "-m", "first")
	out, err = git(pe, "push", "origin", "HEAD:master")
	r, err2 := root.GetRepo("root", "go-empty")
	j = lastJSON()
	check("first push into empty repo: GetRepo empty=false, default_branch master", err == nil && err2 == nil && j["empty"] == false && r.DefaultBranch == "master",
		fmt.Sprintf("push err=%v out=%s get err=%s empty=%v", err, out, es(err2), j["empty"]))
	bs, err = root.ListRepoBranches("root", "go-empty")
	check("ListRepoBranches(go-empty) after first push = [master]", err == nil && len(bs) == 1 && bs[0].Name == "master", fmt.Sprintf("err=%s n=%d", es(err), len(bs)))

	// ---------------- settings (raw) ----------------
	st, _, body = rawDo("PATCH", "/api/v1/repos/root/go-init/issue-tracker", "application/json",
		`{"enable_issues":true,"enable_external_tracker":false,"external_tracker_url":"https://t.example","tracker_url_format":"https://t.example/{index}","tracker_issue_style":"numeric"}`, auth)
	check("PATCH issue-tracker as owner -> 204", st == 204 && body == "", fmt.Sprintf("status=%d body=%q", st, body))
	st, _, body = rawDo("PATCH", "/api/v1/repos/root/go-init/wiki", "application/json", `{"enable_wiki":true,"allow_public_wiki":false,"enable_external_wiki":false,"external_wiki_url":""}`, auth)
	check("PATCH wiki as owner -> 204", st == 204 && body == "", fmt.Sprintf("status=%d body=%q", st, body))
	st, _, body = rawDo("PATCH", "/api/v1/repos/root/go-init/wiki", "application/json", `{"enable_wiki":false}`, map[string]string{"Authorization": "token " + aliceTok})
	check("PATCH wiki as reader -> 403", st == 403, fmt.Sprintf("status=%d body=%q", st, body))
	st, _, body = rawDo("PATCH", "/api/v1/repos/root/nosuch/issue-tracker", "application/json", `{}`, auth)
	check("PATCH issue-tracker on missing repo -> 404", st == 404, fmt.Sprintf("status=%d body=%q", st, body))
	last = nil

	// ---------------- migrate ----------------
	m, err := root.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: base + "/root/go-init.git", UID: 1, RepoName: "go-migrated", Description: "migrated"})
	j = lastJSON()
	check("MigrateRepo(loopback http, allowlisted): owner root, default master, empty=false, mirror=false",
		err == nil && m.Owner != nil && m.Owner.UserName == "root" && m.FullName == "root/go-migrated" && m.Description == "migrated" &&
			m.DefaultBranch == "master" && j["empty"] == false && j["mirror"] == false && perm(m.Permissions, true, true, true),
		fmt.Sprintf("err=%s empty=%v mirror=%v repo=%s", es(err), j["empty"], j["mirror"], repoStr(m)))
	b, err = root.GetRepoBranch("root", "go-migrated", "feature/x")
	check("migrated repo has source branches (feature/x at pushed sha)", err == nil && b.Commit != nil && b.Commit.ID == newSha, "err="+es(err)+" branch="+branchStr(b))

	m, err = root.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: base + "/root/go-empty.git", AuthUsername: "root", AuthPassword: rootTok,
		UID: int(aliceID), RepoName: "alice-mirror", Mirror: true, Private: true})
	j = lastJSON()
	check("MigrateRepo(private source with auth_username/password, uid=alice by admin, mirror, private)",
		err == nil && m.Owner != nil && m.Owner.UserName == "alice" && m.Private && j["mirror"] == true,
		fmt.Sprintf("err=%s mirror=%v repo=%s", es(err), j["mirror"], repoStr(m)))
	st, _, body = rawDo("POST", "/api/v1/repos/alice/alice-mirror/mirror-sync", "", "", map[string]string{"Authorization": "token " + aliceTok})
	check("POST mirror-sync on mirror -> 202", st == 202, fmt.Sprintf("status=%d body=%q", st, body))
	st, _, body = rawDo("POST", "/api/v1/repos/root/go-migrated/mirror-sync", "", "", auth)
	check("POST mirror-sync on non-mirror -> 404", st == 404, fmt.Sprintf("status=%d body=%q", st, body))
	last = nil

	_, err = root.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: base + "/root/go-empty.git", UID: 1, RepoName: "go-nocreds"})
	ex = lastEx()
	check("MigrateRepo(private source, no credentials) -> error with message, credentials not echoed", err != nil && ex.status >= 400 && !strings.HasPrefix(es(err), "json:"),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	note("MigrateRepo clone failure error text", es(err))
	_, err = root.GetRepo("root", "go-nocreds")
	check("failed migration leaves no repository", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	_, err = root.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: base + "/root/go-init.git", UID: 1, RepoName: "go-migrated"})
	check("MigrateRepo duplicate repo_name -> 422 already exists", err != nil && strings.Contains(err.Error(), "already exists"), "err="+es(err))
	_, err = ac.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: base + "/root/go-init.git", UID: 1, RepoName: "steal"})
	ex = lastEx()
	check("MigrateRepo uid=another user by non-admin -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", fmt.Sprintf("err=%s body=%s", es(err), ex.respBody))
	_, err = root.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: base + "/root/go-init.git", UID: 99999, RepoName: "x"})
	ex = lastEx()
	check("MigrateRepo unknown uid -> 422 with message", err != nil && ex.status == 422 && !strings.HasPrefix(es(err), "json:"), fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	err = safe(func() error {
		_, e := root.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: base + "/root/go-init.git", RepoName: "x"})
		return e
	})
	ex = lastEx()
	check("MigrateRepo uid=0 -> 422 binding array", err != nil && ex.status == 422 && strings.HasPrefix(ex.respBody, "["), fmt.Sprintf("err=%s status=%d body=%s", es(err), ex.status, ex.respBody))

	// local path migration (enabled on this server; admin only)
	bare := filepath.Join(tmp, "bare.git")
	git(tmp, "clone", "-q", "--bare", wc, bare)
	m, err = root.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: bare, UID: 1, RepoName: "go-local"})
	check("MigrateRepo(local path) as admin", err == nil && m.FullName == "root/go-local", "err="+es(err)+" repo="+repoStr(m))
	b, err = root.GetRepoBranch("root", "go-local", "master")
	check("local-path migrated master tip", err == nil && b.Commit != nil && strings.HasPrefix(strings.TrimSpace(mustGit(wc, "rev-parse", "master")), b.Commit.ID),
		"err="+es(err)+" branch="+branchStr(b))
	_, err = ac.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: bare, UID: int(aliceID), RepoName: "alice-local"})
	check("MigrateRepo(local path) as non-admin -> 422 'not allowed to import local'", err != nil && strings.Contains(err.Error(), "not allowed"), "err="+es(err))
	_, err = root.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: filepath.Join(tmp, "nonexistent"), UID: 1, RepoName: "go-local2"})
	check("MigrateRepo(nonexistent local path) -> 422 'Invalid local path'", err != nil && strings.Contains(strings.ToLower(err.Error()), "local path"), "err="+es(err))

	// strict server (defaults): loopback refused
	if strict := os.Getenv("HEARTH_URL_STRICT"); strict != "" {
		sc := gogs.NewClient(strict, "")
		sc.SetHTTPClient(&http.Client{Transport: recorder{}})
		stk, err := sc.CreateAccessToken("root", "rootpass1", gogs.CreateAccessTokenOption{Name: "strict"})
		if err == nil {
			sr := gogs.NewClient(strict, stk.Sha1)
			sr.SetHTTPClient(&http.Client{Transport: recorder{}})
			_, err = sr.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: base + "/root/go-init.git", UID: 1, RepoName: "x"})
			ex = lastEx()
			check("MigrateRepo(loopback) on default server -> 422 'local network address'", err != nil && ex.status == 422 && strings.Contains(err.Error(), "local network"),
				fmt.Sprintf("err=%s status=%d", es(err), ex.status))
			_, err = sr.MigrateRepo(gogs.MigrateRepoOption{CloneAddr: bare, UID: 1, RepoName: "y"})
			check("MigrateRepo(local path) on default server -> 422 'not allowed to import local'", err != nil && strings.Contains(err.Error(), "not allowed"), "err="+es(err))
		} else {
			check("strict server token", false, "err="+es(err))
		}
	}

	// ---------------- delete ----------------
	err = ac.DeleteRepo("root", "go-init")
	check("DeleteRepo(root's public repo) as reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = ac.DeleteRepo("root", "go-empty")
	check("DeleteRepo(root's private repo) as stranger -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = anon.DeleteRepo("root", "go-init")
	ex = lastEx()
	check("DeleteRepo anonymously -> 401", err != nil && ex.status == 401, fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	err = root.DeleteRepo("root", "go-migrated")
	_, err2 = root.GetRepo("root", "go-migrated")
	check("DeleteRepo(root/go-migrated) then GetRepo -> 404", err == nil && err2 != nil && err2.Error() == "404 Not Found", "err="+es(err)+" get="+es(err2))
	out, err = git(tmp, "clone", base+"/root/go-migrated.git", filepath.Join(tmp, "gone"))
	check("git clone of deleted repo fails", err != nil, "out="+out)
	err = root.DeleteRepo("root", "go-migrated")
	check("DeleteRepo(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = root.DeleteRepo("alice", "alice-mirror")
	check("DeleteRepo(alice's repo) as site admin (token)", err == nil, "err="+es(err))
	err = ac.DeleteRepo("alice", "alice-admin")
	check("DeleteRepo(own repo) as alice", err == nil, "err="+es(err))
	rs, err = ac.ListMyRepos()
	check("ListMyRepos(alice) empty after deletes", err == nil && len(rs) == 0, fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))
	r, err = root.CreateRepo(gogs.CreateRepoOption{Name: "go-migrated"})
	check("name free again after delete", err == nil && r.Name == "go-migrated", "err="+es(err))
	last = nil
}

func mustGit(dir string, args ...string) string {
	out, _ := git(dir, args...)
	return out
}
