"""Compatibility test of hearth against the Python `gogs_client` package (PyPI gogs-client 1.0.6).

Usage: HEARTH_URL=http://127.0.0.1:PORT venv/bin/python compat.py   (see run.sh)
gogs_client 1.0.6 needs attrs < 19.2 (it uses attr.ib(convert=...)); run.sh's venv pins attrs 19.1.0.
"""
import os
import re
import sys
import traceback

import requests

import gogs_client
from gogs_client import GogsApi, Token, UsernamePassword, ApiFailure
from gogs_client.updates import GogsUserUpdate

BASE = os.environ["HEARTH_URL"].rstrip("/")
exchanges = []


def _hook(resp, *a, **kw):
    r = resp.request
    body = r.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    exchanges.append((r.method, r.url, r.headers.get("Content-Type"), r.headers.get("Authorization", "")[:6],
                      body, resp.status_code, resp.headers.get("Content-Type"), resp.text))


session = requests.Session()
session.hooks["response"].append(_hook)
api = GogsApi(BASE, session=session)

passed = failed = 0


def dump():
    for m, url, ct, auth, body, st, rct, rbody in exchanges:
        print("     > %s %s [ct=%s auth=%s] body=%r" % (m, url, ct, auth, body))
        print("     < %s [ct=%s] body=%r" % (st, rct, rbody))


def check(name, fn):
    """fn returns (ok, detail). Exceptions count as failure."""
    global passed, failed
    del exchanges[:]
    try:
        ok, detail = fn()
    except Exception as e:  # noqa
        ok, detail = False, "EXCEPTION %s: %s" % (type(e).__name__, e)
    if ok:
        passed += 1
        print("PASS " + name)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))
        dump()
    del exchanges[:]


def note(name, fn):
    del exchanges[:]
    try:
        v = fn()
    except Exception as e:  # noqa
        v = "EXCEPTION %s: %s" % (type(e).__name__, e)
    print("NOTE %s: %s" % (name, v))
    del exchanges[:]


def raises(fn, status=None, msg_part=None):
    """Expect ApiFailure; returns (ok, detail)."""
    try:
        v = fn()
    except ApiFailure as e:
        ok = (status is None or e.status_code == status) and (msg_part is None or msg_part in e.message)
        return ok, "ApiFailure(%s, %r)" % (e.status_code, e.message)
    return False, "no exception; returned %r" % (v,)


HEX40 = re.compile(r"^[0-9a-f]{40}$")
root_pw = UsernamePassword("root", "rootpass1")

# ---------------- tokens ----------------
state = {}


def t_create_token():
    t = api.create_token(root_pw, "py-root")
    state["root_tok"] = Token(t.token)
    return t.name == "py-root" and bool(HEX40.match(t.token)), "token=%r name=%r" % (t.token, t.name)


check("create_token(UsernamePassword) (GET /user with Basic, then POST /users/root/tokens)", t_create_token)
root_tok = state.get("root_tok")

check("create_token duplicate name -> ApiFailure 422 with message",
      lambda: raises(lambda: api.create_token(root_pw, "py-root", username="root"), 422, "already exists"))


def t_get_tokens():
    ts = api.get_tokens(root_pw)
    names = [t.name for t in ts]
    return "py-root" in names and all(HEX40.match(t.token) for t in ts), "tokens=%r" % [(t.name, t.token) for t in ts]


check("get_tokens(UsernamePassword)", t_get_tokens)


def t_ensure_existing():
    t = api.ensure_token(root_pw, "py-root")
    return t.name == "py-root", "name=%r token=%r" % (t.name, t.token)


check("ensure_token existing name (returns listed entry)", t_ensure_existing)


def t_ensure_new():
    t = api.ensure_token(root_pw, "py-ensure")
    ok = t.name == "py-ensure" and HEX40.match(t.token) and api.valid_authentication(Token(t.token))
    return ok, "name=%r token=%r" % (t.name, t.token)


check("ensure_token new name creates a usable token", t_ensure_new)

check("get_tokens with a Token (not Basic) -> ApiFailure 401",
      lambda: raises(lambda: api.get_tokens(root_tok, username="root"), 401))
check("create_token with wrong password -> ApiFailure 401",
      lambda: raises(lambda: api.create_token(UsernamePassword("root", "nope"), "x", username="root"), 401))

# ---------------- authenticated user ----------------


def t_auth_user(auth):
    def f():
        u = api.authenticated_user(auth)
        return (u.id == 1 and u.username == "root" and u.email == "root@example.com" and u.full_name == ""
                and u.avatar_url.startswith("http")), repr(u)
    return f


check("authenticated_user(Token) via ?token=", t_auth_user(root_tok))
check("authenticated_user(UsernamePassword) via Basic", t_auth_user(root_pw))
check("valid_authentication(Token) True", lambda: (api.valid_authentication(root_tok) is True, ""))
check("valid_authentication(bad Token) False", lambda: (api.valid_authentication(Token("0" * 40)) is False, ""))
check("valid_authentication(bad password) False",
      lambda: (api.valid_authentication(UsernamePassword("root", "bad")) is False, ""))
check("authenticated_user(bad token) -> ApiFailure 401",
      lambda: raises(lambda: api.authenticated_user(Token("0" * 40)), 401))

# ---------------- admin: create user ----------------


def t_create_user():
    u = api.create_user(root_tok, "alice", "alice", "alice@example.com", "alicepass1")
    state["alice_id"] = u.id
    return u.username == "alice" and u.email == "alice@example.com" and u.id > 1, repr(u)


check("create_user(alice) as admin", t_create_user)
check("create_user(bob, send_notify=True) as admin",
      lambda: (api.create_user(root_tok, "bob", "bob", "bob@example.com", "bobpass12", send_notify=True).username == "bob", ""))
check("create_user duplicate username -> ApiFailure 422 with message",
      lambda: raises(lambda: api.create_user(root_tok, "alice", "alice", "x@example.com", "xpass1234"), 422, "already exists"))
check("create_user duplicate e-mail -> ApiFailure 422 with message",
      lambda: raises(lambda: api.create_user(root_tok, "carol", "carol", "alice@example.com", "xpass1234"), 422, "used"))


def t_create_invalid():
    # Gogs answers a binding-error ARRAY here; gogs_client._fail does response.json()["message"]
    # and only catches ValueError/KeyError (interface.py _fail), so a list body raises TypeError.
    try:
        api.create_user(root_tok, "bad name", "bad name", "bad@example.com", "xpass1234")
    except ApiFailure as e:
        return e.status_code == 422, "ApiFailure(%s, %r)" % (e.status_code, e.message)
    except TypeError as e:
        return False, "TypeError from gogs_client._fail (body is a JSON array): %s" % e
    return False, "no exception"


check("create_user invalid username -> ApiFailure 422", t_create_invalid)

alice_pw = UsernamePassword("alice", "alicepass1")
state["alice_tok"] = api.create_token(alice_pw, "py-alice")
alice_tok = Token(state["alice_tok"].token)
check("create_user as non-admin -> ApiFailure 403",
      lambda: raises(lambda: api.create_user(alice_tok, "m", "mallory", "m@example.com", "xpass1234"), 403))

# ---------------- get_user / user_exists / search ----------------


def t_get_user(auth, email):
    def f():
        u = api.get_user(auth, "alice")
        return u.username == "alice" and u.email == email, repr(u)
    return f


check("get_user(None, alice): e-mail blanked for anonymous", t_get_user(None, ""))
check("get_user(Token, alice): e-mail shown", t_get_user(root_tok, "alice@example.com"))
check("get_user(UsernamePassword, alice)", t_get_user(alice_pw, "alice@example.com"))
check("get_user missing -> ApiFailure 404", lambda: raises(lambda: api.get_user(root_tok, "nosuchuser"), 404))
check("user_exists(alice) True", lambda: (api.user_exists("alice") is True, ""))
check("user_exists(nosuchuser) False", lambda: (api.user_exists("nosuchuser") is False, ""))


def t_search(q, limit, expect):
    def f():
        us = api.search_users(q, limit=limit)
        names = sorted(u.username for u in us)
        return names == expect, "got %r" % names
    return f


check("search_users('ali')", t_search("ali", 10, ["alice"]))
check("search_users('o') (root, bob)", t_search("o", 10, ["bob", "root"]))
check("search_users('o', limit=1) returns 1", lambda: (len(api.search_users("o", limit=1)) == 1, ""))
check("search_users('') -> []", t_search("", 10, []))
check("search_users('ALI') case-insensitive", t_search("ALI", 10, ["alice"]))

# ---------------- update_user ----------------


def t_update():
    upd = (GogsUserUpdate.Builder("alice", "alice@example.com").set_full_name("Alice Liddell")
           .set_website("https://alice.example").set_location("Wonderland").set_active(True).set_admin(False)
           .set_allow_git_hook(False).set_allow_import_local(False).build())
    u = api.update_user(root_tok, "alice", upd)
    return u.full_name == "Alice Liddell" and u.username == "alice", repr(u)


check("update_user(alice) full_name/website/location/flags", t_update)


def t_update_admin():
    api.update_user(root_tok, "bob", GogsUserUpdate.Builder("bob", "bob@example.com").set_admin(True).build())
    bob_tok = Token(api.create_token(UsernamePassword("bob", "bobpass12"), "py-bob").token)
    u = api.create_user(bob_tok, "bobmade", "bobmade", "bobmade@example.com", "xpass1234")
    api.update_user(root_tok, "bob", GogsUserUpdate.Builder("bob", "bob@example.com").set_admin(False).build())
    ok, d = raises(lambda: api.create_user(bob_tok, "bobmade2", "bobmade2", "bm2@example.com", "xpass1234"), 403)
    return u.username == "bobmade" and ok, d


check("update_user set_admin(True/False) takes effect", t_update_admin)


def t_update_password():
    api.update_user(root_tok, "bob", GogsUserUpdate.Builder("bob", "bob@example.com").set_password("bobnewpass1").build())
    return api.valid_authentication(UsernamePassword("bob", "bobnewpass1")) and \
        not api.valid_authentication(UsernamePassword("bob", "bobpass12")), ""


check("update_user set_password", t_update_password)


def t_update_inactive():
    api.update_user(root_tok, "bob", GogsUserUpdate.Builder("bob", "bob@example.com").set_active(False).build())
    r = session.get(BASE + "/api/v1/admin/users/bob")  # no such GET; just make sure nothing crashes
    api.update_user(root_tok, "bob", GogsUserUpdate.Builder("bob", "bob@example.com").set_active(True).build())
    return True, ""


check("update_user set_active(False) then (True)", t_update_inactive)
check("update_user e-mail taken -> ApiFailure 422",
      lambda: raises(lambda: api.update_user(root_tok, "bob", GogsUserUpdate.Builder("bob", "root@example.com").build()), 422, "used"))
check("update_user missing user -> ApiFailure 404",
      lambda: raises(lambda: api.update_user(root_tok, "nosuchuser", GogsUserUpdate.Builder("x", "x@example.com").build()), 404))
check("update_user as non-admin -> ApiFailure 403",
      lambda: raises(lambda: api.update_user(alice_tok, "bob", GogsUserUpdate.Builder("bob", "bob@example.com").build()), 403))

# ---------------- delete_user ----------------
check("delete_user(bobmade)", lambda: (api.delete_user(root_tok, "bobmade") is None and not api.user_exists("bobmade"), ""))
check("delete_user missing -> ApiFailure 404", lambda: raises(lambda: api.delete_user(root_tok, "nosuchuser"), 404))
check("delete_user as non-admin -> ApiFailure 403", lambda: raises(lambda: api.delete_user(alice_tok, "bob"), 403))

# ---------------- generic helpers (api.get/post/delete) on emails / keys / followers ----------------
# gogs_client 1.0.6 has no dedicated e-mail/key/follower methods; its public get/post/put/delete
# helpers are used with the client's own Token auth (?token=) and JSON bodies.


def t_emails():
    r = api.post("/user/emails", auth=alice_tok, data={"emails": ["alice2@example.com"]})
    added = r.json()
    lst = api.get("/user/emails", auth=alice_tok).json()
    api.delete("/user/emails", auth=alice_tok, json={"emails": ["alice2@example.com"]})
    lst2 = api.get("/user/emails", auth=alice_tok).json()
    ok = (r.status_code == 201 and added == [{"email": "alice2@example.com", "verified": True, "primary": False}]
          and len(lst) == 2 and len(lst2) == 1)
    return ok, "added=%r list=%r after=%r" % (added, lst, lst2)


check("api.post/get/delete /user/emails with ?token=", t_emails)


def t_follow():
    api.put("/user/following/root", auth=alice_tok)
    r = api.get("/user/following/root", auth=alice_tok)
    fl = api.get("/users/root/followers", auth=alice_tok).json()
    api.delete("/user/following/root", auth=alice_tok)
    return r.status_code == 204 and [u["username"] for u in fl] == ["alice"], "followers=%r" % fl


check("api.put/get/delete /user/following/root with ?token=", t_follow)


def t_keys():
    key = open(os.environ.get("KEY_ED", "/tmp/k1.pub")).read().strip()
    k = api.post("/user/keys", auth=alice_tok, data={"title": "py-ed", "key": key}).json()
    g = api.get("/user/keys/%d" % k["id"], auth=alice_tok).json()
    api.delete("/user/keys/%d" % k["id"], auth=alice_tok)
    ok = g["id"] == k["id"] and g["title"] == "py-ed" and g["url"] == "%s/api/v1/user/keys/%d" % (BASE, k["id"])
    return ok, "created=%r got=%r" % (k, g)


check("api.post/get/delete /user/keys with ?token=", t_keys)

# ---------------- form-encoded bodies (README §2: spec says py-client sends forms) ----------------
# gogs_client 1.0.6 actually sends JSON (http_utils.py: session.post(..., json=data)); these checks
# send the same payloads as application/x-www-form-urlencoded with ?token= to cover older clients.


def form(method, path, data, auth_tok=None, basic=None):
    params = {"token": auth_tok.token} if auth_tok else None
    return session.request(method, BASE + "/api/v1" + path, params=params, data=data, auth=basic)


def t_form_create_user():
    r = form("POST", "/admin/users", {"login_name": "dave", "username": "dave", "email": "dave@example.com",
                                      "password": "davepass1", "send_notify": "false"}, root_tok)
    return r.status_code == 201 and r.json().get("username") == "dave", "%s %s" % (r.status_code, r.text)


check("FORM POST /admin/users", t_form_create_user)


def t_form_update_user():
    r = form("PATCH", "/admin/users/dave", {"login_name": "dave", "email": "dave@example.com", "full_name": "Dave F",
                                            "active": "true", "admin": "False", "allow_git_hook": "on",
                                            "max_repo_creation": "3"}, root_tok)
    return r.status_code == 200 and r.json().get("full_name") == "Dave F", "%s %s" % (r.status_code, r.text)


check("FORM PATCH /admin/users/dave (incl. pointer fields active/admin)", t_form_update_user)


def t_form_token():
    r = form("POST", "/users/dave/tokens", {"name": "form-tok"}, basic=("dave", "davepass1"))
    return r.status_code == 201 and HEX40.match(r.json().get("sha1", "")), "%s %s" % (r.status_code, r.text)


check("FORM POST /users/dave/tokens (Basic)", t_form_token)


def t_form_emails():
    r = form("POST", "/user/emails", [("emails", "d2@example.com"), ("emails", "d3@example.com")], root_tok)
    ok1 = r.status_code == 201 and [e["email"] for e in r.json()] == ["d2@example.com", "d3@example.com"]
    r2 = form("DELETE", "/user/emails", [("emails", "d2@example.com"), ("emails", "d3@example.com")], root_tok)
    return ok1 and r2.status_code == 204, "post %s %s / delete %s %s" % (r.status_code, r.text, r2.status_code, r2.text)


check("FORM POST/DELETE /user/emails (repeated emails=)", t_form_emails)


def t_form_key():
    key = open(os.environ.get("KEY_ED2", "/tmp/k3.pub")).read().strip()
    r = form("POST", "/admin/users/dave/keys", {"title": "form-key", "key": key}, root_tok)
    return r.status_code == 201 and r.json().get("title") == "form-key", "%s %s" % (r.status_code, r.text)


check("FORM POST /admin/users/dave/keys", t_form_key)


def t_form_markdown():
    r = form("POST", "/markdown", {"text": "**b**", "context": ""}, None)
    return r.status_code == 200 and "<strong>b</strong>" in r.text, "%s %r" % (r.status_code, r.text)


check("FORM POST /markdown", t_form_markdown)


def t_form_bad_bool():
    r = form("PATCH", "/admin/users/dave", {"email": "dave@example.com", "active": "maybe"}, root_tok)
    return r.status_code == 422 and isinstance(r.json(), list), "%s %s" % (r.status_code, r.text)


check("FORM PATCH with active=maybe -> 422 binding array (BooleanTypeError)", t_form_bad_bool)


def t_access_token_query():
    r = session.get(BASE + "/api/v1/user", params={"access_token": root_tok.token})
    return r.status_code == 200 and r.json()["username"] == "root", "%s %s" % (r.status_code, r.text)


check("?access_token= query accepted", t_access_token_query)

check("delete_user(dave) after form tests", lambda: (api.delete_user(root_tok, "dave") is None, ""))

print("\nPython client (gogs_client %s): %d passed, %d failed" % (
    getattr(gogs_client, "__version__", "1.0.6"), passed, failed))
sys.exit(1 if failed else 0)
