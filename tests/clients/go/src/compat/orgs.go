// Organisations, teams, collaborators and deploy keys, driven through go-gogs-client
// (org.go, org_member.go, admin_org.go, admin_repo.go, repo.go CreateOrgRepo/ListOrgRepos,
// repo_collaborator.go, repo_key.go). The 2016 snapshot has only the Team / CreateTeamOption
// structs (org_team.go) and only AddCollaborator for collaborators, so team routes and the other
// collaborator routes are exercised with raw requests whose bodies are json.Marshal'ed client
// structs and whose answers are decoded into client structs.
package main

import (
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"strings"

	gogs "github.com/gogits/go-gogs-client"
)

// api sends a raw API request with a token (JSON body when body != "").
func api(tok, method, path, body string) (int, string) {
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	hdr := map[string]string{}
	if tok != "" {
		hdr["Authorization"] = "token " + tok
	}
	st, _, b := rawDo(method, "/api/v1"+path, ct, body, hdr)
	return st, b
}

func orgStr(o *gogs.Organization) string {
	if o == nil {
		return "nil"
	}
	return fmt.Sprintf("%+v", *o)
}

func orgNames(os []*gogs.Organization) string {
	var n []string
	for _, o := range os {
		n = append(n, o.UserName)
	}
	return strings.Join(n, ",")
}

func teamsStr(ts []gogs.Team) string {
	var n []string
	for _, t := range ts {
		n = append(n, fmt.Sprintf("%d:%s:%s:%q", t.ID, t.Name, t.Permission, t.Description))
	}
	return strings.Join(n, ",")
}

func mkUser(root, anon *gogs.Client, name string) (*gogs.User, string) {
	u, err := root.AdminCreateUser(gogs.CreateUserOption{Username: name, Email: name + "@example.com", Password: name + "pass1"})
	check("AdminCreateUser("+name+")", err == nil && u.UserName == name, fmt.Sprintf("err=%s u=%+v", es(err), u))
	tk, err := anon.CreateAccessToken(name, name+"pass1", gogs.CreateAccessTokenOption{Name: "go-" + name})
	if tk == nil {
		tk = &gogs.AccessToken{}
	}
	check("CreateAccessToken("+name+")", err == nil && hex40.MatchString(tk.Sha1), "err="+es(err))
	return u, tk.Sha1
}

func orgTests(root, ac, anon *gogs.Client, rootTok, aliceTok, kEd, kRsa, kEd2, kEd3 string) {
	oliveU, oliveTok := mkUser(root, anon, "olive") // org owner, repo owner
	_, oscarTok := mkUser(root, anon, "oscar")      // team member
	_, coraTok := mkUser(root, anon, "cora")        // collaborator
	oc, sc, cc := client(oliveTok), client(oscarTok), client(coraTok)

	// ---------------- organisations ----------------
	o, err := root.AdminCreateOrg("olive", gogs.CreateOrgOption{UserName: "go-org", FullName: "Go <Org>", Description: "desc",
		Website: "https://org.example", Location: "Berlin"})
	j := lastJSON()
	_, hasEmail := j["email"]
	check("AdminCreateOrg(olive, go-org): 201 Organization fields (full_name not sanitised, no e-mail)",
		err == nil && o.ID > oliveU.ID && o.UserName == "go-org" && o.FullName == "Go <Org>" && o.Description == "desc" &&
			o.Website == "https://org.example" && o.Location == "Berlin" && strings.HasPrefix(o.AvatarUrl, "http") && !hasEmail && lastEx().status == 201,
		fmt.Sprintf("err=%s status=%d org=%s", es(err), lastEx().status, orgStr(o)))
	orgID := o.ID

	_, err = root.AdminCreateOrg("olive", gogs.CreateOrgOption{UserName: "GO-ORG"})
	ex := lastEx()
	check("AdminCreateOrg duplicate name (other case) -> 422 'user already exists'", err != nil && ex.status == 422 && strings.Contains(es(err), "already exists"),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	_, err = root.AdminCreateOrg("olive", gogs.CreateOrgOption{UserName: "alice"})
	ex = lastEx()
	check("AdminCreateOrg name of an existing user -> 422 with message", err != nil && ex.status == 422 && !strings.HasPrefix(es(err), "json:"),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	_, err = root.AdminCreateOrg("olive", gogs.CreateOrgOption{UserName: "explore"})
	ex = lastEx()
	check("AdminCreateOrg reserved name -> 422 'name is not allowed'", err != nil && ex.status == 422 && strings.Contains(es(err), "not allowed"),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	err = safe(func() error { _, e := root.AdminCreateOrg("olive", gogs.CreateOrgOption{UserName: "bad org"}); return e })
	ex = lastEx()
	check("AdminCreateOrg invalid name -> 422 binding array (client: decode error, same against Gogs)", err != nil && ex.status == 422 && strings.HasPrefix(ex.respBody, "["),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	_, err = root.AdminCreateOrg("nosuchuser", gogs.CreateOrgOption{UserName: "orphan-org"})
	check("AdminCreateOrg(missing owner) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = ac.AdminCreateOrg("alice", gogs.CreateOrgOption{UserName: "alice-org"})
	check("AdminCreateOrg as non-admin -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))

	os_, err := oc.ListMyOrgs()
	check("ListMyOrgs(olive) = [go-org] with fields", err == nil && orgNames(os_) == "go-org" && os_[0].ID == orgID && os_[0].FullName == "Go <Org>" &&
		os_[0].Location == "Berlin", fmt.Sprintf("err=%s orgs=%s", es(err), orgNames(os_)))
	os_, err = ac.ListMyOrgs()
	check("ListMyOrgs(alice) = [] (not null)", err == nil && os_ != nil && len(os_) == 0, fmt.Sprintf("err=%s orgs=%s", es(err), orgNames(os_)))
	err = safe(func() error { _, e := anon.ListMyOrgs(); return e })
	check("ListMyOrgs anonymous -> 401 error", err != nil && lastEx().status == 401, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	os_, err = oc.ListUserOrgs("olive")
	check("ListUserOrgs(olive): creator's membership is private -> [] (public memberships only)", err == nil && len(os_) == 0,
		fmt.Sprintf("err=%s orgs=%s", es(err), orgNames(os_)))
	os_, err = anon.ListUserOrgs("olive")
	check("ListUserOrgs anonymous allowed", err == nil && len(os_) == 0, fmt.Sprintf("err=%s orgs=%s", es(err), orgNames(os_)))
	_, err = ac.ListUserOrgs("nosuchuser")
	check("ListUserOrgs(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	o, err = ac.GetOrg("go-org")
	check("GetOrg(go-org) as non-member", err == nil && o.ID == orgID && o.UserName == "go-org" && o.Description == "desc" && o.Website == "https://org.example",
		fmt.Sprintf("err=%s org=%s", es(err), orgStr(o)))
	o, err = ac.GetOrg("GO-ORG")
	check("GetOrg case-insensitive, stored spelling", err == nil && o.UserName == "go-org", fmt.Sprintf("err=%s org=%s", es(err), orgStr(o)))
	_, err = ac.GetOrg("alice")
	check("GetOrg(user name) -> '404 Not Found' (hearth; Gogs returns the user)", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = ac.GetOrg("nosuchorg")
	check("GetOrg(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = safe(func() error { _, e := anon.GetOrg("go-org"); return e })
	check("GetOrg anonymous -> 401 (token required since 0.14.3)", err != nil && lastEx().status == 401, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))

	err = oc.EditOrg("go-org", gogs.EditOrgOption{FullName: "Go Org 2", Description: "d2", Website: "https://w2.example", Location: "Paris"})
	o, err2 := ac.GetOrg("go-org")
	check("EditOrg by owner, visible via GetOrg", err == nil && err2 == nil && o.FullName == "Go Org 2" && o.Description == "d2" && o.Website == "https://w2.example" && o.Location == "Paris",
		fmt.Sprintf("err=%s err2=%s org=%s", es(err), es(err2), orgStr(o)))
	err = oc.EditOrg("go-org", gogs.EditOrgOption{Description: "only desc"})
	o, _ = ac.GetOrg("go-org")
	check("EditOrg: empty fields overwrite (Gogs: all four written)", err == nil && o.FullName == "" && o.Description == "only desc" && o.Website == "" && o.Location == "",
		fmt.Sprintf("err=%s org=%s", es(err), orgStr(o)))
	err = ac.EditOrg("go-org", gogs.EditOrgOption{FullName: "hijack"})
	check("EditOrg by non-member -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = root.EditOrg("go-org", gogs.EditOrgOption{FullName: "admin edit"})
	check("EditOrg by site admin who is not an owner -> '403 Forbidden' (Gogs: Owners team only)", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = oc.EditOrg("nosuchorg", gogs.EditOrgOption{FullName: "x"})
	check("EditOrg(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	o, _ = ac.GetOrg("go-org")
	check("refused EditOrg changed nothing", o.FullName == "" && o.Description == "only desc", orgStr(o))

	// ---------------- organisation repositories ----------------
	r, err := oc.CreateOrgRepo("go-org", gogs.CreateRepoOption{Name: "org-pub", Description: "public org repo", AutoInit: true, Readme: "Default"})
	check("CreateOrgRepo(go-org/org-pub) by owner: owner is the org, permissions all true",
		err == nil && r.Owner != nil && r.Owner.ID == orgID && r.Owner.UserName == "go-org" && r.FullName == "go-org/org-pub" &&
			r.HTMLURL == base+"/go-org/org-pub" && perm(r.Permissions, true, true, true) && lastEx().status == 201,
		"err="+es(err)+" repo="+repoStr(r))
	r, err = oc.CreateOrgRepo("go-org", gogs.CreateRepoOption{Name: "org-priv", Private: true, AutoInit: true, Readme: "Default"})
	check("CreateOrgRepo(go-org/org-priv, private)", err == nil && r.Private && r.FullName == "go-org/org-priv", "err="+es(err)+" repo="+repoStr(r))
	_, err = ac.CreateOrgRepo("go-org", gogs.CreateRepoOption{Name: "alice-in-org"})
	ex = lastEx()
	check("CreateOrgRepo by non-member -> '403 Forbidden' (body 'Given user is not owner of organization.')",
		err != nil && err.Error() == "403 Forbidden" && strings.Contains(ex.respBody, "Given user is not owner of organization."),
		fmt.Sprintf("err=%s body=%q", es(err), ex.respBody))
	_, err = root.CreateOrgRepo("go-org", gogs.CreateRepoOption{Name: "root-in-org"})
	check("CreateOrgRepo by site admin who is not an owner -> '403 Forbidden' (not exempt)", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = oc.CreateOrgRepo("nosuchorg", gogs.CreateRepoOption{Name: "x"})
	check("CreateOrgRepo(unknown org) -> '404 Not Found' (Gogs: 500)", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = oc.CreateOrgRepo("go-org", gogs.CreateRepoOption{Name: "ORG-PUB"})
	ex = lastEx()
	check("CreateOrgRepo duplicate -> 422 'already exists'", err != nil && ex.status == 422 && strings.Contains(es(err), "already exists"), fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	r, err = root.AdminCreateRepo("go-org", gogs.CreateRepoOption{Name: "org-admin", Private: true})
	check("AdminCreateRepo(go-org) by site admin: org-owned", err == nil && r.Owner != nil && r.Owner.UserName == "go-org" && r.FullName == "go-org/org-admin",
		"err="+es(err)+" repo="+repoStr(r))
	_, err = ac.AdminCreateRepo("go-org", gogs.CreateRepoOption{Name: "x"})
	check("AdminCreateRepo as non-admin -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = root.AdminCreateRepo("nosuchuser", gogs.CreateRepoOption{Name: "x"})
	check("AdminCreateRepo(missing owner) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	rs, err := oc.ListOrgRepos("go-org")
	check("ListOrgRepos(go-org) as owner: all three incl. private", err == nil && len(rs) == 3 && findRepo(rs, "go-org/org-priv") != nil && findRepo(rs, "go-org/org-admin") != nil,
		fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))
	rs, err = ac.ListOrgRepos("go-org")
	check("ListOrgRepos(go-org) as non-member: public only", err == nil && repoNames(rs) == "go-org/org-pub", fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))
	if p := findRepo(rs, "go-org/org-pub"); p != nil {
		note("ListOrgRepos as non-member permissions (Gogs all-true quirk; spec recommends real)", permStr(p.Permissions))
	}
	_, err = ac.ListOrgRepos("nosuchorg")
	check("ListOrgRepos(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	rs, err = oc.ListMyRepos()
	check("ListMyRepos(olive) includes org repos via Owners team (admin perms)", err == nil && findRepo(rs, "go-org/org-priv") != nil && findRepo(rs, "go-org/org-admin") != nil &&
		perm(findRepo(rs, "go-org/org-priv").Permissions, true, true, true), fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))
	r, err = oc.GetRepo("go-org", "org-admin")
	check("GetRepo(org repo created by admin) as org owner: all true (Owners team has every repo)", err == nil && perm(r.Permissions, true, true, true), "err="+es(err)+" repo="+repoStr(r))
	_, err = ac.GetRepo("go-org", "org-priv")
	check("GetRepo(private org repo) as non-member -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = sc.GetRepo("go-org", "org-priv")
	check("GetRepo(private org repo) as oscar before any team -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	// ---------------- teams (client has only the structs: raw requests) ----------------
	tb, _ := json.Marshal(gogs.CreateTeamOption{Name: "devs", Description: "Developers", Permission: "write"})
	st, body := api(rootTok, "POST", "/admin/orgs/go-org/teams", string(tb))
	var team gogs.Team
	_ = json.Unmarshal([]byte(body), &team)
	check("POST /admin/orgs/go-org/teams (gogs.CreateTeamOption write) -> 201 gogs.Team", st == 201 && team.ID > 0 && team.Name == "devs" && team.Description == "Developers" && team.Permission == "write",
		fmt.Sprintf("status=%d body=%s", st, body))
	devsID := team.ID
	tb, _ = json.Marshal(gogs.CreateTeamOption{Name: "readers"})
	st, body = api(rootTok, "POST", "/admin/orgs/go-org/teams", string(tb))
	team = gogs.Team{}
	_ = json.Unmarshal([]byte(body), &team)
	check("create team with permission \"\" -> read", st == 201 && team.Permission == "read", fmt.Sprintf("status=%d body=%s", st, body))
	readersID := team.ID
	tb, _ = json.Marshal(gogs.CreateTeamOption{Name: "owners2", Permission: "owner"})
	st, body = api(rootTok, "POST", "/admin/orgs/go-org/teams", string(tb))
	team = gogs.Team{}
	_ = json.Unmarshal([]byte(body), &team)
	check("create team with permission owner -> read", st == 201 && team.Permission == "read", fmt.Sprintf("status=%d body=%s", st, body))
	tb, _ = json.Marshal(gogs.CreateTeamOption{Name: "DEVS", Permission: "admin"})
	st, body = api(rootTok, "POST", "/admin/orgs/go-org/teams", string(tb))
	check("create team duplicate name (other case) -> 422 {message}", st == 422 && strings.Contains(body, `"message"`), fmt.Sprintf("status=%d body=%s", st, body))
	tb, _ = json.Marshal(gogs.CreateTeamOption{Name: "new"})
	st, body = api(rootTok, "POST", "/admin/orgs/go-org/teams", string(tb))
	check("create team named 'new' -> 422 (Gogs: 500)", st == 422, fmt.Sprintf("status=%d body=%s", st, body))
	tb, _ = json.Marshal(gogs.CreateTeamOption{Name: "bad team"})
	st, body = api(rootTok, "POST", "/admin/orgs/go-org/teams", string(tb))
	check("create team invalid name -> 422 binding array", st == 422 && strings.HasPrefix(body, "["), fmt.Sprintf("status=%d body=%s", st, body))
	tb, _ = json.Marshal(gogs.CreateTeamOption{Name: "x"})
	st, body = api(aliceTok, "POST", "/admin/orgs/go-org/teams", string(tb))
	check("create team as non-admin -> 403", st == 403, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rootTok, "POST", "/admin/orgs/alice/teams", string(tb))
	check("create team in a user (not org) -> 404 (Gogs: no check)", st == 404, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rootTok, "POST", "/admin/orgs/nosuchorg/teams", string(tb))
	check("create team in missing org -> 404", st == 404, fmt.Sprintf("status=%d body=%s", st, body))

	var teams []gogs.Team
	st, body = api(aliceTok, "GET", "/orgs/go-org/teams", "")
	_ = json.Unmarshal([]byte(body), &teams)
	ownersID := int64(0)
	for _, t := range teams {
		if t.Name == "Owners" {
			ownersID = t.ID
		}
	}
	check("GET /orgs/go-org/teams as non-member -> [gogs.Team] Owners(owner), devs(write), readers, owners2", st == 200 && len(teams) == 4 && ownersID > 0 &&
		teams[0].Name == "Owners" && teams[0].Permission == "owner" && teams[1].Name == "devs" && teams[1].Permission == "write",
		fmt.Sprintf("status=%d teams=%s", st, teamsStr(teams)))
	st, body = api("", "GET", "/orgs/go-org/teams", "")
	check("GET /orgs/go-org/teams anonymous -> 401", st == 401, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(aliceTok, "GET", "/orgs/nosuchorg/teams", "")
	check("GET /orgs/nosuchorg/teams -> 404", st == 404, fmt.Sprintf("status=%d body=%s", st, body))

	// members
	st, body = api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/members/oscar", devsID), "")
	check("PUT /admin/teams/devs/members/oscar -> 204", st == 204, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/members/oscar", devsID), "")
	check("PUT team member again -> 204 (idempotent)", st == 204, fmt.Sprintf("status=%d body=%s", st, body))
	os_, err = sc.ListMyOrgs()
	check("team member add also adds org membership: ListMyOrgs(oscar) = [go-org]", err == nil && orgNames(os_) == "go-org", fmt.Sprintf("err=%s orgs=%s", es(err), orgNames(os_)))
	var us []gogs.User
	st, body = api(rootTok, "GET", fmt.Sprintf("/admin/teams/%d/members", devsID), "")
	_ = json.Unmarshal([]byte(body), &us)
	check("GET /admin/teams/devs/members -> [oscar] as gogs.User", st == 200 && len(us) == 1 && us[0].UserName == "oscar" && us[0].Email == "oscar@example.com",
		fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/members/nosuchuser", devsID), "")
	check("PUT team member unknown user -> 404", st == 404, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rootTok, "PUT", "/admin/teams/999999/members/oscar", "")
	check("PUT member of unknown team -> 404", st == 404, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(aliceTok, "PUT", fmt.Sprintf("/admin/teams/%d/members/alice", devsID), "")
	check("PUT team member as non-admin -> 403", st == 403, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rootTok, "GET", "/admin/teams/999999/members", "")
	check("GET members of unknown team -> 404", st == 404, fmt.Sprintf("status=%d body=%s", st, body))

	// team repositories -> access
	_, err = sc.GetRepo("go-org", "org-priv")
	check("team member without team repo: private org repo still 404", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	st, body = api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/repos/org-priv", devsID), "")
	check("PUT /admin/teams/devs/repos/org-priv -> 204", st == 204, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/repos/org-priv", devsID), "")
	check("PUT team repo again -> 204 (idempotent)", st == 204, fmt.Sprintf("status=%d body=%s", st, body))
	r, err = sc.GetRepo("go-org", "org-priv")
	check("write-team member reaches private team repo: permissions {false,true,true}", err == nil && perm(r.Permissions, false, true, true), "err="+es(err)+" repo="+repoStr(r))
	rs, err = sc.ListMyRepos()
	p := findRepo(rs, "go-org/org-priv")
	check("ListMyRepos(oscar) includes team repo with push", err == nil && p != nil && perm(p.Permissions, false, true, true), fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))
	rs, err = sc.ListOrgRepos("go-org")
	check("ListOrgRepos(go-org) as team member: public + team repo", err == nil && findRepo(rs, "go-org/org-priv") != nil && findRepo(rs, "go-org/org-admin") == nil,
		fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))
	_, err = sc.GetRepo("go-org", "org-admin")
	check("team member: private org repo not in team -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = sc.CreateOrgRepo("go-org", gogs.CreateRepoOption{Name: "oscar-repo"})
	check("CreateOrgRepo by write-team member (not owner) -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = sc.EditOrg("go-org", gogs.EditOrgOption{FullName: "oscar"})
	check("EditOrg by plain member -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = sc.DeleteRepo("go-org", "org-priv")
	check("DeleteRepo(org repo) by write-team member -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))

	// git over HTTP with team write access
	tmp, _ := ioutil.TempDir("", "hearth-go-org")
	defer os.RemoveAll(tmp)
	wc := filepath.Join(tmp, "wc")
	out, err := git(tmp, "clone", withCreds(base+"/go-org/org-priv.git", "oscar", oscarTok), wc)
	check("git clone private team repo as team member", err == nil, fmt.Sprintf("err=%v out=%s", err, out))
	git(wc, "-c", "user.name=Oscar", "-c", "user.email=oscar@example.com", "commit", "-q", "--allow-empty", "-m", "by oscar")
	out, err = git(wc, "push", "origin", "HEAD:refs/heads/oscar")
	b, err2 := oc.GetRepoBranch("go-org", "org-priv", "oscar")
	check("git push by write-team member accepted", err == nil && err2 == nil && b.Name == "oscar", fmt.Sprintf("err=%v out=%s get=%s", err, out, es(err2)))

	// readers team: read access only
	st, _ = api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/members/cora", readersID), "")
	st2, _ := api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/repos/org-admin", readersID), "")
	r, err = cc.GetRepo("go-org", "org-admin")
	check("read-team member: permissions {false,false,true}", st == 204 && st2 == 204 && err == nil && perm(r.Permissions, false, false, true),
		fmt.Sprintf("st=%d st2=%d err=%s repo=%s", st, st2, es(err), repoStr(r)))
	st, body = api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/repos/org-pub", readersID), "")
	check("PUT team repo (public) -> 204", st == 204, fmt.Sprintf("status=%d body=%s", st, body))
	wc2 := filepath.Join(tmp, "wc2")
	git(tmp, "clone", withCreds(base+"/go-org/org-admin.git", "cora", coraTok), wc2)
	git(wc2, "-c", "user.name=Cora", "-c", "user.email=cora@example.com", "commit", "-q", "--allow-empty", "-m", "by cora")
	out, err = git(wc2, "push", "origin", "HEAD:refs/heads/cora")
	check("git push by read-team member refused", err != nil, "out="+out)
	st, _ = api(rootTok, "DELETE", fmt.Sprintf("/admin/teams/%d/members/cora", readersID), "")
	_, err = cc.GetRepo("go-org", "org-admin")
	check("DELETE /admin/teams/readers/members/cora -> 204, access gone", st == 204 && err != nil && err.Error() == "404 Not Found", fmt.Sprintf("st=%d err=%s", st, es(err)))

	st, body = api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/repos/nosuchrepo", devsID), "")
	check("PUT team repo missing -> 404", st == 404, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/repos/go-init", devsID), "")
	check("PUT team repo that exists only outside the org (root/go-init) -> 404 (looked up in the team's org)", st == 404, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(aliceTok, "PUT", fmt.Sprintf("/admin/teams/%d/repos/org-pub", devsID), "")
	check("PUT team repo as non-admin -> 403", st == 403, fmt.Sprintf("status=%d body=%s", st, body))

	st, body = api(rootTok, "DELETE", fmt.Sprintf("/admin/teams/%d/repos/org-priv", devsID), "")
	_, err = sc.GetRepo("go-org", "org-priv")
	check("DELETE /admin/teams/devs/repos/org-priv -> 204, member loses access", st == 204 && err != nil && err.Error() == "404 Not Found",
		fmt.Sprintf("status=%d body=%s get=%s", st, body, es(err)))
	st, body = api(rootTok, "DELETE", fmt.Sprintf("/admin/teams/%d/members/oscar", devsID), "")
	check("DELETE /admin/teams/devs/members/oscar -> 204", st == 204, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rootTok, "DELETE", fmt.Sprintf("/admin/teams/%d/members/oscar", devsID), "")
	check("DELETE team member who is not a member -> 204", st == 204, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rootTok, "DELETE", fmt.Sprintf("/admin/teams/%d/members/olive", ownersID), "")
	check("DELETE last member of Owners -> 422 {message} (Gogs: 500)", st == 422 && strings.Contains(body, `"message"`), fmt.Sprintf("status=%d body=%s", st, body))

	// ---------------- org membership (AddOrgMembership: hearth extension of PUT /orgs/:org/membership/:user) ----------------
	err = oc.AddOrgMembership("go-org", "alice", gogs.AddOrgMembershipOption{Role: "admin"})
	ex = lastEx()
	err2 = ac.EditOrg("go-org", gogs.EditOrgOption{FullName: "by alice", Description: "only desc"})
	o, _ = ac.GetOrg("go-org")
	check("AddOrgMembership(alice, role admin) by owner -> alice is an owner (EditOrg works)", err == nil && ex.status/100 == 2 && err2 == nil && o.FullName == "by alice",
		fmt.Sprintf("err=%s status=%d edit=%s org=%s", es(err), ex.status, es(err2), orgStr(o)))
	err = oc.AddOrgMembership("go-org", "cora", gogs.AddOrgMembershipOption{Role: "member"})
	os_, err2 = cc.ListMyOrgs()
	err3 := cc.EditOrg("go-org", gogs.EditOrgOption{FullName: "cora"})
	check("AddOrgMembership(cora, role member) -> member, not owner", err == nil && err2 == nil && orgNames(os_) == "go-org" && err3 != nil && err3.Error() == "403 Forbidden",
		fmt.Sprintf("err=%s list=%s orgs=%s edit=%s", es(err), es(err2), orgNames(os_), es(err3)))
	err = sc.AddOrgMembership("go-org", "oscar", gogs.AddOrgMembershipOption{Role: "admin"})
	check("AddOrgMembership by non-owner member -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = oc.AddOrgMembership("go-org", "nosuchuser", gogs.AddOrgMembershipOption{Role: "member"})
	check("AddOrgMembership unknown user -> error", err != nil, "err="+es(err))
	note("AddOrgMembership unknown user error", es(err))
	err = oc.AddOrgMembership("nosuchorg", "cora", gogs.AddOrgMembershipOption{Role: "member"})
	check("AddOrgMembership unknown org -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	st, body = api(oliveTok, "DELETE", "/orgs/go-org/members/alice", "")
	err = ac.EditOrg("go-org", gogs.EditOrgOption{FullName: "again"})
	check("DELETE /orgs/go-org/members/alice (extension) -> 204, alice no longer owner", st == 204 && err != nil && err.Error() == "403 Forbidden",
		fmt.Sprintf("status=%d body=%s edit=%s", st, body, es(err)))
	st, body = api(oliveTok, "DELETE", "/orgs/go-org/members/cora", "")
	check("DELETE /orgs/go-org/members/cora -> 204", st == 204, fmt.Sprintf("status=%d body=%s", st, body))

	// ---------------- collaborators ----------------
	r, err = oc.CreateRepo(gogs.CreateRepoOption{Name: "collab", Private: true, AutoInit: true, Readme: "Default"})
	check("CreateRepo(olive/collab, private)", err == nil && r.Private, "err="+es(err))
	_, err = cc.GetRepo("olive", "collab")
	check("GetRepo(private) as cora before collaboration -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	err = oc.AddCollaborator("olive", "collab", "cora", gogs.AddCollaboratorOption{})
	ex = lastEx()
	check("AddCollaborator via client: request has no Content-Type -> 415 binding array (as Gogs; client bug repo_collaborator.go passes nil header)",
		err != nil && ex.status == 415 && strings.HasPrefix(ex.respBody, "["), fmt.Sprintf("err=%s status=%d body=%q", es(err), ex.status, ex.respBody))
	note("AddCollaborator client error against 415", es(err))

	st, body = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/cora", "{}")
	r, err = cc.GetRepo("olive", "collab")
	check("PUT collaborator {} (JSON) -> 204; collaborator GetRepo(private): permissions {false,true,true} (default write)",
		st == 204 && err == nil && perm(r.Permissions, false, true, true), fmt.Sprintf("status=%d body=%s err=%s repo=%s", st, body, es(err), repoStr(r)))
	rs, err = cc.ListMyRepos()
	p = findRepo(rs, "olive/collab")
	check("ListMyRepos(cora) includes the collaboration with push", err == nil && p != nil && perm(p.Permissions, false, true, true), fmt.Sprintf("err=%s repos=%s", es(err), repoNames(rs)))

	pw := "read"
	cb, _ := json.Marshal(gogs.AddCollaboratorOption{Permission: &pw})
	st, _ = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/cora", string(cb))
	r, err = cc.GetRepo("olive", "collab")
	check("PUT collaborator permission read (json.Marshal(AddCollaboratorOption)) -> push false", st == 204 && err == nil && perm(r.Permissions, false, false, true),
		fmt.Sprintf("status=%d err=%s repo=%s", st, es(err), repoStr(r)))
	st, _ = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/cora", "{}")
	r, _ = cc.GetRepo("olive", "collab")
	check("PUT existing collaborator without permission keeps the mode (read)", st == 204 && perm(r.Permissions, false, false, true), fmt.Sprintf("status=%d repo=%s", st, repoStr(r)))
	wc3 := filepath.Join(tmp, "wc3")
	out, err = git(tmp, "clone", withCreds(base+"/olive/collab.git", "cora", coraTok), wc3)
	check("git clone private repo as read collaborator", err == nil, fmt.Sprintf("err=%v out=%s", err, out))
	git(wc3, "-c", "user.name=Cora", "-c", "user.email=cora@example.com", "commit", "-q", "--allow-empty", "-m", "by cora")
	out, err = git(wc3, "push", "origin", "HEAD:refs/heads/cora")
	check("git push as read collaborator refused", err != nil, "out="+out)

	pw = "write"
	cb, _ = json.Marshal(gogs.AddCollaboratorOption{Permission: &pw})
	st, _ = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/cora", string(cb))
	out, err = git(wc3, "push", "origin", "HEAD:refs/heads/cora")
	b, err2 = oc.GetRepoBranch("olive", "collab", "cora")
	check("PUT permission write; git push as write collaborator accepted", st == 204 && err == nil && err2 == nil && b.Name == "cora", fmt.Sprintf("status=%d err=%v out=%s get=%s", st, err, out, es(err2)))
	st, body = api(coraTok, "PUT", "/repos/olive/collab/collaborators/oscar", "{}")
	check("PUT collaborator by write collaborator -> 403", st == 403, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(coraTok, "GET", "/repos/olive/collab/collaborators", "")
	check("GET collaborators by write collaborator -> 403", st == 403, fmt.Sprintf("status=%d body=%s", st, body))

	pw = "owner"
	cb, _ = json.Marshal(gogs.AddCollaboratorOption{Permission: &pw})
	st, _ = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/cora", string(cb))
	r, _ = cc.GetRepo("olive", "collab")
	check("PUT permission owner -> read", st == 204 && perm(r.Permissions, false, false, true), fmt.Sprintf("status=%d repo=%s", st, repoStr(r)))
	pw = "admin"
	cb, _ = json.Marshal(gogs.AddCollaboratorOption{Permission: &pw})
	st, _ = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/cora", string(cb))
	r, _ = cc.GetRepo("olive", "collab")
	check("PUT permission admin -> {true,true,true}", st == 204 && perm(r.Permissions, true, true, true), fmt.Sprintf("status=%d repo=%s", st, repoStr(r)))

	var collabs []struct {
		gogs.User
		Permissions *gogs.Permission `json:"permissions"`
	}
	st, body = api(coraTok, "GET", "/repos/olive/collab/collaborators", "")
	_ = json.Unmarshal([]byte(body), &collabs)
	check("GET collaborators by admin collaborator: [cora] (User fields + permissions), owner not listed",
		st == 200 && len(collabs) == 1 && collabs[0].UserName == "cora" && collabs[0].Email == "cora@example.com" && collabs[0].ID > 0 &&
			perm(collabs[0].Permissions, true, true, true), fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/oscar", `{"permission":"admin"}`)
	st2, body2 := api(coraTok, "PUT", "/repos/olive/collab/collaborators/oscar", `{"permission":"admin"}`)
	st, body = api(oliveTok, "GET", "/repos/olive/collab/collaborators", "")
	collabs = nil
	_ = json.Unmarshal([]byte(body), &collabs)
	check("admin collaborator may add collaborators; list has cora and oscar", st2 == 204 && len(collabs) == 2, fmt.Sprintf("st2=%d body2=%s list=%s", st2, body2, body))

	st, body = api(oliveTok, "GET", "/repos/olive/collab/collaborators/cora", "")
	check("GET collaborators/cora -> 204", st == 204, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(oliveTok, "GET", "/repos/olive/collab/collaborators/alice", "")
	check("GET collaborators/alice (not one) -> 404", st == 404, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(oliveTok, "GET", "/repos/olive/collab/collaborators/nosuchuser", "")
	check("GET collaborators/unknown user -> 422", st == 422, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/nosuchuser", "{}")
	check("PUT unknown user -> 422 with JSON message (Gogs: empty 422)", st == 422 && strings.Contains(body, `"message"`), fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/olive", "{}")
	check("PUT the owner as collaborator -> 422", st == 422, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/go-org", "{}")
	check("PUT an organisation as collaborator -> 422", st == 422, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(coraTok, "PUT", "/repos/olive/collab/collaborators/cora", "{}")
	check("PUT oneself as collaborator -> 422", st == 422, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(aliceTok, "PUT", "/repos/olive/collab/collaborators/alice", "{}")
	check("PUT collaborator on private repo by stranger -> 404", st == 404, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(oliveTok, "PUT", "/repos/olive/collab/collaborators/alice", "")
	check("PUT collaborator with empty body and no Content-Type -> 415 binding array (Gogs binding: PUT without Content-Type is always 415)",
		st == 415 && strings.HasPrefix(body, "["), fmt.Sprintf("status=%d body=%s", st, body))
	if st/100 == 2 { // undo, so that later checks do not see alice as a collaborator
		api(oliveTok, "DELETE", "/repos/olive/collab/collaborators/alice", "")
		last = nil
	}

	// org repo: collaborator + team -> max
	st, _ = api(oliveTok, "PUT", "/repos/go-org/org-priv/collaborators/cora", `{"permission":"read"}`)
	r, err = cc.GetRepo("go-org", "org-priv")
	check("collaborator on org repo (read)", st == 204 && err == nil && perm(r.Permissions, false, false, true), fmt.Sprintf("status=%d err=%s repo=%s", st, es(err), repoStr(r)))
	api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/members/cora", devsID), "")
	api(rootTok, "PUT", fmt.Sprintf("/admin/teams/%d/repos/org-priv", devsID), "")
	r, err = cc.GetRepo("go-org", "org-priv")
	check("org repo: read collaborator + write team -> push (max)", err == nil && perm(r.Permissions, false, true, true), fmt.Sprintf("err=%s repo=%s", es(err), repoStr(r)))
	api(rootTok, "DELETE", fmt.Sprintf("/admin/teams/%d/members/cora", devsID), "")
	r, err = cc.GetRepo("go-org", "org-priv")
	check("org repo: leaving the team leaves the collaboration (read)", err == nil && perm(r.Permissions, false, false, true), fmt.Sprintf("err=%s repo=%s", es(err), repoStr(r)))

	// ---------------- deploy keys ----------------
	dk, err := oc.CreateDeployKey("olive", "collab", gogs.CreateKeyOption{Title: "deploy-ed", Key: kEd})
	ok := err == nil && dk.ID > 0 && dk.Title == "deploy-ed" && strings.HasPrefix(dk.Key, keyMaterial(kEd)) && dk.ReadOnly &&
		dk.URL == fmt.Sprintf("%s/api/v1/repos/olive/collab/keys/%d", base, dk.ID) && !dk.Created.IsZero() && lastEx().status == 201
	check("CreateDeployKey(olive/collab): 201 id/title/key/url/read_only/created_at", ok, fmt.Sprintf("err=%s status=%d key=%+v", es(err), lastEx().status, dk))
	dkID := dk.ID
	dk2, err := oc.CreateDeployKey("olive", "collab", gogs.CreateKeyOption{Title: "deploy-rsa", Key: kRsa})
	check("CreateDeployKey(rsa) second key", err == nil && dk2.ID > 0 && dk2.ID != dkID && dk2.ReadOnly, fmt.Sprintf("err=%s key=%+v", es(err), dk2))
	_, err = oc.CreateDeployKey("olive", "collab", gogs.CreateKeyOption{Title: "again", Key: kEd})
	ex = lastEx()
	check("CreateDeployKey same key twice in a repo -> 422 with message (Gogs: 500)", err != nil && ex.status == 422 && !strings.HasPrefix(es(err), "json:"),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	note("CreateDeployKey duplicate key error text", es(err))
	_, err = oc.CreateDeployKey("olive", "collab", gogs.CreateKeyOption{Title: "deploy-ed", Key: kEd3})
	ex = lastEx()
	check("CreateDeployKey duplicate title -> 422 with message (Gogs: 500)", err != nil && ex.status == 422 && !strings.HasPrefix(es(err), "json:"),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	_, err = oc.CreateDeployKey("olive", "collab", gogs.CreateKeyOption{Title: "bobs", Key: kEd2})
	ex = lastEx()
	check("CreateDeployKey with a user's key (bob's) -> 422 with message", err != nil && ex.status == 422 && !strings.HasPrefix(es(err), "json:"),
		fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	note("CreateDeployKey user key error text", es(err))
	_, err = oc.CreateDeployKey("olive", "collab", gogs.CreateKeyOption{Title: "bad", Key: "ssh-ed25519 AAAAnotakey"})
	ex = lastEx()
	check("CreateDeployKey invalid key -> 422 with message", err != nil && ex.status == 422 && !strings.HasPrefix(es(err), "json:"), fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	err = safe(func() error {
		_, e := oc.CreateDeployKey("olive", "collab", gogs.CreateKeyOption{Title: "", Key: kEd3})
		return e
	})
	check("CreateDeployKey empty title -> 422 binding array", err != nil && lastEx().status == 422 && strings.HasPrefix(lastEx().respBody, "["), fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	_, err = ac.CreatePublicKey(gogs.CreateKeyOption{Title: "was-deploy", Key: kEd})
	ex = lastEx()
	check("CreatePublicKey with a deploy key's material -> 422 with message", err != nil && ex.status == 422 && !strings.HasPrefix(es(err), "json:"), fmt.Sprintf("err=%s status=%d", es(err), ex.status))

	dk3, err := oc.CreateDeployKey("go-org", "org-pub", gogs.CreateKeyOption{Title: "deploy-ed", Key: kEd})
	check("CreateDeployKey same material in another repo (org repo) -> shared, own id", err == nil && dk3.ID > 0 && dk3.ID != dkID &&
		dk3.URL == fmt.Sprintf("%s/api/v1/repos/go-org/org-pub/keys/%d", base, dk3.ID), fmt.Sprintf("err=%s key=%+v", es(err), dk3))

	dks, err := oc.ListDeployKeys("olive", "collab")
	check("ListDeployKeys(olive/collab) = 2 keys", err == nil && len(dks) == 2 && dks[0].ID == dkID && dks[0].ReadOnly && dks[0].URL == dk.URL,
		fmt.Sprintf("err=%s n=%d", es(err), len(dks)))
	g, err := oc.GetDeployKey("olive", "collab", dkID)
	check("GetDeployKey", err == nil && g.ID == dkID && g.Key == dk.Key && g.Title == "deploy-ed" && g.ReadOnly && g.URL == dk.URL,
		fmt.Sprintf("err=%s key=%+v", es(err), g))
	g, err = cc.GetDeployKey("olive", "collab", dkID)
	check("GetDeployKey by admin collaborator", err == nil && g.ID == dkID, "err="+es(err))
	_, err = oc.GetDeployKey("olive", "collab", dk3.ID)
	check("GetDeployKey of another repository's key -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = oc.GetDeployKey("olive", "collab", 999999)
	check("GetDeployKey(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = ac.ListDeployKeys("olive", "collab")
	check("ListDeployKeys(private) as stranger -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	_, err = ac.ListDeployKeys("go-org", "org-pub")
	check("ListDeployKeys(public) as reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = ac.CreateDeployKey("go-org", "org-pub", gogs.CreateKeyOption{Title: "x", Key: kRsa})
	check("CreateDeployKey as reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = ac.DeleteDeployKey("go-org", "org-pub", dk3.ID)
	check("DeleteDeployKey as reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = safe(func() error { _, e := anon.ListDeployKeys("go-org", "org-pub"); return e })
	check("ListDeployKeys anonymous -> 401", err != nil && lastEx().status == 401, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	dks, err = root.ListDeployKeys("go-org", "org-pub")
	check("ListDeployKeys as site admin", err == nil && len(dks) == 1, fmt.Sprintf("err=%s n=%d", es(err), len(dks)))

	err = oc.DeleteDeployKey("olive", "collab", dk3.ID)
	check("DeleteDeployKey of another repository's key -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = oc.DeleteDeployKey("olive", "collab", dkID)
	_, err2 = oc.GetDeployKey("olive", "collab", dkID)
	check("DeleteDeployKey then GetDeployKey -> '404 Not Found'", err == nil && err2 != nil && err2.Error() == "404 Not Found", "err="+es(err)+" get="+es(err2))
	g, err = oc.GetDeployKey("go-org", "org-pub", dk3.ID)
	check("shared material still a deploy key of the other repo", err == nil && g.ID == dk3.ID, "err="+es(err))
	err = oc.DeleteDeployKey("olive", "collab", 999999)
	check("DeleteDeployKey(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = oc.DeleteDeployKey("go-org", "org-pub", dk3.ID)
	err2 = oc.DeleteDeployKey("olive", "collab", dk2.ID)
	dks, err3 = oc.ListDeployKeys("olive", "collab")
	check("DeleteDeployKey remaining keys; ListDeployKeys = [] (not null)", err == nil && err2 == nil && err3 == nil && dks != nil && len(dks) == 0,
		fmt.Sprintf("err=%s err2=%s err3=%s n=%d", es(err), es(err2), es(err3), len(dks)))
	k, err := ac.CreatePublicKey(gogs.CreateKeyOption{Title: "freed", Key: kEd})
	check("material usable as a user key once no repository uses it", err == nil && k.ID > 0, "err="+es(err))
	if err == nil {
		ac.DeletePublicKey(k.ID)
	}
	last = nil

	// ---------------- collaborator removal ----------------
	st, body = api(oliveTok, "DELETE", "/repos/olive/collab/collaborators/cora", "")
	_, err = cc.GetRepo("olive", "collab")
	check("DELETE collaborator -> 204; repository invisible again", st == 204 && err != nil && err.Error() == "404 Not Found", fmt.Sprintf("status=%d body=%s get=%s", st, body, es(err)))
	st, body = api(oliveTok, "DELETE", "/repos/olive/collab/collaborators/cora", "")
	check("DELETE non-collaborator -> 204", st == 204, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(oliveTok, "DELETE", "/repos/olive/collab/collaborators/nosuchuser", "")
	check("DELETE unknown user -> 422", st == 422, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(oliveTok, "GET", "/repos/olive/collab/collaborators", "")
	check("GET collaborators after removals: [oscar]", st == 200 && strings.Contains(body, `"oscar"`) && !strings.Contains(body, `"cora"`), fmt.Sprintf("status=%d body=%s", st, body))

	// org repo deletion: owners only
	err = oc.DeleteRepo("go-org", "org-admin")
	_, err2 = oc.GetRepo("go-org", "org-admin")
	check("DeleteRepo(org repo) by org owner", err == nil && err2 != nil && err2.Error() == "404 Not Found", "err="+es(err)+" get="+es(err2))
	last = nil
}
