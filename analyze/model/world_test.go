package model

// The in-memory row source of the tests, and the names of the test
// account's resources. The account itself ("the world") is data:
// testdata/calls/, loaded by world (fixture_test.go).

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/snapaudit/snapaudit/snapshot"
)

const (
	acct   = "111122223333"
	region = "eu-west-1"
)

// memSource is an in-memory Source: rows per call, in insertion order.
type memSource struct {
	rows map[Call][]snapshot.Row
}

func (m *memSource) Rows(ctx context.Context, service, operation string, fn func(snapshot.Row) error) error {
	for _, r := range m.rows[Call{service, operation}] {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (m *memSource) add(r snapshot.Row) {
	if m.rows == nil {
		m.rows = map[Call][]snapshot.Row{}
	}
	c := Call{r.Service, r.Operation}
	m.rows[c] = append(m.rows[c], r)
}

// ok adds an ok row with v marshalled as the collector does.
func (m *memSource) ok(t testing.TB, c Call, account, reg, parent string, v any) {
	t.Helper()
	m.add(snapshot.Row{
		AccountID: account, Region: reg, Service: c.Service, Operation: c.Operation, ParentKey: parent,
		Params: "{}", Status: snapshot.StatusOK, Response: sdkJSON(t, v),
	})
}

// fail adds an error row.
func (m *memSource) fail(c Call, account, reg, parent string, class snapshot.ErrorClass, code string) {
	m.add(snapshot.Row{
		AccountID: account, Region: reg, Service: c.Service, Operation: c.Operation, ParentKey: parent,
		Params: "{}", Status: snapshot.StatusError, ErrorClass: class, ErrorCode: code,
	})
}

// sdkJSON marshals an SDK output struct and drops ResultMetadata.
func sdkJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err == nil {
		delete(m, "ResultMetadata")
		if b, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
	}
	return string(b)
}

var (
	t0        = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	trustEC2  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	readS3    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::logs-111122223333/*"}]}`
	readS3v1  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	denyAll   = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	publicPol = `{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::public-site/*"}]}`
	lambdaPol = `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:eu-west-1:111122223333:function:api-handler"}]}`
)

const (
	aliceArn   = "arn:aws:iam::111122223333:user/alice"
	bobArn     = "arn:aws:iam::111122223333:user/bob"
	devsArn    = "arn:aws:iam::111122223333:group/devs"
	appRoleArn = "arn:aws:iam::111122223333:role/app-role"
	lamRoleArn = "arn:aws:iam::111122223333:role/lambda-exec"
	customPol  = "arn:aws:iam::111122223333:policy/read-logs"
	readOnly   = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	profileArn = "arn:aws:iam::111122223333:instance-profile/app-profile"
	fnArn      = "arn:aws:lambda:eu-west-1:111122223333:function:api-handler"
)

// calls returns the calls of a source, sorted (for the coverage test).
func (m *memSource) calls() []Call {
	var out []Call
	for c := range m.rows {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
