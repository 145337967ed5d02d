package collect

// Resuming an interrupted collection.
//
// Snapshot writes through a journaled snapshot.Writer: every invocation
// (call, account, region, parent key) is one unit. Its rows go to the
// snapshot writer and to the journal as its pages arrive; when the
// invocation has ended (pages or an error row) the unit is committed -
// rows fsynced, then its journal line - before it counts as done (the
// call_finished event comes after). The line's note lists the child
// invocations the unit's pages asked for (per-parent calls: key and
// region), so parent keys never have to be asked for again.
//
// Resume reopens the journal and runs the same plan. Each job whose unit is
// in the journal is reused instead of sent: its rows are written again from
// the journal, its children are queued from the note, and the planning
// hooks (caller identity, enabled regions) see its pages decoded from the
// journaled responses. So the run reaches exactly the units an
// uninterrupted run would, and the writer, being deterministic, writes the
// same bytes. One request is repeated on purpose: sts GetCallerIdentity,
// to check that the credentials still reach the account the journal was
// collected from (its row is still the journaled one).
//
// A journal collected with other settings (role, requested regions, call
// registry, build, redaction key) is refused before anything is sent, and
// another account right after the identity check: mixing them would give a
// snapshot no single run could have produced.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/snapaudit/snapaudit/snapshot"
)

// WithRoleARN records the role the credentials assumed (--role-arn) in the
// collection's settings, so a resume with another role is refused.
func WithRoleARN(arn string) Option { return func(o *options) { o.roleARN = arn } }

// Resume finishes the interrupted collection in dir (see Snapshot): the
// calls its journal records as done are not sent again. It refuses a
// directory collected with other settings with a *SettingsError, leaving
// it as it was.
func Resume(ctx context.Context, dir string, cfg aws.Config, wopts []snapshot.WriterOption, opts ...Option) (*snapshot.Manifest, Summary, error) {
	c := New(cfg, opts...)
	w, err := snapshot.Resume(dir, wopts...)
	if err != nil {
		return nil, Summary{}, fmt.Errorf("collect: %w", err)
	}
	info := w.Journal().Info()
	var then resumeSettings
	if err := json.Unmarshal(info.Settings, &then); err != nil {
		err = fmt.Errorf("collect: %s: journal settings: %w", dir, err)
		return nil, Summary{}, errors.Join(err, w.Suspend())
	}
	now := c.settings()
	if diffs := then.diff(now); len(diffs) > 0 {
		return nil, Summary{}, errors.Join(&SettingsError{Dir: dir, Diffs: diffs}, w.Suspend())
	}
	if then.Redaction == redactionRandom {
		c.opts.redactionKey = info.Secret
	}
	return c.commit(ctx, dir, w)
}

// SettingsError says why an interrupted collection cannot be resumed with
// the settings given now.
type SettingsError struct {
	Dir   string
	Diffs []SettingDiff
}

// SettingDiff is one setting that differs: as journaled, and as given now.
type SettingDiff struct{ Name, Then, Now string }

func (e *SettingsError) Error() string {
	var parts []string
	for _, d := range e.Diffs {
		parts = append(parts, fmt.Sprintf("%s: %s then, %s now", d.Name, d.Then, d.Now))
	}
	return fmt.Sprintf("%s was collected with other settings (%s)", e.Dir, strings.Join(parts, "; "))
}

// resumeSettings are the settings a resume must share with the run it
// finishes. The account is checked separately (it needs a request).
type resumeSettings struct {
	RoleARN   string   `json:"role_arn"`
	Regions   []string `json:"regions"`
	Registry  string   `json:"registry"`
	Build     string   `json:"build"`
	Redaction string   `json:"redaction"`
}

const redactionRandom = "random"

// settings are this collector's settings. Without a redaction key it is to
// draw a random one (or reuse the journaled one).
func (c *Collector) settings() resumeSettings {
	s := resumeSettings{RoleARN: c.opts.roleARN, Regions: sortedSet(c.opts.regions), Registry: registryVersion(c.calls),
		Build: buildVersion(c.opts.toolVersion), Redaction: redactionRandom}
	if len(c.opts.redactionKey) > 0 {
		// A check value, not the key: it tells keys apart without
		// revealing them.
		m := hmac.New(sha256.New, c.opts.redactionKey)
		m.Write([]byte("snapaudit resume journal: redaction key check"))
		s.Redaction = "key " + hex.EncodeToString(m.Sum(nil))[:16]
	}
	return s
}

func (s resumeSettings) diff(now resumeSettings) []SettingDiff {
	var out []SettingDiff
	add := func(name, then, now string) {
		if then != now {
			out = append(out, SettingDiff{Name: name, Then: then, Now: now})
		}
	}
	add("role", orText(s.RoleARN, "no --role-arn"), orText(now.RoleARN, "no --role-arn"))
	add("regions", orText(strings.Join(s.Regions, ","), "every enabled region"),
		orText(strings.Join(now.Regions, ","), "every enabled region"))
	add("call registry version", s.Registry, now.Registry)
	add("snapaudit build", s.Build, now.Build)
	add("redaction key", redactionText(s.Redaction), redactionText(now.Redaction))
	return out
}

func redactionText(s string) string {
	if s == redactionRandom {
		return "a random key"
	}
	return "a given key (check " + strings.TrimPrefix(s, "key ") + ")"
}

func orText(s, empty string) string {
	if s == "" {
		return empty
	}
	return s
}

func sortedSet(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// registryVersion fingerprints what the registry declares (names, scopes,
// parents, probes, redaction paths and SDK types): rows of two registries
// that differ here must not be mixed.
func registryVersion(calls []Call) string {
	h := sha256.New()
	for _, c := range calls {
		fmt.Fprintf(h, "%s|%s|%s|%t|%s|%v|%v|%v|%q\n", c.Name(), c.Scope, c.Parent, c.Probe, strings.Join(c.Redact, ","),
			c.Run.in, c.Run.out, c.Keys.parent, c.Why)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// buildVersion names the binary: tool version, revision and SDK modules.
func buildVersion(toolVersion string) string {
	tool, mods := snapshot.BuildInfo()
	if toolVersion != "" && (tool.Version == "" || tool.Version == "(devel)") {
		tool.Version = toolVersion
	}
	h := sha256.New()
	for _, m := range mods {
		fmt.Fprintf(h, "%s@%s\n", m.Path, m.Version)
	}
	return fmt.Sprintf("%s %s %s (SDK %s)", orText(tool.Version, "(unknown)"), orText(tool.Revision, "(no revision)"),
		tool.GoVersion, hex.EncodeToString(h.Sum(nil))[:12])
}

// journalInfo starts a new collection's journal: the settings and, without
// a given redaction key, a random one kept in the journal until commit.
func (c *Collector) journalInfo() (snapshot.JournalInfo, error) {
	info := snapshot.JournalInfo{StartedAt: c.now()}
	raw, err := json.Marshal(c.settings())
	if err != nil {
		return info, err
	}
	info.Settings = raw
	if len(c.opts.redactionKey) == 0 {
		info.Secret = make([]byte, 32)
		rand.Read(info.Secret) // never fails
		c.opts.redactionKey = info.Secret
	}
	return info, nil
}

// runJournal is the journal of one Run.
type runJournal struct {
	j    *snapshot.Journal
	mu   sync.Mutex
	done map[unitAt][]snapshot.JournalUnit // not reused yet
}

// unitAt tells apart the invocations of a recursive call with the same
// key at different depths (an OU tree that loops): their units commit in
// no particular order (a child's may come before its parent's), so a
// resume matches them by depth, not by their order in the journal.
type unitAt struct {
	id    snapshot.UnitID
	depth int
}

// unitNote is the collector's note on a journaled unit.
type unitNote struct {
	Children []childJob `json:"children,omitempty"`
	Depth    int        `json:"depth,omitempty"` // the unit's own (Call.Recurse)
}

// childJob is a child invocation a unit's pages asked for.
type childJob struct {
	Call      string `json:"call"`
	Key       string `json:"key"`
	Region    string `json:"region"`
	RowRegion string `json:"row_region"`
	Depth     int    `json:"depth,omitempty"`
}

// unitRec records one live unit.
type unitRec struct {
	id   snapshot.UnitID
	w    *snapshot.UnitWriter
	note unitNote
	err  error
}

type unitKey struct{}

// attachJournal makes the run journal its units when w keeps a journal,
// and reuse those the journal already has.
func (r *run) attachJournal(w RowWriter) {
	jw, ok := w.(interface{ Journal() *snapshot.Journal })
	if !ok || jw.Journal() == nil {
		return
	}
	j := jw.Journal()
	rj := &runJournal{j: j, done: map[unitAt][]snapshot.JournalUnit{}}
	for _, u := range j.Units() {
		at := unitAt{id: u.ID}
		if bytes.Contains(u.Note, []byte(`"depth"`)) {
			var note unitNote
			if json.Unmarshal(u.Note, &note) == nil { // a bad note fails in reuse, which decodes it again
				at.depth = note.Depth
			}
		}
		rj.done[at] = append(rj.done[at], u)
	}
	r.journal = rj
	r.summary.StartedAt = j.Info().StartedAt.UTC()
}

func (r *run) unitID(j job) snapshot.UnitID {
	return snapshot.UnitID{Service: j.call.Service, Operation: j.call.Operation, AccountID: r.account,
		Region: j.rowRegion, ParentKey: j.key}
}

// beginUnit starts journaling the invocation j; the returned context
// carries it to write and pushChild.
func (r *run) beginUnit(ctx context.Context, j job) (context.Context, *unitRec) {
	if r.journal == nil {
		return ctx, nil
	}
	u := &unitRec{id: r.unitID(j), w: r.journal.j.Begin(), note: unitNote{Depth: j.depth}}
	return context.WithValue(ctx, unitKey{}, u), u
}

// commitUnit makes a finished unit durable.
func (r *run) commitUnit(u *unitRec) error {
	if u == nil {
		return nil
	}
	if u.err != nil {
		return u.err
	}
	note, err := json.Marshal(u.note)
	if err == nil {
		err = u.w.Commit(u.id, note)
	}
	if err != nil {
		return fmt.Errorf("%s:%s %s/%s %s: %w", u.id.Service, u.id.Operation, u.id.AccountID, u.id.Region, u.id.ParentKey, err)
	}
	return nil
}

// journalRow adds a row of the live unit in ctx to the journal.
func journalRow(ctx context.Context, row snapshot.Row) {
	if u, ok := ctx.Value(unitKey{}).(*unitRec); ok && u.err == nil {
		u.err = u.w.Add(row)
	}
}

// pushChild queues a child invocation and notes it in the live unit.
func (r *run) pushChild(ctx context.Context, cj job) {
	if u, ok := ctx.Value(unitKey{}).(*unitRec); ok {
		u.note.Children = append(u.note.Children, childJob{Call: cj.call.Name(), Key: cj.key, Region: cj.region, RowRegion: cj.rowRegion, Depth: cj.depth})
	}
	r.q.push(cj)
}

// take removes a journaled unit for at, if there is one.
func (rj *runJournal) take(at unitAt) (snapshot.JournalUnit, bool) {
	rj.mu.Lock()
	defer rj.mu.Unlock()
	us := rj.done[at]
	if len(us) == 0 {
		return snapshot.JournalUnit{}, false
	}
	rj.done[at] = us[1:]
	return us[0], true
}

// reuse stands in for invoking j when the journal has its unit: the rows
// are written again, the children queued, the hook fed. ok is false when
// j must be invoked.
func (r *run) reuse(ctx context.Context, j job, hook func(any)) (res result, ok bool) {
	if r.journal == nil {
		return result{}, false
	}
	u, ok := r.journal.take(unitAt{id: r.unitID(j), depth: j.depth})
	if !ok {
		return result{}, false
	}
	call := j.call
	where := fmt.Sprintf("%s %s/%s", call.Name(), r.account, j.rowRegion)
	var note unitNote
	if err := json.Unmarshal(u.Note, &note); err != nil {
		return result{fatal: fmt.Errorf("%s: journal note: %w", where, err)}, true
	}
	var children []job
	for _, ch := range note.Children {
		cc, found := r.byName[ch.Call]
		if !found {
			return result{fatal: fmt.Errorf("%s: journal names unknown call %s", where, ch.Call)}, true
		}
		children = append(children, job{call: cc, region: ch.Region, rowRegion: ch.RowRegion, key: ch.Key, depth: ch.Depth})
	}
	if len(children) > 0 && r.q == nil {
		return result{fatal: fmt.Errorf("%s: journal lists child calls of a planning call", where)}, true
	}
	if hook != nil {
		// Planning calls: their pages, decoded from the journaled
		// responses, tell the account and the regions.
		err := r.journal.j.ReadUnit(u, func(row snapshot.Row) error {
			if row.Status != snapshot.StatusOK {
				return nil
			}
			out := reflect.New(call.Run.out).Interface()
			if err := json.Unmarshal([]byte(row.Response), out); err != nil {
				return err
			}
			hook(out)
			return nil
		})
		if err != nil {
			return result{fatal: fmt.Errorf("%s: journaled response: %w", where, err)}, true
		}
	}
	if call.Name() == callerIdentityCall && r.account != "" {
		if err := r.sameAccount(ctx); err != nil {
			return result{fatal: err}, true
		}
	}
	rows := 0
	err := r.journal.j.ReadUnit(u, func(row snapshot.Row) error {
		if row.Status == snapshot.StatusOK {
			res.pages++
		} else {
			res.class, res.code, res.msg = row.ErrorClass, row.ErrorCode, row.ErrorMessage
		}
		rows++
		return r.write(ctx, row)
	})
	if err != nil {
		return result{fatal: fmt.Errorf("%s: reuse journaled rows: %w", where, err)}, true
	}
	for _, cj := range children {
		r.q.push(cj)
	}
	r.statMu.Lock()
	r.summary.Calls++
	r.summary.Reused++
	if res.class != snapshot.ClassNone {
		r.summary.Errors[res.class]++
	}
	r.statMu.Unlock()
	r.c.emit(r, Event{Kind: EventCallReused, Account: r.account, Region: j.rowRegion, Service: call.Service,
		Operation: call.Operation, ParentKey: j.key, Pages: res.pages, Rows: rows,
		ErrorClass: res.class, ErrorCode: res.code, Message: res.msg})
	return res, true
}

// sameAccount asks sts GetCallerIdentity (the one repeated request of a
// resume) whether the credentials reach the journal's account.
func (r *run) sameAccount(ctx context.Context) error {
	call := r.byName[callerIdentityCall]
	client, err := r.clients.get(call.Service, GlobalRegion)
	if err != nil {
		return fmt.Errorf("%s: %w", callerIdentityCall, err)
	}
	var account string
	err = call.Run.run(ctx, client, call.Run.newInput(""), func(out any) error {
		if o, ok := out.(*sts.GetCallerIdentityOutput); ok {
			account = aws.ToString(o.Account)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s %s: cannot check which account the credentials reach before resuming: %w",
			callerIdentityCall, GlobalRegion, err)
	}
	if account != r.account {
		return &SettingsError{Diffs: []SettingDiff{{Name: "account", Then: r.account, Now: account}}}
	}
	return nil
}
