package model

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/snapaudit/snapaudit/snapshot"
)

// openSG is a security group that allows SSH from anywhere, as the
// collector writes it; the malformed cases below are edits of it.
const openSG = `{"GroupId":"sg-open","GroupName":"open","VpcId":"vpc-1","OwnerId":"111122223333",` +
	`"IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":null}]}]}`

// malformedSGs are DescribeSecurityGroups responses that do not match
// ec2.DescribeSecurityGroupsOutput, with what the error must say. Decoded
// leniently, each hides the open security group (a false PASS) or drops
// the page.
var malformedSGs = []struct {
	name, response string
	want           string
}{
	{"CidrIp is a list", `{"SecurityGroups":[` + strings.Replace(openSG, `"CidrIp":"0.0.0.0/0"`, `"CidrIp":["0.0.0.0/0"]`, 1) + `]}`,
		"SecurityGroups[0].IpPermissions[0].IpRanges[0].CidrIp: got list, want string"},
	{"SecurityGroups is an object", `{"SecurityGroups":` + openSG + `}`,
		"SecurityGroups: got object, want list"},
	{"duplicate key", `{"SecurityGroups":[` + openSG + `],"SecurityGroups":[]}`,
		`top level: duplicate key "SecurityGroups" at offset`},
	{"trailing bytes", `{"SecurityGroups":[` + openSG + `]}{"SecurityGroups":[]}`,
		"top level: unexpected data after the JSON value at offset"},
	{"FromPort is a string", `{"SecurityGroups":[` + strings.Replace(openSG, `"FromPort":22`, `"FromPort":"22"`, 1) + `]}`,
		"SecurityGroups[0].IpPermissions[0].FromPort: got string, want integer (int32)"},
	{"response is null", `null`, "top level: got null, want object"},
}

// sgSource is one account with a valid security group page in eu-west-1
// (page 0), the malformed page 1 there, a valid region us-east-1 and a
// volume: the rest of the snapshot that must still be analysed.
func sgSource(t *testing.T, bad string) *memSource {
	t.Helper()
	src := &memSource{}
	for _, r := range []string{region, "us-east-1"} {
		src.ok(t, op("ec2:DescribeSecurityGroups"), acct, r, "", &ec2.DescribeSecurityGroupsOutput{SecurityGroups: []ec2types.SecurityGroup{
			{GroupId: aws.String("sg-ok"), GroupName: aws.String("ok"), VpcId: aws.String("vpc-1")}}})
	}
	src.add(snapshot.Row{AccountID: acct, Region: region, Service: "ec2", Operation: "DescribeSecurityGroups", Page: 1,
		Params: "{}", Status: snapshot.StatusOK, Response: bad})
	src.ok(t, op("ec2:DescribeVolumes"), acct, region, "", &ec2.DescribeVolumesOutput{Volumes: []ec2types.Volume{
		{VolumeId: aws.String("vol-1"), Encrypted: aws.Bool(true)}}})
	return src
}

// TestBuildRejectsMalformed: without OnMalformed, a response that does not
// match its call's SDK output type fails Build with an error naming the
// call, account, region, page and the place in the response.
func TestBuildRejectsMalformed(t *testing.T) {
	for _, tc := range malformedSGs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(context.Background(), sgSource(t, tc.response))
			if err == nil {
				t.Fatal("Build accepted a malformed response")
			}
			for _, w := range []string{"ec2:DescribeSecurityGroups 111122223333/eu-west-1 page 1: ", "malformed response", tc.want} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestMalformedRowsAreGaps: with OnMalformed, the malformed row is skipped
// and reported once, the rest of the snapshot is analysed, and the row
// becomes a coverage gap for the types its call feeds.
func TestMalformedRowsAreGaps(t *testing.T) {
	for _, tc := range malformedSGs {
		t.Run(tc.name, func(t *testing.T) {
			var bad []*RowError
			g, err := Build(context.Background(), sgSource(t, tc.response), OnMalformed(func(e *RowError) { bad = append(bad, e) }))
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if len(bad) != 1 {
				t.Fatalf("%d malformed rows reported, want 1: %v", len(bad), bad)
			}
			e := bad[0]
			if e.Call != op("ec2:DescribeSecurityGroups") || e.AccountID != acct || e.Region != region || e.Page != 1 || !strings.Contains(e.Error(), tc.want) {
				t.Errorf("RowError = %+v (%v)", *e, e)
			}
			var de *decodeError
			if !errors.As(e, &de) {
				t.Errorf("RowError does not wrap the decode error: %v", e)
			}
			for _, key := range []string{
				"arn:aws:ec2:eu-west-1:111122223333:security-group/sg-ok",
				"arn:aws:ec2:us-east-1:111122223333:security-group/sg-ok",
				"arn:aws:ec2:eu-west-1:111122223333:volume/vol-1",
			} {
				if g.Entity(key) == nil {
					t.Errorf("entity %s missing: the rest of the snapshot must still be analysed", key)
				}
			}
			if g.Entity("arn:aws:ec2:eu-west-1:111122223333:security-group/sg-open") != nil {
				t.Error("the malformed page was used")
			}
			statuses := []CallStatus{
				{AccountID: acct, Region: region, Service: "ec2", Operation: "DescribeSecurityGroups", Status: snapshot.StatusOK},
				{AccountID: acct, Region: "us-east-1", Service: "ec2", Operation: "DescribeSecurityGroups", Status: snapshot.StatusOK},
			}
			var got []Gap
			for _, gp := range Gaps(append(statuses, FromMalformed(bad)...)) {
				if gp.Service == "ec2" && gp.Operation == "DescribeSecurityGroups" {
					got = append(got, gp)
				}
			}
			if len(got) != 1 {
				t.Fatalf("gaps for ec2:DescribeSecurityGroups = %+v, want one", got)
			}
			want := Gap{ResourceType: "aws_security_group", AccountID: acct, Region: region, Service: "ec2",
				Operation: "DescribeSecurityGroups", Class: ClassMalformed}
			gp := got[0]
			gp.Reason = ""
			if !reflect.DeepEqual(gp, want) {
				t.Errorf("gap = %+v, want %+v", got[0], want)
			}
			for _, w := range []string{"ec2:DescribeSecurityGroups in 111122223333/eu-west-1: 1 malformed response skipped", "page 1: malformed response", tc.want} {
				if !strings.Contains(got[0].Reason, w) {
					t.Errorf("gap reason %q does not say %q", got[0].Reason, w)
				}
			}
		})
	}
}

// TestMalformedGapDeterministic: when the manifest also reports the call failed in the
// same scope, the one gap kept is deterministic (the malformed one).
func TestMalformedGapDeterministic(t *testing.T) {
	bad := []*RowError{{Call: op("ec2:DescribeSecurityGroups"), AccountID: acct, Region: region, Err: errors.New("x")}}
	statuses := append([]CallStatus{{AccountID: acct, Region: region, Service: "ec2", Operation: "DescribeSecurityGroups",
		Status: "partial", Errors: map[snapshot.ErrorClass]int{snapshot.ClassDenied: 1}}}, FromMalformed(bad)...)
	for range 20 {
		var gaps []Gap
		for _, g := range Gaps(statuses) {
			if g.Operation == "DescribeSecurityGroups" {
				gaps = append(gaps, g)
			}
		}
		if len(gaps) != 1 || gaps[0].Class != ClassMalformed {
			t.Fatalf("gaps = %+v, want one malformed gap", gaps)
		}
	}
}

// TestDecodeResponse checks the checked decoder against the shapes of real
// output types: what the collector can write is accepted and decodes as
// encoding/json decodes it; everything else is an error saying where.
func TestDecodeResponse(t *testing.T) {
	tests := []struct {
		name     string
		call     Call
		response string
		err      string // "" = valid
	}{
		{"nil list is null", op("ec2:DescribeSecurityGroups"), `{"NextToken":null,"SecurityGroups":null}`, ""},
		{"empty list", op("ec2:DescribeSecurityGroups"), `{"SecurityGroups":[]}`, ""},
		{"absent fields read as null", op("ec2:DescribeSecurityGroups"), `{}`, ""},
		{"unknown field from a newer SDK", op("ec2:DescribeSecurityGroups"), `{"SecurityGroups":[],"NewThing":{"a":[1]}}`, ""},
		{"trailing white space", op("ec2:DescribeSecurityGroups"), "{\"SecurityGroups\":[]}\n", ""},
		{"escapes and unicode", op("ec2:DescribeSecurityGroups"), `{"SecurityGroups":[{"GroupName":"a\"b\\u00e9\u00e9\ud83d\ude00\ud800"}]}`, ""},
		{"timestamp", op("ec2:DescribeVolumes"), `{"Volumes":[{"CreateTime":"2024-03-01T10:00:00.123Z","Size":8,"State":"in-use"}]}`, ""},
		{"map of strings", op("lambda:ListTags"), `{"Tags":{"Owner":"x","a":"b"}}`, ""},
		{"base64 bytes", op("iam:GetCredentialReport"), `{"Content":"dXNlcgo=","GeneratedTime":null,"ReportFormat":"text/csv"}`, ""},
		{"float", op("ec2:DescribeSecurityGroups"), `{"SecurityGroups":[],"NewThing":-1.5e+3}`, ""},

		{"enum is null", op("ec2:DescribeVolumes"), `{"Volumes":[{"State":null}]}`, "Volumes[0].State: got null, want string"},
		{"bad timestamp", op("ec2:DescribeVolumes"), `{"Volumes":[{"CreateTime":"2024-13-45T99:00:00Z"}]}`, `Volumes[0].CreateTime: got string "2024-13-45T99:00:00Z" at offset 26, want timestamp string`},
		{"integer with a fraction", op("ec2:DescribeVolumes"), `{"Volumes":[{"Size":8.5}]}`, "Volumes[0].Size: got number 8.5, want integer (int32)"},
		{"integer out of range", op("ec2:DescribeVolumes"), `{"Volumes":[{"Size":4294967296}]}`, "Volumes[0].Size: number 4294967296 out of range of integer (int32)"},
		{"bool is a string", op("ec2:DescribeVolumes"), `{"Volumes":[{"Encrypted":"true"}]}`, "Volumes[0].Encrypted: got string, want boolean"},
		{"map value of the wrong kind", op("lambda:ListTags"), `{"Tags":{"Owner":1}}`, `Tags{"Owner"}: got number, want string`},
		{"bytes not base64", op("iam:GetCredentialReport"), `{"Content":"%%%"}`, "Content: got string at offset 11 that is not base64, want base64 string"},
		{"duplicate key in an item", op("ec2:DescribeSecurityGroups"), `{"SecurityGroups":[{"GroupId":"a","GroupId":"b"}]}`, `SecurityGroups[0]: duplicate key "GroupId" at offset 34`},
		{"duplicate escaped key", op("ec2:DescribeSecurityGroups"), `{"SecurityGroups":[],"Security\u0047roups":[]}`, `top level: duplicate key "SecurityGroups"`},
		{"truncated", op("ec2:DescribeSecurityGroups"), `{"SecurityGroups":[{`, "SecurityGroups[0]: unexpected end of JSON looking for an object key"},
		{"not JSON", op("ec2:DescribeSecurityGroups"), `not json`, "top level: invalid character 'o' in literal null at offset 1"},
		{"garbage after", op("ec2:DescribeSecurityGroups"), `{"SecurityGroups":[]} x`, "top level: unexpected data after the JSON value at offset 22"},
		{"invalid UTF-8", op("ec2:DescribeSecurityGroups"), "{\"SecurityGroups\":[{\"GroupName\":\"\xff\"}]}", "SecurityGroups[0].GroupName: invalid UTF-8 in string at offset 32"},
		{"control character", op("ec2:DescribeSecurityGroups"), "{\"SecurityGroups\":[{\"GroupName\":\"a\nb\"}]}", `SecurityGroups[0].GroupName: invalid character '\n' in string literal at offset 34`},
		{"leading zero", op("ec2:DescribeVolumes"), `{"Volumes":[{"Size":08}]}`, "Volumes[0]: invalid character '8' after object value at offset 21"},
		{"deep nesting", op("ec2:DescribeSecurityGroups"), `{"X":` + strings.Repeat("[", maxDepth+1), "nested deeper than 10000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := shapeOf(tc.call)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeResponse(tc.response, cs.shape)
			if tc.err != "" {
				if err == nil {
					t.Fatalf("accepted, want error %q", tc.err)
				}
				if !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %q, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := decode(t, tc.response)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded %#v, encoding/json gives %#v", got, want)
			}
		})
	}
}

// FuzzDecodeResponse checks the checked decoder (with no shape) against
// encoding/json: what it accepts, encoding/json accepts with the same
// value; what encoding/json accepts, it accepts unless the text repeats a
// key or is not UTF-8 (which it refuses on purpose).
func FuzzDecodeResponse(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,-2.5e3,"x\u00e9\ud800",true,false,null,{"b":{}}]}`, `[]`, `"\/\b\f\n\r\t"`,
		`{"a":1,"a":2}`, "\"\xff\"", `0`, `-0.0e-0`, ` {"a" : [ ] } `, `{"a":1}x`, `[1,]`, `{"a":01}`, `"\ud83d\ude00"`} {
		f.Add(s)
	}
	for _, tc := range malformedSGs {
		f.Add(tc.response)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := decodeResponse(s, nil)
		want, stdErr := stdJSON(s)
		switch {
		case err == nil && stdErr != nil:
			t.Fatalf("accepted %q, encoding/json: %v", s, stdErr)
		case err == nil && !reflect.DeepEqual(got, want):
			t.Fatalf("%q: decoded %#v, encoding/json %#v", s, got, want)
		case err != nil && stdErr == nil:
			msg := err.Error()
			if !strings.Contains(msg, "duplicate key") && !strings.Contains(msg, "invalid UTF-8") {
				t.Fatalf("refused %q (%v), encoding/json accepts it", s, err)
			}
		}
	})
}

// TestMalformedReportedOnce: a call streamed by several build phases
// reports its malformed row once, and each phase sees it as a failed row.
func TestMalformedReportedOnce(t *testing.T) {
	src := sgSource(t, malformedSGs[0].response)
	n := 0
	b := &builder{log: slog.New(slog.DiscardHandler), onMalformed: func(*RowError) { n++ }, malformed: map[string]bool{}}
	for range 2 {
		var classes []snapshot.ErrorClass
		err := b.stream(context.Background(), src, op("ec2:DescribeSecurityGroups"), func(row snapshot.Row, body any) error {
			if (row.Status == snapshot.StatusOK) != (body != nil) {
				t.Errorf("page %d: status %s with body %v", row.Page, row.Status, body != nil)
			}
			classes = append(classes, row.ErrorClass)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []snapshot.ErrorClass{"", "", ClassMalformed}; !reflect.DeepEqual(classes, want) {
			t.Errorf("row classes %v, want %v", classes, want)
		}
	}
	if n != 1 {
		t.Errorf("reported %d times, want once", n)
	}
}
