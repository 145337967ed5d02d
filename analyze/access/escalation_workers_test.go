package access

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"testing"
)

// The analysis on one worker and on four gives the same result, byte for
// byte: the fixture of every technique, principals sharing a class, and a
// small synthetic organisation (classes, target sets, paths of several
// steps).
func TestEscalationWorkers(t *testing.T) {
	fixtures := map[string]func(t *testing.T) *Query{}
	for _, tech := range techniques {
		fixtures[tech.ID] = func(t *testing.T) *Query {
			w, _ := escalationWorld(t, tech, false)
			return newTestQuery(t, w)
		}
	}
	fixtures["classes"] = func(t *testing.T) *Query {
		w := newWorld(t)
		keys := doc(`{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:PassRole","lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}`)
		own := doc(`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/${aws:username}"}`)
		w.policy("Keys", keys, w.user("ann"), w.user("ben"), w.role("ops", "", ""), w.role("dev", "", ""))
		w.policy("OwnKeys", own, w.user("cat"), w.user("dan"))
		return newTestQuery(t, w)
	}
	synthetic := synthQuery(t, 3000)
	fixtures["synthetic"] = func(*testing.T) *Query { return synthetic() }
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for name, query := range fixtures {
		t.Run(name, func(t *testing.T) {
			var out [2][]byte
			for i, workers := range []int{1, 4} {
				runtime.GOMAXPROCS(workers)
				res, err := query(t).Escalation(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Edges) == 0 {
					t.Fatalf("%d workers: no edge: the fixture tests nothing", workers)
				}
				if out[i], err = json.Marshal(res); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(out[0], out[1]) {
				t.Errorf("1 worker:\n%s\n4 workers:\n%s", out[0], out[1])
			}
		})
	}
}
