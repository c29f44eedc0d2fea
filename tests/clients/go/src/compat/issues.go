// Issue tracker (issues, comments, labels, milestones) and repository webhooks, driven through
// go-gogs-client (issue.go, issue_comment.go, issue_label.go, issue_milestone.go, repo_hook.go).
// The 2016 snapshot has no ListRepoIssueComments and no comment delete; its CreateIssueComment and
// EditIssueComment build the path "/repos/:%s/:%s/…" (a literal ':' before owner and repository),
// so they can only reach a user named ":owner" — against Gogs as well. Those routes are therefore
// checked once through the client functions (expecting the 404 Gogs gives) and then with raw
// requests whose bodies are json.Marshal'ed client structs and whose answers are decoded into
// client structs.
package main

import (
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	gogs "github.com/gogits/go-gogs-client"
)

func labelNames(ls []*gogs.Label) string {
	var n []string
	for _, l := range ls {
		n = append(n, l.Name)
	}
	return strings.Join(n, ",")
}

func issueStr(i *gogs.Issue) string {
	if i == nil {
		return "nil"
	}
	ms, as, us := "nil", "nil", "nil"
	if i.Milestone != nil {
		ms = fmt.Sprintf("%d:%s", i.Milestone.ID, i.Milestone.Title)
	}
	if i.Assignee != nil {
		as = i.Assignee.UserName
	}
	if i.Poster != nil {
		us = i.Poster.UserName
	}
	return fmt.Sprintf("{id:%d number:%d user:%s title:%q body:%q labels:[%s] milestone:%s assignee:%s state:%s comments:%d pr:%v}",
		i.ID, i.Index, us, i.Title, i.Body, labelNames(i.Labels), ms, as, i.State, i.Comments, i.PullRequest)
}

func msStr(m *gogs.Milestone) string {
	if m == nil {
		return "nil"
	}
	return fmt.Sprintf("{id:%d title:%q desc:%q state:%s open:%d closed:%d closed_at:%v due_on:%v}",
		m.ID, m.Title, m.Description, m.State, m.OpenIssues, m.ClosedIssues, m.Closed, m.Deadline)
}

func hookStr(h *gogs.Hook) string {
	if h == nil {
		return "nil"
	}
	return fmt.Sprintf("{id:%d type:%s config:%v events:%v active:%v}", h.ID, h.Type, h.Config, h.Events, h.Active)
}

func issueNumbers(is []*gogs.Issue) string {
	var n []string
	for _, i := range is {
		n = append(n, fmt.Sprint(i.Index))
	}
	return strings.Join(n, ",")
}

func findHook(hs []*gogs.Hook, id int64) *gogs.Hook {
	for _, h := range hs {
		if h.ID == id {
			return h
		}
	}
	return nil
}

func openIssues(c *gogs.Client, owner, repo string) int {
	r, err := c.GetRepo(owner, repo)
	if err != nil {
		return -1
	}
	return r.OpenIssues
}

func sp(s string) *string { return &s }
func ip(i int64) *int64   { return &i }
func bp(b bool) *bool     { return &b }

func issueTests(root, ac, anon *gogs.Client, aliceTok string) {
	_, ivyTok := mkUser(root, anon, "ivy") // write collaborator
	_, rexTok := mkUser(root, anon, "rex") // stranger = reader of the public repository
	ic, rc := client(ivyTok), client(rexTok)
	const O, R = "alice", "go-issues"
	P := "/repos/" + O + "/" + R

	_, err := ac.CreateRepo(gogs.CreateRepoOption{Name: R, Description: "issue tracker checks"})
	check("CreateRepo(alice/go-issues)", err == nil, "err="+es(err))
	_, err = ac.CreateRepo(gogs.CreateRepoOption{Name: "go-issues-priv", Private: true})
	check("CreateRepo(alice/go-issues-priv, private)", err == nil, "err="+es(err))
	// the client's AddCollaborator sends no Content-Type (415, as against Gogs; see orgs.go): raw PUT
	cb, _ := json.Marshal(gogs.AddCollaboratorOption{Permission: sp("write")})
	st, _ := api(aliceTok, "PUT", P+"/collaborators/ivy", string(cb))
	check("PUT …/collaborators/ivy (write)", st == 204, fmt.Sprintf("status=%d", st))

	// ---------------- labels ----------------
	l1, err := ac.CreateLabel(O, R, gogs.CreateLabelOption{Name: "bug", Color: "#e11d21"})
	j := lastJSON()
	if l1 == nil {
		l1 = &gogs.Label{}
	}
	check("CreateLabel(bug, #e11d21): 201, color without '#', url filled",
		err == nil && lastEx().status == 201 && l1.ID > 0 && l1.Name == "bug" && l1.Color == "e11d21" &&
			j["url"] == fmt.Sprintf("%s/api/v1%s/labels/%d", base, P, l1.ID),
		fmt.Sprintf("err=%s label=%+v url=%v", es(err), l1, j["url"]))
	l2, err := ac.CreateLabel(O, R, gogs.CreateLabelOption{Name: "enhancement", Color: "#84B6EB"})
	if l2 == nil {
		l2 = &gogs.Label{}
	}
	check("CreateLabel(enhancement, upper-case hex) stored as sent", err == nil && l2.Color == "84B6EB", fmt.Sprintf("err=%s label=%+v", es(err), l2))
	l3, err := ic.CreateLabel(O, R, gogs.CreateLabelOption{Name: "docs", Color: "#00ff00"})
	if l3 == nil {
		l3 = &gogs.Label{}
	}
	check("CreateLabel by writer", err == nil && l3.ID > 0 && l3.Name == "docs", fmt.Sprintf("err=%s label=%+v", es(err), l3))
	_, err = rc.CreateLabel(O, R, gogs.CreateLabelOption{Name: "nope", Color: "#000000"})
	check("CreateLabel by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = safe(func() error {
		_, e := ac.CreateLabel(O, R, gogs.CreateLabelOption{Name: "short", Color: "red"})
		return e
	})
	check("CreateLabel colour not 7 characters -> 422", err != nil && lastEx().status == 422, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	err = safe(func() error {
		_, e := ac.CreateLabel(O, R, gogs.CreateLabelOption{Name: "garbage", Color: "#zzzzzz"})
		return e
	})
	check("CreateLabel colour '#zzzzzz' -> 422 (hearth; Gogs accepts any 7 characters)", err != nil && lastEx().status == 422,
		fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	err = safe(func() error {
		_, e := ac.CreateLabel(O, R, gogs.CreateLabelOption{Name: "", Color: "#000000"})
		return e
	})
	check("CreateLabel empty name -> 422", err != nil && lastEx().status == 422, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))

	ls, err := rc.ListRepoLabels(O, R)
	check("ListRepoLabels as reader: sorted by name", err == nil && labelNames(ls) == "bug,docs,enhancement",
		fmt.Sprintf("err=%s labels=%s", es(err), labelNames(ls)))
	l, err := rc.GetRepoLabel(O, R, l1.ID)
	check("GetRepoLabel(id)", err == nil && l.ID == l1.ID && l.Name == "bug" && l.Color == "e11d21", fmt.Sprintf("err=%s label=%+v", es(err), l))
	_, err = ac.GetRepoLabel(O, R, 999999)
	check("GetRepoLabel(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	var body string
	st, body = api(aliceTok, "GET", P+"/labels/docs", "")
	var lj gogs.Label
	_ = json.Unmarshal([]byte(body), &lj)
	check("GET …/labels/docs (name instead of id) -> the label", st == 200 && lj.ID == l3.ID, fmt.Sprintf("status=%d body=%s", st, body))

	l, err = ac.EditLabel(O, R, l1.ID, gogs.EditLabelOption{Name: sp("bug!")})
	check("EditLabel name only: colour unchanged", err == nil && l.Name == "bug!" && l.Color == "e11d21", fmt.Sprintf("err=%s label=%+v", es(err), l))
	l, err = ic.EditLabel(O, R, l1.ID, gogs.EditLabelOption{Name: sp("bug"), Color: sp("#ee0701")})
	check("EditLabel by writer: name and colour", err == nil && l.Name == "bug" && l.Color == "ee0701", fmt.Sprintf("err=%s label=%+v", es(err), l))
	_, err = rc.EditLabel(O, R, l1.ID, gogs.EditLabelOption{Name: sp("hijack")})
	check("EditLabel by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = ac.EditLabel(O, R, 999999, gogs.EditLabelOption{Name: sp("x")})
	check("EditLabel(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	// ---------------- milestones ----------------
	due := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	m1, err := ac.CreateMilestone(O, R, gogs.CreateMilestoneOption{Title: "v1", Description: "first", Deadline: &due})
	if m1 == nil {
		m1 = &gogs.Milestone{}
	}
	check("CreateMilestone(v1, due_on): 201, open, counters 0, closed_at null, due_on kept",
		err == nil && lastEx().status == 201 && m1.ID > 0 && m1.Title == "v1" && m1.Description == "first" && m1.State == "open" &&
			m1.OpenIssues == 0 && m1.ClosedIssues == 0 && m1.Closed == nil && m1.Deadline != nil && m1.Deadline.Equal(due),
		fmt.Sprintf("err=%s ms=%s", es(err), msStr(m1)))
	m2, err := ic.CreateMilestone(O, R, gogs.CreateMilestoneOption{})
	if m2 == nil {
		m2 = &gogs.Milestone{}
	}
	check("CreateMilestone by writer, empty title, no deadline -> due_on null", err == nil && m2.ID > m1.ID && m2.Title == "" && m2.Deadline == nil,
		fmt.Sprintf("err=%s ms=%s", es(err), msStr(m2)))
	_, err = rc.CreateMilestone(O, R, gogs.CreateMilestoneOption{Title: "nope"})
	check("CreateMilestone by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	ms, err := rc.ListRepoMilestones(O, R)
	check("ListRepoMilestones as reader: creation order", err == nil && len(ms) == 2 && ms[0].ID == m1.ID && ms[1].ID == m2.ID,
		fmt.Sprintf("err=%s n=%d", es(err), len(ms)))
	m, err := rc.GetMilestone(O, R, m1.ID)
	check("GetMilestone", err == nil && m.ID == m1.ID && m.Title == "v1", fmt.Sprintf("err=%s ms=%s", es(err), msStr(m)))
	_, err = ac.GetMilestone(O, R, 999999)
	check("GetMilestone(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	// ---------------- issues ----------------
	i1, err := ac.CreateIssue(O, R, gogs.CreateIssueOption{Title: "  first  ", Body: "body 1", Assignee: "ivy", Milestone: m1.ID,
		Labels: []int64{l2.ID, l1.ID, 999999}})
	if i1 == nil {
		i1 = &gogs.Issue{}
	}
	check("CreateIssue by owner: 201, number 1, title trimmed, labels by name (unknown id dropped), milestone, assignee, open, pull_request null",
		err == nil && lastEx().status == 201 && i1.Index == 1 && i1.Title == "first" && i1.Body == "body 1" && labelNames(i1.Labels) == "bug,enhancement" &&
			i1.Milestone != nil && i1.Milestone.ID == m1.ID && i1.Assignee != nil && i1.Assignee.UserName == "ivy" && i1.State == "open" &&
			i1.Comments == 0 && i1.PullRequest == nil && i1.Poster != nil && i1.Poster.UserName == "alice" && !i1.Created.IsZero(),
		fmt.Sprintf("err=%s issue=%s", es(err), issueStr(i1)))
	check("repo open_issues_count = 1", openIssues(ac, O, R) == 1, fmt.Sprint(openIssues(ac, O, R)))
	m, _ = ac.GetMilestone(O, R, m1.ID)
	check("milestone open_issues = 1", m != nil && m.OpenIssues == 1 && m.ClosedIssues == 0, msStr(m))

	i2, err := rc.CreateIssue(O, R, gogs.CreateIssueOption{Title: "from rex", Assignee: "ivy", Milestone: m1.ID, Labels: []int64{l1.ID}})
	if i2 == nil {
		i2 = &gogs.Issue{}
	}
	i2body := lastEx().respBody
	check("CreateIssue by reader: number 2; assignee/milestone/labels silently dropped", err == nil && i2.Index == 2 && len(i2.Labels) == 0 &&
		i2.Milestone == nil && i2.Assignee == nil && i2.Poster != nil && i2.Poster.UserName == "rex",
		fmt.Sprintf("err=%s issue=%s", es(err), issueStr(i2)))
	check("CreateIssue labels [] not null when none", strings.Contains(i2body, `"labels":[]`), i2body)

	i3, err := ic.CreateIssue(O, R, gogs.CreateIssueOption{Title: "closed one", Closed: true, Milestone: m1.ID})
	if i3 == nil {
		i3 = &gogs.Issue{}
	}
	check("CreateIssue closed=true by writer: number 3, closed, comments 0", err == nil && i3.Index == 3 && i3.State == "closed" && i3.Comments == 0 &&
		i3.Milestone != nil && i3.Milestone.ID == m1.ID, fmt.Sprintf("err=%s issue=%s", es(err), issueStr(i3)))
	m, _ = ac.GetMilestone(O, R, m1.ID)
	check("milestone counters open 1 closed 1", m != nil && m.OpenIssues == 1 && m.ClosedIssues == 1, msStr(m))
	check("repo open_issues_count = 2 (closed not counted)", openIssues(ac, O, R) == 2, fmt.Sprint(openIssues(ac, O, R)))

	_, err = ac.CreateIssue(O, R, gogs.CreateIssueOption{Title: "x", Assignee: "nosuchuser"})
	check("CreateIssue unknown assignee -> 422 'assignee does not exist'", err != nil && lastEx().status == 422 && strings.Contains(es(err), "assignee does not exist"),
		fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	err = safe(func() error { _, e := ac.CreateIssue(O, R, gogs.CreateIssueOption{Title: ""}); return e })
	check("CreateIssue empty title -> 422", err != nil && lastEx().status == 422, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	i4, err := ac.CreateIssue(O, R, gogs.CreateIssueOption{Title: "fourth"})
	check("numbering gap-free after refused creates: number 4", err == nil && i4 != nil && i4.Index == 4, fmt.Sprintf("err=%s issue=%s", es(err), issueStr(i4)))

	is, err := rc.ListRepoIssues(O, R, gogs.ListIssueOption{Page: 1})
	check("ListRepoIssues: open only, newest first", err == nil && issueNumbers(is) == "4,2,1", fmt.Sprintf("err=%s numbers=%s", es(err), issueNumbers(is)))
	st, body = api(aliceTok, "GET", P+"/issues?state=closed", "")
	var isj []*gogs.Issue
	_ = json.Unmarshal([]byte(body), &isj)
	check("GET …/issues?state=closed -> [3]", st == 200 && issueNumbers(isj) == "3", fmt.Sprintf("status=%d numbers=%s", st, issueNumbers(isj)))
	is, err = ac.ListRepoIssues(O, R, gogs.ListIssueOption{Page: 2})
	check("ListRepoIssues page 2 -> []", err == nil && len(is) == 0, fmt.Sprintf("err=%s numbers=%s", es(err), issueNumbers(is)))
	_, err = rc.ListRepoIssues(O, "go-issues-priv", gogs.ListIssueOption{Page: 1})
	check("ListRepoIssues private repo as stranger -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	gi, err := rc.GetIssue(O, R, 1)
	check("GetIssue(1) as reader", err == nil && gi.ID == i1.ID && gi.Index == 1 && labelNames(gi.Labels) == "bug,enhancement" && gi.Assignee != nil,
		fmt.Sprintf("err=%s issue=%s", es(err), issueStr(gi)))
	_, err = ac.GetIssue(O, R, 99)
	check("GetIssue(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	ei, err := ac.EditIssue(O, R, 1, gogs.EditIssueOption{State: sp("closed")})
	check("EditIssue state=closed: 201 (as Gogs), closed, title kept (empty title = unchanged)", err == nil && lastEx().status == 201 && ei.State == "closed" && ei.Title == "first" && ei.Body == "body 1",
		fmt.Sprintf("err=%s status=%d issue=%s", es(err), lastEx().status, issueStr(ei)))
	m, _ = ac.GetMilestone(O, R, m1.ID)
	check("closing updates milestone counters (open 0, closed 2) and repo open_issues_count (2)", m != nil && m.OpenIssues == 0 && m.ClosedIssues == 2 && openIssues(ac, O, R) == 2,
		fmt.Sprintf("ms=%s open=%d", msStr(m), openIssues(ac, O, R)))
	ei, err = ac.EditIssue(O, R, 1, gogs.EditIssueOption{State: sp("whatever")})
	check("EditIssue state=other value -> open", err == nil && ei.State == "open", fmt.Sprintf("err=%s issue=%s", es(err), issueStr(ei)))
	check("reopen restores repo open_issues_count (3)", openIssues(ac, O, R) == 3, fmt.Sprint(openIssues(ac, O, R)))
	ei, err = ac.EditIssue(O, R, 1, gogs.EditIssueOption{Title: "first!", Body: sp("")})
	check("EditIssue title + body \"\" (assignee/milestone absent = kept)", err == nil && ei.Title == "first!" && ei.Body == "" && ei.Assignee != nil && ei.Milestone != nil,
		fmt.Sprintf("err=%s issue=%s", es(err), issueStr(ei)))
	ei, err = ic.EditIssue(O, R, 1, gogs.EditIssueOption{Milestone: ip(0), Assignee: sp("")})
	check("EditIssue by writer: milestone 0 and assignee \"\" clear", err == nil && ei.Milestone == nil && ei.Assignee == nil,
		fmt.Sprintf("err=%s issue=%s", es(err), issueStr(ei)))
	m, _ = ac.GetMilestone(O, R, m1.ID)
	check("removing the milestone updates its counters (open 0, closed 1)", m != nil && m.OpenIssues == 0 && m.ClosedIssues == 1, msStr(m))
	ei, err = ac.EditIssue(O, R, 1, gogs.EditIssueOption{Milestone: ip(m2.ID), Assignee: sp("rex")})
	check("EditIssue set milestone m2 and assignee rex", err == nil && ei.Milestone != nil && ei.Milestone.ID == m2.ID && ei.Assignee != nil && ei.Assignee.UserName == "rex",
		fmt.Sprintf("err=%s issue=%s", es(err), issueStr(ei)))
	_, err = ac.EditIssue(O, R, 1, gogs.EditIssueOption{Milestone: ip(999999)})
	check("EditIssue unknown milestone -> 422 (hearth; Gogs 500)", err != nil && lastEx().status == 422, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	_, err = ac.EditIssue(O, R, 1, gogs.EditIssueOption{Assignee: sp("nosuchuser")})
	check("EditIssue unknown assignee -> 422", err != nil && lastEx().status == 422, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	ei, err = rc.EditIssue(O, R, 2, gogs.EditIssueOption{Title: "rex edited", Milestone: ip(m1.ID), Assignee: sp("ivy")})
	check("EditIssue by poster (reader): title changes, milestone/assignee silently ignored", err == nil && ei.Title == "rex edited" && ei.Milestone == nil && ei.Assignee == nil,
		fmt.Sprintf("err=%s issue=%s", es(err), issueStr(ei)))
	_, err = rc.EditIssue(O, R, 1, gogs.EditIssueOption{Title: "hijack"})
	check("EditIssue of another's issue by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = ac.EditIssue(O, R, 99, gogs.EditIssueOption{Title: "x"})
	check("EditIssue(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	// ---------------- issue labels ----------------
	ls, err = rc.GetIssueLabels(O, R, 1)
	check("GetIssueLabels(1) as reader", err == nil && labelNames(ls) == "bug,enhancement", fmt.Sprintf("err=%s labels=%s", es(err), labelNames(ls)))
	ls, err = ac.AddIssueLabels(O, R, 2, gogs.IssueLabelsOption{Labels: []int64{l3.ID, 999999}})
	check("AddIssueLabels(2, [docs, unknown]) -> 200 [docs]", err == nil && lastEx().status == 200 && labelNames(ls) == "docs", fmt.Sprintf("err=%s labels=%s", es(err), labelNames(ls)))
	ls, err = ic.AddIssueLabels(O, R, 2, gogs.IssueLabelsOption{Labels: []int64{l1.ID, l3.ID}})
	check("AddIssueLabels by writer: full set (already attached skipped)", err == nil && labelNames(ls) == "bug,docs", fmt.Sprintf("err=%s labels=%s", es(err), labelNames(ls)))
	gi, _ = ac.GetIssue(O, R, 2)
	check("GetIssue(2) shows the labels", gi != nil && labelNames(gi.Labels) == "bug,docs", issueStr(gi))
	ls, err = ac.ReplaceIssueLabels(O, R, 2, gogs.IssueLabelsOption{Labels: []int64{l2.ID}})
	check("ReplaceIssueLabels(2, [enhancement])", err == nil && labelNames(ls) == "enhancement", fmt.Sprintf("err=%s labels=%s", es(err), labelNames(ls)))
	err = ac.DeleteIssueLabel(O, R, 2, l2.ID)
	ls, _ = ac.GetIssueLabels(O, R, 2)
	check("DeleteIssueLabel(2, enhancement) -> none left", err == nil && len(ls) == 0, fmt.Sprintf("err=%s labels=%s", es(err), labelNames(ls)))
	err = ac.DeleteIssueLabel(O, R, 2, l1.ID)
	check("DeleteIssueLabel not attached -> no error (204)", err == nil && lastEx().status == 204, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	err = ac.DeleteIssueLabel(O, R, 2, 999999)
	check("DeleteIssueLabel label not in repo -> 422 'label does not exist'", err != nil && lastEx().status == 422 && strings.Contains(es(err), "label does not exist"),
		fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	_, _ = ac.ReplaceIssueLabels(O, R, 2, gogs.IssueLabelsOption{Labels: []int64{l1.ID, l3.ID}})
	err = ac.ClearIssueLabels(O, R, 2)
	ls, _ = ac.GetIssueLabels(O, R, 2)
	check("ClearIssueLabels -> 204, none left", err == nil && lastEx().status != 0 && len(ls) == 0, fmt.Sprintf("err=%s labels=%s", es(err), labelNames(ls)))
	ls, err = ac.ReplaceIssueLabels(O, R, 2, gogs.IssueLabelsOption{Labels: []int64{}})
	check("ReplaceIssueLabels [] -> []", err == nil && len(ls) == 0, fmt.Sprintf("err=%s labels=%s", es(err), labelNames(ls)))
	_, err = rc.AddIssueLabels(O, R, 2, gogs.IssueLabelsOption{Labels: []int64{l1.ID}})
	check("AddIssueLabels by reader (own issue) -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = rc.ReplaceIssueLabels(O, R, 1, gogs.IssueLabelsOption{Labels: []int64{l1.ID}})
	check("ReplaceIssueLabels by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = rc.DeleteIssueLabel(O, R, 1, l1.ID)
	check("DeleteIssueLabel by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = rc.ClearIssueLabels(O, R, 1)
	check("ClearIssueLabels by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = ac.GetIssueLabels(O, R, 99)
	check("GetIssueLabels(missing issue) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	gi, _ = ac.GetIssue(O, R, 1)
	check("issue 1 labels untouched by refused calls", gi != nil && labelNames(gi.Labels) == "bug,enhancement", issueStr(gi))

	// label deletion detaches
	_, _ = ac.AddIssueLabels(O, R, 1, gogs.IssueLabelsOption{Labels: []int64{l3.ID}})
	err = rc.DeleteLabel(O, R, l3.ID)
	check("DeleteLabel by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = ic.DeleteLabel(O, R, l3.ID)
	check("DeleteLabel by writer", err == nil, "err="+es(err))
	gi, _ = ac.GetIssue(O, R, 1)
	check("deleted label detached from issue", gi != nil && labelNames(gi.Labels) == "bug,enhancement", issueStr(gi))
	_, err = ac.GetRepoLabel(O, R, l3.ID)
	check("GetRepoLabel(deleted) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = ac.DeleteLabel(O, R, 999999)
	check("DeleteLabel(missing) -> no error (204)", err == nil, "err="+es(err))

	// ---------------- comments ----------------
	_, err = ac.CreateIssueComment(O, R, 1, gogs.CreateIssueCommentOption{Body: "via client"})
	check("CreateIssueComment (client builds '/repos/:alice/:go-issues/…') -> '404 Not Found', as against Gogs",
		err != nil && err.Error() == "404 Not Found" && strings.Contains(lastEx().url, "/repos/:alice/:go-issues/"), fmt.Sprintf("err=%s url=%s", es(err), lastEx().url))
	_, err = ac.EditIssueComment(O, R, 1, 1, gogs.EditIssueCommentOption{Body: "via client"})
	check("EditIssueComment (same client path bug) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	postComment := func(tok string, index int64, text string) (int, *gogs.Comment, map[string]interface{}) {
		b, _ := json.Marshal(gogs.CreateIssueCommentOption{Body: text})
		st, body := api(tok, "POST", fmt.Sprintf("%s/issues/%d/comments", P, index), string(b))
		c := &gogs.Comment{}
		_ = json.Unmarshal([]byte(body), c)
		return st, c, lastJSON()
	}
	st, c1, cj := postComment(aliceTok, 1, "hello")
	check("POST …/issues/1/comments (CreateIssueCommentOption) -> 201 Comment with html_url",
		st == 201 && c1.ID > 0 && c1.Body == "hello" && c1.Poster != nil && c1.Poster.UserName == "alice" && !c1.Created.IsZero() &&
			strings.HasSuffix(fmt.Sprint(cj["html_url"]), fmt.Sprintf("/alice/go-issues/issues/1#issuecomment-%d", c1.ID)),
		fmt.Sprintf("status=%d comment=%+v html_url=%v", st, c1, cj["html_url"]))
	st, c2, _ := postComment(rexTok, 1, "me too")
	check("comment by reader -> 201", st == 201 && c2.ID > c1.ID && c2.Poster != nil && c2.Poster.UserName == "rex", fmt.Sprintf("status=%d comment=%+v", st, c2))
	st, c3, _ := postComment(ivyTok, 2, "on two")
	check("comment by writer on issue 2 -> 201", st == 201 && c3.ID > c2.ID, fmt.Sprintf("status=%d", st))
	st, _, _ = postComment(aliceTok, 99, "nowhere")
	check("comment on missing issue -> 404 (hearth; Gogs 500)", st == 404, fmt.Sprintf("status=%d", st))
	st, _, _ = postComment(aliceTok, 1, "")
	check("comment with empty body -> 422", st == 422, fmt.Sprintf("status=%d", st))

	cs, err := rc.ListIssueComments(O, R, 1)
	check("ListIssueComments(1): plain comments only, oldest first (close/reopen events excluded)",
		err == nil && len(cs) == 2 && cs[0].ID == c1.ID && cs[1].ID == c2.ID && cs[0].Body == "hello", fmt.Sprintf("err=%s n=%d", es(err), len(cs)))
	gi, _ = ac.GetIssue(O, R, 1)
	check("issue comments counter = 2", gi != nil && gi.Comments == 2, issueStr(gi))
	_, err = ac.ListIssueComments(O, R, 99)
	check("ListIssueComments(missing issue) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	st, body = api(rexTok, "GET", P+"/issues/comments", "")
	var csj []*gogs.Comment
	_ = json.Unmarshal([]byte(body), &csj)
	check("GET …/issues/comments (repository-wide; no client function): 3 plain comments in order",
		st == 200 && len(csj) == 3 && csj[0].ID == c1.ID && csj[2].ID == c3.ID, fmt.Sprintf("status=%d body=%s", st, body))
	st, body = api(rexTok, "GET", P+"/issues/comments?since=notatime", "")
	check("GET …/issues/comments?since=garbage -> 422", st == 422, fmt.Sprintf("status=%d body=%s", st, body))

	editComment := func(tok, path, text string) (int, *gogs.Comment) {
		b, _ := json.Marshal(gogs.EditIssueCommentOption{Body: text})
		st, body := api(tok, "PATCH", path, string(b))
		c := &gogs.Comment{}
		_ = json.Unmarshal([]byte(body), c)
		return st, c
	}
	st, ce := editComment(rexTok, fmt.Sprintf("%s/issues/1/comments/%d", P, c2.ID), "me too (edited)")
	check("PATCH own comment (EditIssueCommentOption) -> 200", st == 200 && ce.ID == c2.ID && ce.Body == "me too (edited)", fmt.Sprintf("status=%d comment=%+v", st, ce))
	st, _ = editComment(ivyTok, fmt.Sprintf("%s/issues/1/comments/%d", P, c1.ID), "writer hijack")
	check("PATCH another's comment by writer -> 403", st == 403, fmt.Sprintf("status=%d", st))
	st, ce = editComment(aliceTok, fmt.Sprintf("%s/issues/comments/%d", P, c3.ID), "owner edit")
	check("PATCH …/issues/comments/:id by repo owner (admin) -> 200", st == 200 && ce.Body == "owner edit", fmt.Sprintf("status=%d comment=%+v", st, ce))
	st, _ = editComment(aliceTok, fmt.Sprintf("%s/issues/1/comments/999999", P), "x")
	check("PATCH missing comment -> 404", st == 404, fmt.Sprintf("status=%d", st))
	st, _ = api(ivyTok, "DELETE", fmt.Sprintf("%s/issues/1/comments/%d", P, c1.ID), "")
	check("DELETE another's comment by writer -> 403", st == 403, fmt.Sprintf("status=%d", st))
	st, _ = api(rexTok, "DELETE", fmt.Sprintf("%s/issues/1/comments/%d", P, c2.ID), "")
	cs, _ = ac.ListIssueComments(O, R, 1)
	gi, _ = ac.GetIssue(O, R, 1)
	check("DELETE own comment -> 204; list and counter shrink", st == 204 && len(cs) == 1 && gi != nil && gi.Comments == 1,
		fmt.Sprintf("status=%d n=%d issue=%s", st, len(cs), issueStr(gi)))

	// ---------------- milestone edit / delete ----------------
	before := time.Now().Add(-time.Minute)
	m, err = ac.EditMilestone(O, R, m1.ID, gogs.EditMilestoneOption{State: sp("closed")})
	check("EditMilestone state=closed: closed, closed_at real (not 1970), title kept", err == nil && m.State == "closed" && m.Closed != nil && m.Closed.After(before) && m.Title == "v1",
		fmt.Sprintf("err=%s ms=%s", es(err), msStr(m)))
	m, err = ic.EditMilestone(O, R, m1.ID, gogs.EditMilestoneOption{Description: sp("d2")})
	check("EditMilestone by writer: description; state absent = unchanged; due_on kept", err == nil && m.Description == "d2" && m.Title == "v1" && m.State == "closed" &&
		m.Deadline != nil && m.Deadline.Equal(due), fmt.Sprintf("err=%s ms=%s", es(err), msStr(m)))
	due2 := due.Add(48 * time.Hour)
	m, err = ac.EditMilestone(O, R, m1.ID, gogs.EditMilestoneOption{Title: "v1.0", State: sp("open"), Deadline: &due2})
	check("EditMilestone reopen + title + due_on: closed_at null again", err == nil && m.State == "open" && m.Title == "v1.0" && m.Closed == nil &&
		m.Deadline != nil && m.Deadline.Equal(due2), fmt.Sprintf("err=%s ms=%s", es(err), msStr(m)))
	_, err = rc.EditMilestone(O, R, m1.ID, gogs.EditMilestoneOption{Title: "hijack"})
	check("EditMilestone by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = ac.EditMilestone(O, R, 999999, gogs.EditMilestoneOption{Title: "x"})
	check("EditMilestone(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = rc.DeleteMilestone(O, R, m1.ID)
	check("DeleteMilestone by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = ac.DeleteMilestone(O, R, m1.ID)
	gi, _ = ac.GetIssue(O, R, 3)
	check("DeleteMilestone: issue 3 loses its milestone", err == nil && gi != nil && gi.Milestone == nil, fmt.Sprintf("err=%s issue=%s", es(err), issueStr(gi)))
	_, err = ac.GetMilestone(O, R, m1.ID)
	check("GetMilestone(deleted) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	err = ac.DeleteMilestone(O, R, 999999)
	check("DeleteMilestone(missing) -> no error (204)", err == nil, "err="+es(err))
	ms, _ = ac.ListRepoMilestones(O, R)
	check("ListRepoMilestones after delete = [m2]", len(ms) == 1 && ms[0].ID == m2.ID && ms[0].OpenIssues == 1, fmt.Sprintf("n=%d", len(ms)))

	// issues disabled -> issue routes 404, labels stay
	st, _ = api(aliceTok, "PATCH", "/repos/alice/go-issues-priv/issue-tracker", `{"enable_issues":false}`)
	_, err = ac.ListRepoIssues(O, "go-issues-priv", gogs.ListIssueOption{Page: 1})
	_, err2 := ac.ListRepoLabels(O, "go-issues-priv")
	check("issues disabled: ListRepoIssues 404, ListRepoLabels still 200", st == 204 && err != nil && err.Error() == "404 Not Found" && err2 == nil,
		fmt.Sprintf("patch=%d err=%s err2=%s", st, es(err), es(err2)))

	// pagination (10 a page, newest first, Link header) and /user/issues (assigned to the caller)
	for n := 0; n < 8; n++ {
		_, _ = ac.CreateIssue(O, R, gogs.CreateIssueOption{Title: fmt.Sprintf("filler %d", n)})
	}
	is, err = rc.ListRepoIssues(O, R, gogs.ListIssueOption{Page: 1})
	link := ""
	req, _ := http.NewRequest("GET", base+"/api/v1"+P+"/issues?page=1", nil)
	req.Header.Set("Authorization", "token "+aliceTok)
	if resp, e := http.DefaultClient.Do(req); e == nil {
		link = resp.Header.Get("Link")
		resp.Body.Close()
	}
	check("ListRepoIssues page 1: 10 issues, newest first (1, 2, 4 and 8 fillers open), Link rel=\"next\"", err == nil && len(is) == 10 && is[0].Index == 12 && strings.Contains(link, `rel="next"`),
		fmt.Sprintf("err=%s numbers=%s link=%q", es(err), issueNumbers(is), link))
	is, err = rc.ListRepoIssues(O, R, gogs.ListIssueOption{Page: 2})
	check("ListRepoIssues page 2: the oldest open issue", err == nil && issueNumbers(is) == "1", fmt.Sprintf("err=%s numbers=%s", es(err), issueNumbers(is)))
	st, body = api(rexTok, "GET", "/user/issues", "")
	isj = nil
	_ = json.Unmarshal([]byte(body), &isj)
	check("GET /user/issues as rex: issues assigned to him (alice/go-issues #1)", st == 200 && issueNumbers(isj) == "1", fmt.Sprintf("status=%d body=%.300s", st, body))

	// ---------------- webhooks ----------------
	h1, err := ac.CreateRepoHook(O, R, gogs.CreateHookOption{Type: "gogs", Config: map[string]string{"url": "http://example.com/h1", "content_type": "json", "secret": "s3cret"}})
	if h1 == nil {
		h1 = &gogs.Hook{}
	}
	j = lastJSON()
	check("CreateRepoHook defaults: 201, active false, events [push], config url+content_type, secret not echoed",
		err == nil && lastEx().status == 201 && h1.ID > 0 && h1.Type == "gogs" && !h1.Active && strings.Join(h1.Events, ",") == "push" &&
			h1.Config["url"] == "http://example.com/h1" && h1.Config["content_type"] == "json" && h1.Config["secret"] == "" &&
			!strings.Contains(lastEx().respBody, "s3cret") && j["created_at"] != nil && j["updated_at"] != nil,
		fmt.Sprintf("err=%s hook=%s", es(err), hookStr(h1)))
	h2, err := ac.CreateRepoHook(O, R, gogs.CreateHookOption{Type: "gogs", Config: map[string]string{"url": "http://example.com/h2", "content_type": "form"},
		Events: []string{"release", "issues", "bogus", "push", "create"}, Active: true})
	if h2 == nil {
		h2 = &gogs.Hook{}
	}
	check("CreateRepoHook events canonical order, unknown dropped, active true", err == nil && strings.Join(h2.Events, ",") == "create,push,issues,release" && h2.Active &&
		h2.Config["content_type"] == "form", fmt.Sprintf("err=%s hook=%s", es(err), hookStr(h2)))
	h3, err := ac.CreateRepoHook(O, R, gogs.CreateHookOption{Type: "slack", Config: map[string]string{"url": "http://example.com/slack", "content_type": "json",
		"channel": "#dev", "username": "bot"}})
	if h3 == nil {
		h3 = &gogs.Hook{}
	}
	check("CreateRepoHook slack: config has channel/username/icon_url/color", err == nil && h3.Type == "slack" && h3.Config["channel"] == "#dev" && h3.Config["username"] == "bot" &&
		strings.Contains(lastEx().respBody, `"icon_url"`) && strings.Contains(lastEx().respBody, `"color"`), fmt.Sprintf("err=%s hook=%s body=%s", es(err), hookStr(h3), lastEx().respBody))
	_, err = ac.CreateRepoHook(O, R, gogs.CreateHookOption{Type: "bogus", Config: map[string]string{"url": "http://x", "content_type": "json"}})
	check("CreateRepoHook bad type -> 422 'Invalid hook type.'", err != nil && lastEx().status == 422 && es(err) == "Invalid hook type.", fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	_, err = ac.CreateRepoHook(O, R, gogs.CreateHookOption{Type: "gogs", Config: map[string]string{"url": "http://x"}})
	check("CreateRepoHook missing content_type -> 422 'Missing config option: content_type'", err != nil && lastEx().status == 422 && strings.Contains(es(err), "Missing config option: content_type"),
		fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	_, err = ac.CreateRepoHook(O, R, gogs.CreateHookOption{Type: "gogs", Config: map[string]string{"url": "http://x", "content_type": "xml"}})
	check("CreateRepoHook bad content_type -> 422 'Invalid content type.'", err != nil && lastEx().status == 422 && es(err) == "Invalid content type.",
		fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	_, err = ac.CreateRepoHook(O, R, gogs.CreateHookOption{Type: "slack", Config: map[string]string{"url": "http://x", "content_type": "json"}})
	check("CreateRepoHook slack without channel -> 422", err != nil && lastEx().status == 422, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	err = safe(func() error { _, e := ac.CreateRepoHook(O, R, gogs.CreateHookOption{Type: "gogs"}); return e })
	check("CreateRepoHook without config -> 422", err != nil && lastEx().status == 422, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	_, err = ic.CreateRepoHook(O, R, gogs.CreateHookOption{Type: "gogs", Config: map[string]string{"url": "http://x", "content_type": "json"}})
	check("CreateRepoHook by writer -> '403 Forbidden' (repo admin needed)", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = ic.ListRepoHooks(O, R)
	check("ListRepoHooks by writer -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = rc.ListRepoHooks(O, R)
	check("ListRepoHooks by reader -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	_, err = rc.ListRepoHooks(O, "go-issues-priv")
	check("ListRepoHooks private repo as stranger -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))

	hs, err := ac.ListRepoHooks(O, R)
	check("ListRepoHooks: 3 hooks, no secret anywhere", err == nil && len(hs) == 3 && findHook(hs, h1.ID) != nil && !strings.Contains(lastEx().respBody, "s3cret"),
		fmt.Sprintf("err=%s n=%d", es(err), len(hs)))

	err = ac.EditRepoHook(O, R, h2.ID, gogs.EditHookOption{Active: bp(false)})
	check("EditRepoHook active=false -> 200", err == nil && lastEx().status == 200, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	hs, _ = ac.ListRepoHooks(O, R)
	h := findHook(hs, h2.ID)
	check("EditRepoHook without events resets to [push]; config kept", h != nil && !h.Active && strings.Join(h.Events, ",") == "push" &&
		h.Config["url"] == "http://example.com/h2" && h.Config["content_type"] == "form", hookStr(h))
	err = ac.EditRepoHook(O, R, h1.ID, gogs.EditHookOption{Config: map[string]string{"url": "http://example.com/h1b"}, Events: []string{"issue_comment", "create"}, Active: bp(true)})
	hs, _ = ac.ListRepoHooks(O, R)
	h = findHook(hs, h1.ID)
	check("EditRepoHook url + events + active: content_type kept, events canonical", err == nil && h != nil && h.Active && h.Config["url"] == "http://example.com/h1b" &&
		h.Config["content_type"] == "json" && strings.Join(h.Events, ",") == "create,issue_comment", fmt.Sprintf("err=%s hook=%s", es(err), hookStr(h)))
	err = ac.EditRepoHook(O, R, h3.ID, gogs.EditHookOption{Config: map[string]string{"channel": "#ops"}, Events: []string{"push"}})
	hs, _ = ac.ListRepoHooks(O, R)
	h = findHook(hs, h3.ID)
	check("EditRepoHook slack with channel only: channel set, username rebuilt as \"\", url kept", err == nil && h != nil && h.Config["channel"] == "#ops" &&
		h.Config["username"] == "" && h.Config["url"] == "http://example.com/slack", fmt.Sprintf("err=%s hook=%s", es(err), hookStr(h)))
	err = ac.EditRepoHook(O, R, h1.ID, gogs.EditHookOption{Config: map[string]string{"content_type": "xml"}})
	check("EditRepoHook bad content_type -> 422", err != nil && lastEx().status == 422, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	err = ac.EditRepoHook(O, R, 999999, gogs.EditHookOption{Active: bp(true)})
	check("EditRepoHook(missing) -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
	ph, _ := ac.CreateRepoHook(O, "go-issues-priv", gogs.CreateHookOption{Type: "gogs", Config: map[string]string{"url": "http://x", "content_type": "json"}})
	if ph != nil {
		err = ac.EditRepoHook(O, R, ph.ID, gogs.EditHookOption{Active: bp(true)})
		check("EditRepoHook with another repository's hook id -> '404 Not Found'", err != nil && err.Error() == "404 Not Found", "err="+es(err))
		err = ac.DeleteRepoHook(O, R, ph.ID)
		hs, _ = ac.ListRepoHooks(O, "go-issues-priv")
		check("DeleteRepoHook with another repository's hook id leaves it alone", len(hs) == 1, fmt.Sprintf("err=%s n=%d", es(err), len(hs)))
	}
	err = ic.EditRepoHook(O, R, h1.ID, gogs.EditHookOption{Active: bp(false)})
	check("EditRepoHook by writer -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))
	err = ic.DeleteRepoHook(O, R, h1.ID)
	check("DeleteRepoHook by writer -> '403 Forbidden'", err != nil && err.Error() == "403 Forbidden", "err="+es(err))

	// delivery of an issues event to a local receiver (this server allows loopback targets)
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := ioutil.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Header.Get("X-Gogs-Event")+" "+string(b))
		mu.Unlock()
		w.WriteHeader(200)
	}))
	hd, err := ac.CreateRepoHook(O, R, gogs.CreateHookOption{Type: "gogs", Config: map[string]string{"url": srv.URL + "/hook", "content_type": "json"},
		Events: []string{"issues", "issue_comment"}, Active: true})
	check("CreateRepoHook (issues, issue_comment) to a local receiver", err == nil && hd != nil, "err="+es(err))
	i5, _ := ac.CreateIssue(O, R, gogs.CreateIssueOption{Title: "hooked"})
	var events []string
	for t := 0; t < 100; t++ {
		mu.Lock()
		events = append([]string(nil), got...)
		mu.Unlock()
		if len(events) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	ok := false
	for _, e := range events {
		var pl struct {
			Action string `json:"action"`
			Number int64  `json:"number"`
		}
		if strings.HasPrefix(e, "issues ") && json.Unmarshal([]byte(strings.TrimPrefix(e, "issues ")), &pl) == nil && i5 != nil &&
			pl.Action == "opened" && pl.Number == i5.Index {
			ok = true
		}
	}
	sort.Strings(events)
	check("issue creation delivers an 'issues' event with action opened", ok, fmt.Sprintf("received=%q", events))
	srv.Close()

	err = ac.DeleteRepoHook(O, R, h1.ID)
	hs, _ = ac.ListRepoHooks(O, R)
	check("DeleteRepoHook -> gone from list", err == nil && findHook(hs, h1.ID) == nil && len(hs) == 3, fmt.Sprintf("err=%s n=%d", es(err), len(hs)))
	err = ac.DeleteRepoHook(O, R, 999999)
	check("DeleteRepoHook(missing) -> no error (204)", err == nil && lastEx().status == 204, fmt.Sprintf("err=%s status=%d", es(err), lastEx().status))
	last = nil
}
