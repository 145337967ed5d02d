package snapshot

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// baseTime is a fixed collection time so files are reproducible.
var baseTime = time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)

// fixedMeta is the Metadata every test snapshot is committed with.
var fixedMeta = Metadata{
	Tool:       Tool{Name: "snapaudit", Version: "v0.0.0-test", Revision: "0123456789abcdef0123456789abcdef01234567", GoVersion: "go1.26.8"},
	SDKModules: []Module{{Path: "github.com/aws/aws-sdk-go-v2/service/s3", Version: "v1.114.8"}, {Path: "github.com/aws/aws-sdk-go-v2", Version: "v1.47.7"}},
	Caller:     Caller{AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/auditor", UserID: "AIDAEXAMPLEUSERID"},
	Accounts:   []string{"111122223333", "444455556666"},
	Regions:    []string{"us-east-1", "eu-west-1", "global"},
	StartedAt:  baseTime,
	FinishedAt: baseTime.Add(90 * time.Second),
}

type callSpec struct {
	service, operation string
	regional           bool
	perParent          bool
}

// specCalls is a small, realistic call mix: global and regional calls,
// per-parent calls, several pages.
var specCalls = []callSpec{
	{service: "ec2", operation: "DescribeInstances", regional: true},
	{service: "ec2", operation: "DescribeSecurityGroups", regional: true},
	{service: "iam", operation: "GetAccountAuthorizationDetails"},
	{service: "iam", operation: "ListAccessKeys", perParent: true},
	{service: "s3", operation: "GetBucketPolicy", perParent: true},
	{service: "lambda", operation: "ListFunctions", regional: true},
}

// genRows builds a deterministic set of rows: about n rows spread over
// specCalls, two accounts, regions, parents, pages and some failures, with
// responses of roughly respBytes.
func genRows(n, respBytes int, seed uint64) []Row {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	accounts := []string{"111122223333", "444455556666"}
	regions := []string{"us-east-1", "eu-west-1"}
	var rows []Row
	for inv := 0; len(rows) < n; inv++ {
		c := specCalls[inv%len(specCalls)]
		acct := accounts[rng.IntN(len(accounts))]
		region := "global"
		if c.regional {
			region = regions[rng.IntN(len(regions))]
		}
		parent, params := "", "{}"
		if c.perParent {
			parent = fmt.Sprintf("res-%05d", inv)
			params = fmt.Sprintf(`{"Name":%q}`, parent)
		} else {
			params = fmt.Sprintf(`{"MaxResults":%d}`, 100+inv) // distinct invocations of the same call
		}
		pages := 1 + rng.IntN(3)
		for p := 0; p < pages && len(rows) < n; p++ {
			r := Row{
				AccountID: acct, Region: region, Service: c.service, Operation: c.operation,
				ParentKey: parent, Params: params, Page: int32(p), Status: StatusOK,
				CollectedAt: baseTime.Add(time.Duration(len(rows)) * time.Millisecond),
			}
			switch k := rng.IntN(20); {
			case k == 0 && p == pages-1:
				r.Status, r.ErrorClass, r.ErrorCode, r.ErrorMessage = StatusError, ClassDenied, "AccessDenied",
					fmt.Sprintf("User: arn:aws:iam::%s:user/auditor is not authorized to perform: %s:%s", acct, c.service, c.operation)
			case k == 1 && p == pages-1:
				r.Status, r.ErrorClass, r.ErrorCode, r.ErrorMessage = StatusError, ClassNotFound, "NoSuchBucketPolicy",
					"The bucket policy does not exist"
			default:
				r.Response = fakeResponse(rng, respBytes)
			}
			rows = append(rows, r)
			if r.Status == StatusError {
				break
			}
		}
	}
	return rows
}

// fakeResponse returns a JSON document of about size bytes that compresses
// like real API output (repeated keys, random identifiers).
func fakeResponse(rng *rand.Rand, size int) string {
	var b strings.Builder
	b.WriteString(`{"Items":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Id":"i-%016x","State":{"Name":"running"},"Tags":[{"Key":"Owner","Value":"team-%d"}]}`,
			rng.Uint64(), rng.IntN(9))
	}
	b.WriteString(`]}`)
	return b.String()
}

// writeAll writes rows from g goroutines (row i goes to goroutine i%g) and
// commits with fixedMeta.
func writeAll(t testing.TB, dir string, rows []Row, g int, opts ...WriterOption) (*Writer, *Manifest) {
	t.Helper()
	w, err := Create(dir, opts...)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, g)
	for k := range g {
		wg.Go(func() {
			for i := k; i < len(rows); i += g {
				if err := w.Write(ctx, rows[i]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Write: %v", err)
	}
	m, err := w.Commit(ctx, fixedMeta)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return w, m
}

// shuffled returns a shuffled copy of rows.
func shuffled(rows []Row, seed uint64) []Row {
	out := slices.Clone(rows)
	rng := rand.New(rand.NewPCG(seed, 7))
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// sortedRows orders rows the way Rows returns them: by partition, then file
// order.
func sortedRows(rows []Row) []Row {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(a, b Row) int {
		fa, fb := a.toFile(), b.toFile()
		return cmp.Or(strings.Compare(a.Service, b.Service), strings.Compare(a.Operation, b.Operation),
			compareFileRows(&fa, &fb))
	})
	return out
}

// readAll reads every partition of an opened snapshot.
func readAll(t testing.TB, s *Snapshot) []Row {
	t.Helper()
	var got []Row
	for _, p := range s.Partitions() {
		err := s.Rows(context.Background(), p.Service, p.Operation, func(r Row) error {
			got = append(got, r)
			return nil
		})
		if err != nil {
			t.Fatalf("Rows %s:%s: %v", p.Service, p.Operation, err)
		}
	}
	return got
}

// snapshotFiles lists every file of a snapshot directory (slash paths).
func snapshotFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, relSlash(dir, path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rehash rewrites manifest.json after edit changed the decoded manifest,
// with a valid self-hash, as a careless tool (or an attacker) would.
func rehash(t testing.TB, dir string, edit func(m map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, ManifestName)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	delete(m, "manifest_sha256")
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	// Append the hash field last, as the format requires.
	out := string(body[:len(body)-2]) + ",\n  \"manifest_sha256\": \"" + zeroHash + "\"\n}\n"
	_, sum, err := selfHash([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	out = strings.Replace(out, zeroHash, sum, 1)
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}
