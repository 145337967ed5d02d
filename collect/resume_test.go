package collect

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// unitOf names the invocation an event reports.
func unitOf(e Event) snapshot.UnitID {
	return snapshot.UnitID{Service: e.Service, Operation: e.Operation, Region: e.Region, ParentKey: e.ParentKey}
}

// requestOf tells whether a fake-endpoint request belongs to unit u: same
// operation, sent to u's region (us-east-1 for global calls), carrying u's
// parent key as a parameter.
func requestOf(r fakeaws.Request, u snapshot.UnitID) bool {
	region := u.Region
	if region == RowGlobal {
		region = GlobalRegion
	}
	if r.Service != u.Service || r.Operation != u.Operation || r.Region != region {
		return false
	}
	if u.ParentKey == "" {
		return true
	}
	for _, v := range r.Params {
		if v == u.ParentKey {
			return true
		}
	}
	return false
}

// allFiles reads every file of a snapshot directory, keyed by slash path.
func allFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// interrupted collects the basic world into dir and cancels the run (as
// Ctrl-C does) once n calls have completed. It returns the completed units.
func interrupted(t *testing.T, dir string, n int, setup func(*fakeaws.Server), opts ...Option) map[snapshot.UnitID]bool {
	t.Helper()
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	if setup != nil {
		setup(srv)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := map[snapshot.UnitID]bool{}
	_, _, err := Snapshot(ctx, dir, fakeConfig(t, srv, nil), nil, testOpts(append(opts, withCommitSlots(1), WithEvents(func(e Event) {
		if e.Kind == EventCallFinished && len(done) < n {
			done[unitOf(e)] = true
			if len(done) == n {
				cancel()
			}
		}
	}))...)...)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err = %v, want context.Canceled", err)
	}
	return done
}

// TestResume interrupts a collection after n completed calls, resumes it
// against a fresh endpoint serving the same world, and checks that no
// completed call is sent again, that the other calls are, and that the
// snapshot is byte-for-byte the one an uninterrupted run writes.
func TestResume(t *testing.T) {
	want := filepath.Join(t.TempDir(), "want")
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	_, wantSum, err := Snapshot(t.Context(), want, fakeConfig(t, srv, nil), nil, testOpts()...)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := allFiles(t, want)
	calls := wantSum.Calls
	skipEU := func(s *fakeaws.Server) {
		s.Fail(fakeaws.Fault{Service: "ec2", Operation: "DescribeVpcs", Region: "eu-west-1", Code: "AuthFailure", Status: 401, Times: -1})
	}

	tests := []struct {
		name  string
		n     int                                // completed calls before the interruption
		setup func(*fakeaws.Server)              // faults, on both runs
		crash func(t *testing.T, dir string) int // damages the journal; returns how many units it lost
		opts  []Option                           // of the interrupted run
		again int                                // the first resume is interrupted after this many more calls
	}{
		{name: "after the caller identity", n: 1},
		{name: "during planning and fan-out", n: calls / 4},
		{name: "near the end", n: calls - 6}, // at most 3 more finish while the cancel spreads
		{name: "a region skipped by its probe", n: calls / 3, setup: skipEU},
		{name: "the resume interrupted too", n: calls / 5, again: calls / 3},
		{name: "a journal line whose rows never became durable", n: calls / 2,
			opts: []Option{WithConcurrency(1)},
			crash: func(t *testing.T, dir string) int {
				// A crash between the two writes of a unit, as if the
				// rows' fsync had been lost: the rows file is cut short
				// (2, 4, 8 ... bytes: past the rows of invocations still
				// being sent when the run stopped, which no line names)
				// until a unit whose line is there lost a row record.
				before := journaledUnits(t, dir)
				rows := filepath.Join(dir, ".tmp", "journal", "rows.bin")
				st, err := os.Stat(rows)
				if err != nil {
					t.Fatal(err)
				}
				for cut := int64(2); cut < st.Size(); cut *= 2 {
					if err := os.Truncate(rows, st.Size()-cut); err != nil {
						t.Fatal(err)
					}
					if lost := before - journaledUnits(t, dir); lost > 0 {
						return lost
					}
				}
				return 0
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFiles := wantFiles
			if tt.setup != nil {
				d := filepath.Join(t.TempDir(), "want")
				s := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
				tt.setup(s)
				if _, _, err := Snapshot(t.Context(), d, fakeConfig(t, s, nil), nil, testOpts()...); err != nil {
					t.Fatal(err)
				}
				wantFiles = allFiles(t, d)
			}
			dir := filepath.Join(t.TempDir(), "snap")
			done := interrupted(t, dir, tt.n, tt.setup, tt.opts...)
			lost := 0
			if tt.crash != nil {
				lost = tt.crash(t, dir)
				if lost == 0 {
					t.Fatal("the simulated crash lost no unit")
				}
			}

			if tt.again > 0 {
				srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
				ctx, cancel := context.WithCancel(t.Context())
				more := 0
				_, _, err := Resume(ctx, dir, fakeConfig(t, srv, nil), nil, testOpts(withCommitSlots(1), WithEvents(func(e Event) {
					if e.Kind == EventCallFinished && more < tt.again {
						done[unitOf(e)] = true
						if more++; more == tt.again {
							cancel()
						}
					}
				}))...)
				cancel()
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("interrupted resume: %v", err)
				}
			}
			srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
			if tt.setup != nil {
				tt.setup(srv)
			}
			var sent []snapshot.UnitID
			reused := 0
			_, sum, err := Resume(t.Context(), dir, fakeConfig(t, srv, nil), nil, testOpts(WithEvents(func(e Event) {
				switch e.Kind {
				case EventCallStarted:
					sent = append(sent, unitOf(e))
				case EventCallReused:
					reused++
				}
			}))...)
			if err != nil {
				t.Fatalf("Resume: %v", err)
			}

			t.Logf("%d calls: %d completed before the interruption (%d lost), resume reused %d and sent %d",
				calls, len(done), lost, reused, len(sent))
			// (a) No completed call is sent again, except the redone ones.
			identityChecks, redone := 0, 0
			for _, r := range srv.Requests() {
				if r.Service == "sts" && r.Operation == "GetCallerIdentity" {
					identityChecks++
					continue
				}
				for u := range done {
					if requestOf(r, u) {
						if tt.crash == nil {
							t.Errorf("request %s:%s %s %v repeats completed call %v", r.Service, r.Operation, r.Region, r.Params, u)
						}
						redone++
						break
					}
				}
			}
			if identityChecks != 1 {
				t.Errorf("%d sts GetCallerIdentity requests, want 1 (the account check)", identityChecks)
			}
			if tt.crash != nil && redone == 0 {
				t.Error("the unit whose rows were lost was not redone")
			}
			if sum.Reused != reused || reused < len(done)-lost || sum.Calls != calls && tt.setup == nil {
				t.Errorf("summary: %d calls, %d reused (events %d); completed before %d, lost %d, uninterrupted %d calls",
					sum.Calls, sum.Reused, reused, len(done), lost, calls)
			}
			if len(sent) == 0 && tt.n < calls {
				t.Error("the resume sent nothing")
			}

			// (b) Byte-for-byte the uninterrupted snapshot, and it verifies.
			got := allFiles(t, dir)
			for name, b := range wantFiles {
				if !bytes.Equal(got[name], b) {
					t.Errorf("%s differs from the uninterrupted run's", name)
				}
			}
			for name := range got {
				if _, ok := wantFiles[name]; !ok {
					t.Errorf("%s is not in the uninterrupted run's snapshot", name)
				}
			}
			if _, err := snapshot.Verify(t.Context(), dir); err != nil {
				t.Errorf("verify: %v", err)
			}
		})
	}
}

// journaledUnits counts the completed units of an interrupted collection.
func journaledUnits(t *testing.T, dir string) int {
	t.Helper()
	var pe *snapshot.PartialError
	if err := snapshot.Leftover(dir); !errors.As(err, &pe) || !pe.Resumable {
		t.Fatalf("Leftover(%s) = %v, want a resumable partial collection", dir, err)
	}
	return pe.Units
}

// TestResumeRefusals: a resume with other settings, or credentials reaching
// another account, is refused with the setting named and the partial
// collection left as it was; a new collection into it says what it is.
func TestResumeRefusals(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		account string // the resume's credentials reach this account
		want    []string
	}{
		{name: "other regions", opts: []Option{WithRegions("us-east-1")},
			want: []string{"regions: every enabled region then, us-east-1 now"}},
		{name: "other role", opts: []Option{WithRoleARN("arn:aws:iam::123456789012:role/audit")},
			want: []string{"role: no --role-arn then, arn:aws:iam::123456789012:role/audit now"}},
		{name: "other redaction key", opts: []Option{WithRedactionKey([]byte("another-key"))},
			want: []string{"redaction key: a given key (check "}},
		{name: "no redaction key", opts: []Option{WithRedactionKey(nil)},
			want: []string{"redaction key: a given key (check ", ") then, a random key now"}},
		{name: "other call registry", opts: []Option{WithCalls(slices.DeleteFunc(Registry(), func(c Call) bool { return c.Service == "rds" }))},
			want: []string{"call registry version: "}},
		{name: "other account", account: "999988887777", want: []string{"account: 123456789012 then, 999988887777 now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "snap")
			interrupted(t, dir, 10, nil)
			before := allFiles(t, dir)
			units := journaledUnits(t, dir)

			w := fakeaws.LoadWorld(t, basicWorld)
			if tt.account != "" {
				w.AccountID = tt.account
			}
			srv := fakeaws.New(t, w)
			_, _, err := Resume(t.Context(), dir, fakeConfig(t, srv, nil), nil, testOpts(tt.opts...)...)
			var se *SettingsError
			if !errors.As(err, &se) {
				t.Fatalf("Resume: %v, want a SettingsError", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) || !strings.Contains(err.Error(), dir+" was collected with other settings") {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if got := journaledUnits(t, dir); got != units {
				t.Errorf("journal has %d units after the refusal, had %d", got, units)
			}
			if tt.account == "" {
				for _, r := range srv.Requests() {
					t.Errorf("refused before anything is sent, yet %s:%s was", r.Service, r.Operation)
				}
				if after := allFiles(t, dir); len(after) != len(before) {
					t.Errorf("refusal changed the directory: %d files, had %d", len(after), len(before))
				}
			}
		})
	}

	t.Run("a new collection into the leftover", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "snap")
		interrupted(t, dir, 7, nil)
		srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
		_, _, err := Snapshot(t.Context(), dir, fakeConfig(t, srv, nil), nil, testOpts()...)
		var pe *snapshot.PartialError
		if !errors.As(err, &pe) || !pe.Resumable || pe.Units < 7 || !pe.StartedAt.Equal(fixedTime) {
			t.Fatalf("Snapshot into an interrupted collection: %v, want a resumable PartialError with 7+ units", err)
		}
		if len(srv.Requests()) != 0 {
			t.Error("requests were sent")
		}
	})
}

// TestResumeAfterKill kills a collecting process with SIGKILL (no
// cancellation, no clean-up: buffers unflushed, files open) after n calls
// have completed, then resumes in this process. The endpoint lives here, so
// it sees both runs.
func TestResumeAfterKill(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("run by the parent test")
	}
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	want := filepath.Join(t.TempDir(), "want")
	if _, _, err := Snapshot(t.Context(), want, fakeConfig(t, srv, nil), nil, testOpts()...); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "snap")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestResumeKillChild$", "-test.count=1")
	// The child is killed before its own clean-up runs: its temporary
	// directories go under this test's, which is removed.
	cmd.Env = append(os.Environ(), killChildEnv+"="+srv.URL()+" "+dir, "TMPDIR="+t.TempDir())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const n = 20
	finished := 0
	sc := bufio.NewScanner(out)
	for finished < n && sc.Scan() {
		if sc.Text() == "finished" {
			finished++
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, out)
	cmd.Wait()
	if finished < n {
		t.Fatalf("the child finished %d calls before it ended, want %d", finished, n)
	}
	units := journaledUnits(t, dir)
	if units < n {
		t.Errorf("%d units journaled, want at least the %d completed", units, n)
	}

	before := len(srv.Requests())
	_, sum, err := Resume(t.Context(), dir, fakeConfig(t, srv, nil), nil, testOpts()...)
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if sum.Reused != units {
		t.Errorf("resume reused %d calls, the journal had %d", sum.Reused, units)
	}
	t.Logf("killed after %d completed calls; %d journaled, resume sent %d requests", finished, units, len(srv.Requests())-before)
	got, wantFiles := allFiles(t, dir), allFiles(t, want)
	if len(got) != len(wantFiles) {
		t.Errorf("%d files, want %d", len(got), len(wantFiles))
	}
	for name, b := range wantFiles {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s differs from the uninterrupted run's", name)
		}
	}
}

const killChildEnv = "SNAPAUDIT_TEST_KILL_CHILD"

// TestResumeKillChild is the process TestResumeAfterKill kills: it
// collects into the directory it is given and prints a line per completed
// call.
func TestResumeKillChild(t *testing.T) {
	env := os.Getenv(killChildEnv)
	if env == "" {
		t.Skip("only run by TestResumeAfterKill")
	}
	url, dir, _ := strings.Cut(env, " ")
	isolateEnv(t)
	cfg, err := LoadConfig(t.Context(), ConfigOptions{Region: "us-east-1", EndpointURL: url, MaxAttempts: 3, NoBackoff: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTESTFAKE", "test-secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	Snapshot(t.Context(), dir, cfg, nil, testOpts(WithEvents(func(e Event) {
		if e.Kind == EventCallFinished {
			fmt.Println("finished")
		}
	}))...)
}

// TestNothingToResume: a run that completes no call (the credentials are
// refused) leaves no directory behind, as before journaling.
func TestNothingToResume(t *testing.T) {
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	srv.Fail(fakeaws.Fault{Service: "sts", Operation: "GetCallerIdentity", Code: "InvalidClientTokenId", Status: 403, Times: -1})
	dir := filepath.Join(t.TempDir(), "snap")
	if _, _, err := Snapshot(t.Context(), dir, fakeConfig(t, srv, nil), nil, testOpts()...); err == nil {
		t.Fatal("collection with refused credentials succeeded")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was left behind: %v", dir, err)
	}
}

// TestResumeRandomRedactionKey: without a given key the run draws one; the
// resume must redact with the same key (kept in the journal until commit),
// so markers still compare across the whole snapshot.
func TestResumeRandomRedactionKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	interrupted(t, dir, 1, nil, WithRedactionKey(nil)) // ListFunctions is still to do
	secret, err := os.ReadFile(filepath.Join(dir, ".tmp", "journal", "secret"))
	if err != nil || len(secret) != 32 {
		t.Fatalf("journaled random key: %d bytes, %v", len(secret), err)
	}
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, basicWorld))
	if _, _, err := Resume(t.Context(), dir, fakeConfig(t, srv, nil), nil, testOpts(WithRedactionKey(nil))...); err != nil {
		t.Fatal(err)
	}
	s, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := redactor{key: secret}.marker(basicSecret)
	found := false
	err = s.Rows(t.Context(), "lambda", "ListFunctions", func(r snapshot.Row) error {
		found = found || strings.Contains(r.Response, want)
		return nil
	})
	if err != nil || !found {
		t.Errorf("no ListFunctions row carries the marker of the journaled key (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the staging area (with the key) outlived the commit: %v", err)
	}
}
