// Compatibility test of hearth against go-gogs-client (Debian package
// golang-github-gogits-go-gogs-client-dev, 0.0~git20160830.0.d8aff57).
// Usage: HEARTH_URL=http://127.0.0.1:PORT KEY_ED=/tmp/k1.pub KEY_RSA=/tmp/k2.pub KEY_ED2=/tmp/k3.pub KEY_ED3=/tmp/k4.pub go run compat
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/ioutil"
	"net/http"
	"os"
	"regexp"
	"strings"

	gogs "github.com/gogits/go-gogs-client"
)

var base string

// ---- exchange recorder -------------------------------------------------

type exchange struct {
	method, url, reqHdr, reqBody string
	status                       int
	respHdr, respBody            string
}

var last []exchange

type recorder struct{}

func (recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	var rb []byte
	if r.Body != nil {
		rb, _ = ioutil.ReadAll(r.Body)
		r.Body = ioutil.NopCloser(bytes.NewReader(rb))
	}
	var hdr []string
	for k, v := range r.Header {
		hdr = append(hdr, k+": "+strings.Join(v, ","))
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	ex := exchange{method: r.Method, url: r.URL.String(), reqHdr: strings.Join(hdr, "; "), reqBody: string(rb)}
	if err == nil {
		b, _ := ioutil.ReadAll(resp.Body)
		resp.Body = ioutil.NopCloser(bytes.NewReader(b))
		ex.status = resp.StatusCode
		ex.respHdr = "content-type=" + resp.Header.Get("Content-Type")
		ex.respBody = string(b)
	}
	last = append(last, ex)
	return resp, err
}

func client(token string) *gogs.Client {
	c := gogs.NewClient(base, token)
	c.SetHTTPClient(&http.Client{Transport: recorder{}})
	return c
}

// ---- result bookkeeping --------------------------------------------------

var pass, fail int

func check(name string, ok bool, detail string) {
	if ok {
		pass++
		fmt.Printf("PASS %s\n", name)
	} else {
		fail++
		fmt.Printf("FAIL %s: %s\n", name, detail)
		for _, ex := range last {
			fmt.Printf("     > %s %s [%s] body=%q\n", ex.method, ex.url, ex.reqHdr, ex.reqBody)
			fmt.Printf("     < %d %s body=%q\n", ex.status, ex.respHdr, ex.respBody)
		}
	}
	last = nil
}

func note(name, detail string) {
	fmt.Printf("NOTE %s: %s\n", name, detail)
	last = nil
}

// run f, converting panics (go-client panics when an error body has no string "message") into errors
func safe(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC in client: %v", r)
		}
	}()
	return f()
}

func es(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func readKey(env string) string {
	b, err := ioutil.ReadFile(os.Getenv(env))
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(b))
}

func keyMaterial(k string) string { // "type base64" without comment
	f := strings.Fields(k)
	return f[0] + " " + f[1]
}

func rawDo(method, path, ctype, body string, hdr map[string]string) (int, string, string) {
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	hc := &http.Client{Transport: recorder{}}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

var hex40 = regexp.MustCompile(`^[0-9a-f]{40}$`)

func main() {
	base = strings.TrimSuffix(os.Getenv("HEARTH_URL"), "/")
	if base == "" {
		fmt.Println("HEARTH_URL not set")
		os.Exit(2)
	}
	kEd, kRsa, kEd2, kEd3 := readKey("KEY_ED"), readKey("KEY_RSA"), readKey("KEY_ED2"), readKey("KEY_ED3")
	anon := client("")

	// ---------------- access tokens (Basic auth) ----------------
	tk, err := anon.CreateAccessToken("root", "rootpass1", gogs.CreateAccessTokenOption{Name: "go-root"})
	check("CreateAccessToken(root) 201 + raw token in sha1", err == nil && tk.Name == "go-root" && hex40.MatchString(tk.Sha1),
		fmt.Sprintf("err=%s tok=%+v", es(err), tk))
	rootTok := tk.Sha1
	root := client(rootTok)

	_, err = anon.CreateAccessToken("root", "rootpass1", gogs.CreateAccessTokenOption{Name: "go-root"})
	check("CreateAccessToken duplicate name -> error with message", err != nil && strings.Contains(err.Error(), "already exists"),
		"err="+es(err))

	_, err = anon.CreateAccessToken("root", "wrongpass", gogs.CreateAccessTokenOption{Name: "x"})
	check("CreateAccessToken wrong password -> error", err != nil, "err="+es(err))
	note("CreateAccessToken wrong password error text", es(err))

	_, err = anon.CreateAccessToken("root", "rootpass1", gogs.CreateAccessTokenOption{Name: ""})
	check("CreateAccessToken empty name -> error (422 binding array)", err != nil, "err="+es(err))

	toks, err := anon.ListAccessTokens("root", "rootpass1")
	found := false
	for _, t := range toks {
		if t.Name == "go-root" {
			found = true
			if t.Sha1 == rootTok || !hex40.MatchString(t.Sha1) {
				found = false
			}
		}
	}
	check("ListAccessTokens contains go-root with 40-hex sha1 != raw token", err == nil && found,
		fmt.Sprintf("err=%s toks=%v", es(err), toks))

	// Token route with token instead of Basic -> Gogs 401
	_, err = root.ListAccessTokens("root", "wrongpass")
	check("ListAccessTokens wrong Basic password -> error", err != nil, "err="+es(err))

	// ---------------- users ----------------
	u, err := root.GetUserInfo("root")
	check("GetUserInfo(root) with token", err == nil && u.ID == 1 && u.UserName == "root" && u.Email == "root@example.com" && strings.HasPrefix(u.AvatarUrl, "http"),
		fmt.Sprintf("err=%s u=%+v", es(err), u))

	u, err = anon.GetUserInfo("root")
	check("GetUserInfo(root) anonymous: email blanked", err == nil && u.UserName == "root" && u.Email == "",
		fmt.Sprintf("err=%s u=%+v", es(err), u))

	u, err = root.GetUserInfo("ROOT")
	check("GetUserInfo(ROOT) case-insensitive, stored spelling", err == nil && u.UserName == "root",
		fmt.Sprintf("err=%s u=%+v", es(err), u))

	_, err = root.GetUserInfo("nosuchuser")
	check("GetUserInfo(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	// ---------------- admin users ----------------
	alice, err := root.AdminCreateUser(gogs.CreateUserOption{Username: "alice", LoginName: "alice", FullName: "Alice A",
		Email: "Alice@Example.com", Password: "alicepass1"})
	check("AdminCreateUser(alice)", err == nil && alice.ID > 1 && alice.UserName == "alice" && alice.FullName == "Alice A" && alice.Email == "alice@example.com",
		fmt.Sprintf("err=%s u=%+v", es(err), alice))

	bob, err := root.AdminCreateUser(gogs.CreateUserOption{Username: "bob", Email: "bob@example.com", Password: "bobpass12"})
	check("AdminCreateUser(bob)", err == nil && bob.UserName == "bob", fmt.Sprintf("err=%s u=%+v", es(err), bob))

	_, err = root.AdminCreateUser(gogs.CreateUserOption{Username: "alice", Email: "other@example.com", Password: "x12345678"})
	check("AdminCreateUser duplicate username -> error with message", err != nil && !strings.HasPrefix(err.Error(), "json:") && err.Error() != "",
		"err="+es(err))
	note("AdminCreateUser duplicate username error text", es(err))

	_, err = root.AdminCreateUser(gogs.CreateUserOption{Username: "carol", Email: "alice@example.com", Password: "x12345678"})
	check("AdminCreateUser duplicate email -> error with message", err != nil && !strings.HasPrefix(err.Error(), "json:"), "err="+es(err))
	note("AdminCreateUser duplicate email error text", es(err))

	_, err = root.AdminCreateUser(gogs.CreateUserOption{Username: "admin", Email: "adm@example.com", Password: "x12345678"})
	check("AdminCreateUser reserved name -> error with message", err != nil && !strings.HasPrefix(err.Error(), "json:"), "err="+es(err))
	note("AdminCreateUser reserved name error text", es(err))

	err = safe(func() error {
		_, e := root.AdminCreateUser(gogs.CreateUserOption{Username: "bad name!", Email: "bad@example.com", Password: "x12345678"})
		return e
	})
	check("AdminCreateUser invalid username -> error (422 binding array; Gogs gives same decode error)", err != nil, "err="+es(err))
	note("AdminCreateUser invalid username error text", es(err))

	// alice token via Basic
	atk, err := anon.CreateAccessToken("alice", "alicepass1", gogs.CreateAccessTokenOption{Name: "go-alice"})
	check("CreateAccessToken(alice) after admin create", err == nil && hex40.MatchString(atk.Sha1), fmt.Sprintf("err=%s tok=%+v", es(err), atk))
	ac := client(atk.Sha1)
	// login by e-mail for Basic
	_, err = anon.ListAccessTokens("alice@example.com", "alicepass1")
	check("ListAccessTokens with e-mail as Basic login", err == nil, "err="+es(err))

	btk, err := anon.CreateAccessToken("bob", "bobpass12", gogs.CreateAccessTokenOption{Name: "go-bob"})
	check("CreateAccessToken(bob)", err == nil, "err="+es(err))
	bc := client(btk.Sha1)

	_, err = ac.AdminCreateUser(gogs.CreateUserOption{Username: "mallory", Email: "m@example.com", Password: "x12345678"})
	check("AdminCreateUser as non-admin -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))

	tr, fa := true, false
	mrc := 5
	err = root.AdminEditUser("alice", gogs.EditUserOption{LoginName: "alice", FullName: "Alice B", Email: "alice@example.com",
		Website: "https://alice.example", Location: "Here", Active: &tr, Admin: &fa, MaxRepoCreation: &mrc})
	check("AdminEditUser(alice)", err == nil, "err="+es(err))
	u, err = root.GetUserInfo("alice")
	check("AdminEditUser effect visible via GetUserInfo", err == nil && u.FullName == "Alice B", fmt.Sprintf("err=%s u=%+v", es(err), u))

	err = root.AdminEditUser("alice", gogs.EditUserOption{Email: "alice-new@example.com", FullName: "Alice B"})
	u, _ = root.GetUserInfo("alice")
	check("AdminEditUser change e-mail", err == nil && u.Email == "alice-new@example.com", fmt.Sprintf("err=%s u=%+v", es(err), u))
	err = root.AdminEditUser("alice", gogs.EditUserOption{Email: "alice@example.com", FullName: "Alice B"})
	check("AdminEditUser change e-mail back", err == nil, "err="+es(err))

	err = root.AdminEditUser("bob", gogs.EditUserOption{Email: "bob@example.com", FullName: "Bob F"})
	err2 := root.AdminEditUser("bob", gogs.EditUserOption{Email: "bob@example.com"})
	u, _ = root.GetUserInfo("bob")
	check("AdminEditUser omitted full_name is overwritten with \"\" (Gogs: always written)", err == nil && err2 == nil && u.FullName == "",
		fmt.Sprintf("err=%s err2=%s u=%+v", es(err), es(err2), u))

	err = root.AdminEditUser("alice", gogs.EditUserOption{Email: "root@example.com"})
	check("AdminEditUser e-mail used by other -> error with message", err != nil && !strings.HasPrefix(err.Error(), "json:"), "err="+es(err))
	note("AdminEditUser e-mail used error text", es(err))

	err = root.AdminEditUser("nosuchuser", gogs.EditUserOption{Email: "zz@example.com"})
	check("AdminEditUser(missing user) -> error", err != nil, "err="+es(err))
	note("AdminEditUser(missing) error text", es(err))

	err = safe(func() error { return root.AdminEditUser("alice", gogs.EditUserOption{FullName: "no email"}) })
	check("AdminEditUser without e-mail -> error (422 binding array)", err != nil, "err="+es(err))

	err = ac.AdminEditUser("bob", gogs.EditUserOption{Email: "bob@example.com"})
	check("AdminEditUser as non-admin -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))

	// Admin flag via edit then revert
	err = root.AdminEditUser("bob", gogs.EditUserOption{Email: "bob@example.com", Admin: &tr})
	_, err2 = bc.AdminCreateUser(gogs.CreateUserOption{Username: "bobmade", Email: "bobmade@example.com", Password: "x12345678"})
	check("AdminEditUser admin=true lets bob use admin API", err == nil && err2 == nil, "err="+es(err)+" err2="+es(err2))
	err = root.AdminEditUser("bob", gogs.EditUserOption{Email: "bob@example.com", Admin: &fa})
	_, err2 = bc.AdminCreateUser(gogs.CreateUserOption{Username: "bobmade2", Email: "bobmade2@example.com", Password: "x12345678"})
	check("AdminEditUser admin=false revokes", err == nil && err2 != nil && err2.Error() == "403 Forbidden", "err="+es(err)+" err2="+es(err2))

	// password change then Basic works with new one
	err = root.AdminEditUser("bob", gogs.EditUserOption{Email: "bob@example.com", Password: "bobnewpass1"})
	_, err2 = anon.ListAccessTokens("bob", "bobnewpass1")
	_, err3 := anon.ListAccessTokens("bob", "bobpass12")
	check("AdminEditUser password change", err == nil && err2 == nil && err3 != nil, "err="+es(err)+" new="+es(err2)+" old="+es(err3))

	// ---------------- emails ----------------
	em, err := ac.ListEmails()
	ok := err == nil && len(em) == 1 && em[0].Email == "alice@example.com" && em[0].Primary && em[0].Verified
	check("ListEmails(alice) primary only", ok, fmt.Sprintf("err=%s emails=%v", es(err), fmtEmails(em)))

	_, err = ac.AddEmail(gogs.CreateEmailOption{Emails: []string{"alice2@example.com", "Alice3@Example.com"}})
	// go-client AddEmail passes a non-pointer slice to json.Unmarshal (user_email.go:33), so it can
	// never succeed against any server; judge by the exchange instead.
	ex := lastEx()
	check("AddEmail wire: 201 + echo [{email,verified,primary:false}]", ex.status == 201 && strings.Contains(ex.respBody, `"alice2@example.com"`) && strings.Contains(ex.respBody, `"primary":false`),
		fmt.Sprintf("client err=%s status=%d body=%s", es(err), ex.status, ex.respBody))
	note("AddEmail client return (client bug user_email.go:33, non-pointer Unmarshal)", es(err))
	em, err = ac.ListEmails()
	check("ListEmails after add has 3 entries", err == nil && len(em) == 3, fmt.Sprintf("err=%s emails=%v", es(err), fmtEmails(em)))

	_, err = ac.AddEmail(gogs.CreateEmailOption{Emails: []string{"root@example.com"}})
	check("AddEmail used address -> error with message", err != nil && strings.Contains(err.Error(), "used"), "err="+es(err))

	err = safe(func() error { _, e := ac.AddEmail(gogs.CreateEmailOption{Emails: []string{}}); return e })
	ex = lastEx()
	check("AddEmail empty list -> 422", ex.status == 422, fmt.Sprintf("err=%s status=%d body=%q", es(err), ex.status, ex.respBody))
	note("AddEmail empty list client error", es(err))

	err = ac.DeleteEmail(gogs.CreateEmailOption{Emails: []string{"alice2@example.com"}})
	check("DeleteEmail(alice2)", err == nil, "err="+es(err))
	err = ac.DeleteEmail(gogs.CreateEmailOption{Emails: []string{"nosuch@example.com"}})
	check("DeleteEmail(unknown) -> no error (ignored)", err == nil, "err="+es(err))
	err = ac.DeleteEmail(gogs.CreateEmailOption{Emails: []string{"alice@example.com"}})
	check("DeleteEmail(primary) -> error with message", err != nil && strings.Contains(err.Error(), "primary"), "err="+es(err))
	em, err = ac.ListEmails()
	check("ListEmails after delete has 2 entries", err == nil && len(em) == 2, fmt.Sprintf("err=%s emails=%v", es(err), fmtEmails(em)))

	err = safe(func() error { _, e := anon.ListEmails(); return e })
	ex = lastEx()
	check("ListEmails without token -> 401 error", err != nil && ex.status == 401, fmt.Sprintf("err=%s status=%d", es(err), ex.status))
	note("ListEmails anonymous client error", es(err))

	// ---------------- followers ----------------
	err = ac.Follow("root")
	check("Follow(root) as alice", err == nil, "err="+es(err))
	err = bc.Follow("root")
	check("Follow(root) as bob", err == nil, "err="+es(err))
	err = ac.Follow("root")
	check("Follow(root) again (idempotent)", err == nil, "err="+es(err))
	err = ac.Follow("alice")
	check("Follow(self) no-op", err == nil, "err="+es(err))
	err = ac.Follow("nosuchuser")
	check("Follow(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	check("IsFollowing(root) true", ac.IsFollowing("root"), "")
	check("IsFollowing(bob) false", !ac.IsFollowing("bob"), "")
	check("IsFollowing(alice self) false", !ac.IsFollowing("alice"), "")
	check("IsUserFollowing(alice,root) true", root.IsUserFollowing("alice", "root"), "")
	check("IsUserFollowing(root,alice) false", !root.IsUserFollowing("root", "alice"), "")

	us, err := root.ListMyFollowers(1)
	check("ListMyFollowers(root) = bob, alice (newest first)", err == nil && names(us) == "bob,alice", fmt.Sprintf("err=%s users=%s", es(err), names(us)))
	if err == nil && len(us) > 0 {
		check("ListMyFollowers decoded User has id/email", us[len(us)-1].ID == alice.ID && us[len(us)-1].Email != "", fmt.Sprintf("%+v", *us[len(us)-1]))
	}
	us, err = ac.ListFollowers("root", 1)
	check("ListFollowers(root)", err == nil && names(us) == "bob,alice", fmt.Sprintf("err=%s users=%s", es(err), names(us)))
	us, err = root.ListFollowers("root", 2)
	check("ListFollowers(root, page 2) empty", err == nil && len(us) == 0, fmt.Sprintf("err=%s users=%s", es(err), names(us)))
	us, err = ac.ListMyFollowing(1)
	check("ListMyFollowing(alice) = root", err == nil && names(us) == "root", fmt.Sprintf("err=%s users=%s", es(err), names(us)))
	us, err = root.ListFollowing("alice", 1)
	check("ListFollowing(alice) = root", err == nil && names(us) == "root", fmt.Sprintf("err=%s users=%s", es(err), names(us)))
	us, err = root.ListFollowing("root", 1)
	check("ListFollowing(root) = [] (not null)", err == nil && us != nil && len(us) == 0, fmt.Sprintf("err=%s users=%v", es(err), us))
	_, err = root.ListFollowers("nosuchuser", 1)
	check("ListFollowers(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = ac.Unfollow("root")
	check("Unfollow(root)", err == nil && !ac.IsFollowing("root"), "err="+es(err))
	err = ac.Unfollow("root")
	check("Unfollow(root) again (idempotent)", err == nil, "err="+es(err))

	// ---------------- public keys ----------------
	k1, err := ac.CreatePublicKey(gogs.CreateKeyOption{Title: "ed", Key: kEd})
	ok = err == nil && k1.ID > 0 && k1.Title == "ed" && strings.HasPrefix(k1.Key, keyMaterial(kEd)) &&
		k1.URL == fmt.Sprintf("%s/api/v1/user/keys/%d", base, k1.ID) && !k1.Created.IsZero()
	check("CreatePublicKey(ed25519)", ok, fmt.Sprintf("err=%s key=%+v", es(err), k1))

	k2, err := ac.CreatePublicKey(gogs.CreateKeyOption{Title: "rsa", Key: kRsa})
	check("CreatePublicKey(rsa 2048)", err == nil && k2.ID > 0 && strings.HasPrefix(k2.Key, keyMaterial(kRsa)), fmt.Sprintf("err=%s key=%+v", es(err), k2))

	_, err = bc.CreatePublicKey(gogs.CreateKeyOption{Title: "dup", Key: kEd})
	check("CreatePublicKey key used by other user -> error with message", err != nil && !strings.HasPrefix(err.Error(), "json:"), "err="+es(err))
	note("CreatePublicKey dup key error text", es(err))
	_, err = ac.CreatePublicKey(gogs.CreateKeyOption{Title: "ed", Key: kEd2})
	check("CreatePublicKey duplicate title -> error with message", err != nil && !strings.HasPrefix(err.Error(), "json:"), "err="+es(err))
	note("CreatePublicKey dup title error text", es(err))
	_, err = ac.CreatePublicKey(gogs.CreateKeyOption{Title: "bad", Key: "ssh-ed25519 AAAAnotakey"})
	check("CreatePublicKey invalid key -> error with message", err != nil && !strings.HasPrefix(err.Error(), "json:"), "err="+es(err))
	note("CreatePublicKey invalid key error text", es(err))
	err = safe(func() error { _, e := ac.CreatePublicKey(gogs.CreateKeyOption{Title: "", Key: kEd2}); return e })
	check("CreatePublicKey empty title -> error (422 binding array)", err != nil, "err="+es(err))

	ks, err := ac.ListMyPublicKeys()
	check("ListMyPublicKeys(alice) = 2 keys", err == nil && len(ks) == 2, fmt.Sprintf("err=%s n=%d", es(err), len(ks)))
	ks, err = bc.ListPublicKeys("alice")
	check("ListPublicKeys(alice) as bob = 2 keys, url /user/keys/id", err == nil && len(ks) == 2 && ks[0].URL == fmt.Sprintf("%s/api/v1/user/keys/%d", base, ks[0].ID),
		fmt.Sprintf("err=%s keys=%v", es(err), ks))
	_, err = root.ListPublicKeys("nosuchuser")
	check("ListPublicKeys(missing user) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	ks, err = bc.ListMyPublicKeys()
	check("ListMyPublicKeys(bob) = [] ", err == nil && len(ks) == 0, fmt.Sprintf("err=%s", es(err)))

	g, err := ac.GetPublicKey(k1.ID)
	check("GetPublicKey(own)", err == nil && g.ID == k1.ID && g.Title == "ed" && g.Key == k1.Key, fmt.Sprintf("err=%s key=%+v", es(err), g))
	_, err = bc.GetPublicKey(k1.ID)
	note("GetPublicKey(alice's key) as bob (Gogs 200 quirk; hearth spec recommends 404)", es(err))
	_, err = root.GetPublicKey(k1.ID)
	check("GetPublicKey(alice's key) as site admin", err == nil, "err="+es(err))
	_, err = ac.GetPublicKey(999999)
	check("GetPublicKey(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	err = bc.DeletePublicKey(k1.ID)
	check("DeletePublicKey(alice's) as bob -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = ac.DeletePublicKey(k1.ID)
	check("DeletePublicKey(own)", err == nil, "err="+es(err))
	_, err = ac.GetPublicKey(k1.ID)
	check("GetPublicKey after delete -> 404", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = ac.DeletePublicKey(999999)
	check("DeletePublicKey(missing) -> no error (204)", err == nil, "err="+es(err))
	err = root.DeletePublicKey(k2.ID)
	check("DeletePublicKey(alice's) as site admin", err == nil, "err="+es(err))

	ak, err := root.AdminCreateUserPublicKey("bob", gogs.CreateKeyOption{Title: "admin-added", Key: kEd2})
	check("AdminCreateUserPublicKey(bob)", err == nil && ak.ID > 0 && ak.Title == "admin-added" && strings.HasPrefix(ak.Key, keyMaterial(kEd2)),
		fmt.Sprintf("err=%s key=%+v", es(err), ak))
	ks, err = bc.ListMyPublicKeys()
	check("key added by admin is bob's", err == nil && len(ks) == 1 && ks[0].ID == ak.ID, fmt.Sprintf("err=%s n=%d", es(err), len(ks)))
	_, err = root.AdminCreateUserPublicKey("nosuchuser", gogs.CreateKeyOption{Title: "x", Key: kEd})
	check("AdminCreateUserPublicKey(missing user) -> error", err != nil, "err="+es(err))
	note("AdminCreateUserPublicKey(missing user) error text", es(err))
	_, err = ac.AdminCreateUserPublicKey("bob", gogs.CreateKeyOption{Title: "x", Key: kEd})
	check("AdminCreateUserPublicKey as non-admin -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))

	// ---------------- markdown (client has only the struct, miscellaneous.go) ----------------
	mb, _ := json.Marshal(gogs.MarkdownOption{Text: "# Hi\n\n**bold** #1", Mode: "gfm", Context: base + "/root/repo"})
	st, ct, body := rawDo("POST", "/api/v1/markdown", "application/json", string(mb), map[string]string{"Authorization": "token " + rootTok})
	check("POST /markdown with json.Marshal(gogs.MarkdownOption) (keys Text/Mode/Context)",
		st == 200 && strings.Contains(body, "<h1") && strings.Contains(body, "<strong>bold</strong>"),
		fmt.Sprintf("status=%d ct=%s body=%q", st, ct, body))
	st, ct, body = rawDo("POST", "/api/v1/markdown/raw", "text/plain", "*x*", nil)
	check("POST /markdown/raw", st == 200 && strings.Contains(body, "<em>x</em>"), fmt.Sprintf("status=%d ct=%s body=%q", st, ct, body))
	last = nil

	// ---------------- repositories, branches, migrations, git over HTTP (repos.go) ----------------
	repoTests(root, ac, bc, anon, rootTok, atk.Sha1, alice.ID)

	// ---------------- organisations, teams, collaborators, deploy keys (orgs.go) ----------------
	orgTests(root, ac, anon, rootTok, atk.Sha1, kEd, kRsa, kEd2, kEd3)

	// ---------------- issues, comments, labels, milestones, webhooks (issues.go) ----------------
	issueTests(root, ac, anon, atk.Sha1)

	// ---------------- admin delete ----------------
	err = root.AdminDeleteUser("bobmade")
	check("AdminDeleteUser(bobmade)", err == nil, "err="+es(err))
	_, err = root.GetUserInfo("bobmade")
	check("deleted user -> 404", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = root.AdminDeleteUser("nosuchuser")
	check("AdminDeleteUser(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = ac.AdminDeleteUser("bob")
	check("AdminDeleteUser as non-admin -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = root.AdminDeleteUser("bob")
	check("AdminDeleteUser(bob) with key+follow", err == nil, "err="+es(err))
	us, err = root.ListMyFollowers(1)
	check("bob's follow removed", err == nil && names(us) == "", fmt.Sprintf("err=%s users=%s", es(err), names(us)))
	_, err = bc.ListMyPublicKeys()
	check("deleted user's token no longer works", err != nil, "err="+es(err))
	last = nil

	fmt.Printf("\nGo client: %d passed, %d failed\n", pass, fail)
	if fail > 0 {
		os.Exit(1)
	}
}

func lastEx() exchange {
	if len(last) == 0 {
		return exchange{}
	}
	e := last[len(last)-1]
	return e
}

func names(us []*gogs.User) string {
	var n []string
	for _, u := range us {
		n = append(n, u.UserName)
	}
	return strings.Join(n, ",")
}

func fmtEmails(em []*gogs.Email) string {
	var s []string
	for _, e := range em {
		s = append(s, fmt.Sprintf("%+v", *e))
	}
	return strings.Join(s, " ")
}
