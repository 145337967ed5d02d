package snapshot

// Physical layout of format v1 (see FORMAT.md for the normative text).
//
// A data file holds the rows of one (service, operation) partition. The
// partition values live only in the Hive-style directory names
// (data/service=<svc>/operation=<Op>/part-NNNNN.parquet), never in the files,
// so Hive-aware readers (DuckDB, Spark, pyarrow) add them exactly once.
//
// fileRow is the on-disk row. Its struct tags are the schema; columnSpecs is
// the same schema written out as data so readers and verify can check a file
// they did not write, and so a test can assert the writer produces it.

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

const (
	// FormatName is the value of the manifest's "format" field.
	FormatName = "snapaudit-snapshot"
	// FormatVersion is the snapshot format version this package writes and
	// the newest one it reads.
	FormatVersion = 1

	// ManifestName is the manifest's file name inside a snapshot directory.
	ManifestName = "manifest.json"
	// DataDir is the directory holding the Parquet files.
	DataDir = "data"
	// tmpDir holds spill runs while a Writer is open; it never survives Commit
	// or Abort.
	tmpDir = ".tmp"

	// maxPartNumber bounds part-NNNNN numbering so names sort as numbers.
	maxPartNumber = 99999

	// keyValueVersion is the Parquet key/value metadata key carrying the
	// format version inside every data file.
	keyValueVersion = "snapaudit.format_version"
)

// fileRow is one row of a data file. Service and Operation are absent on
// purpose: they come from the partition directory.
type fileRow struct {
	AccountID    string    `parquet:"account_id,dict,zstd"`
	Region       string    `parquet:"region,dict,zstd"`
	ParentKey    string    `parquet:"parent_key,zstd"`
	Params       string    `parquet:"params,zstd"`
	Page         int32     `parquet:"page,zstd"`
	Status       string    `parquet:"status,dict,zstd"`
	ErrorClass   string    `parquet:"error_class,dict,zstd"`
	ErrorCode    string    `parquet:"error_code,dict,zstd"`
	ErrorMessage string    `parquet:"error_message,zstd"`
	Response     string    `parquet:"response,zstd"`
	CollectedAt  time.Time `parquet:"collected_at,timestamp(millisecond:utc),zstd"`
}

// fileRowOverhead approximates the memory a buffered row costs beyond its
// string bytes (the struct itself plus slice slot).
const fileRowOverhead = int64(unsafe.Sizeof(fileRow{})) + 16

// size is the number of bytes the row accounts for against the memory budget.
func (r *fileRow) size() int64 {
	return int64(len(r.AccountID)+len(r.Region)+len(r.ParentKey)+len(r.Params)+
		len(r.Status)+len(r.ErrorClass)+len(r.ErrorCode)+len(r.ErrorMessage)+len(r.Response)) + fileRowOverhead
}

// compareFileRows is the total order of rows inside a file: the documented
// sort key (account_id, region, parent_key, page, params) followed by every
// other column, so that rows equal under the sort key still have one fixed
// order and identical inputs give identical bytes.
func compareFileRows(a, b *fileRow) int {
	if c := strings.Compare(a.AccountID, b.AccountID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Region, b.Region); c != 0 {
		return c
	}
	if c := strings.Compare(a.ParentKey, b.ParentKey); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Page, b.Page); c != 0 {
		return c
	}
	if c := strings.Compare(a.Params, b.Params); c != 0 {
		return c
	}
	if c := strings.Compare(a.Status, b.Status); c != 0 {
		return c
	}
	if c := strings.Compare(a.ErrorClass, b.ErrorClass); c != 0 {
		return c
	}
	if c := strings.Compare(a.ErrorCode, b.ErrorCode); c != 0 {
		return c
	}
	if c := strings.Compare(a.ErrorMessage, b.ErrorMessage); c != 0 {
		return c
	}
	if c := strings.Compare(a.Response, b.Response); c != 0 {
		return c
	}
	return a.CollectedAt.Compare(b.CollectedAt)
}

// sortingColumns is recorded in every row group's metadata (the leading,
// documented part of compareFileRows).
var sortingColumnNames = []string{"account_id", "region", "parent_key", "page", "params"}

// blobColumns carry no statistics (page min/max, column index bounds).
var blobColumns = []string{"params", "error_message", "response"}

// columnSpec is the documented contract of one column.
type columnSpec struct {
	Name     string
	Physical parquet.Kind
	// Logical names the logical type the writer produces: "STRING",
	// "INT(32,true)" (signed 32-bit integer) or "TIMESTAMP(MILLIS,UTC)".
	Logical string
	// AlsoAccepted is an equivalent annotation readers accept (a plain INT32
	// with no logical type is a signed 32-bit integer too).
	AlsoAccepted []string
	Dict         bool // dictionary encoded (writer side; readers accept either)
}

// columnSpecs lists the v1 columns in file order.
var columnSpecs = []columnSpec{
	{Name: "account_id", Physical: parquet.ByteArray, Logical: "STRING", Dict: true},
	{Name: "region", Physical: parquet.ByteArray, Logical: "STRING", Dict: true},
	{Name: "parent_key", Physical: parquet.ByteArray, Logical: "STRING"},
	{Name: "params", Physical: parquet.ByteArray, Logical: "STRING"},
	{Name: "page", Physical: parquet.Int32, Logical: "INT(32,true)", AlsoAccepted: []string{""}},
	{Name: "status", Physical: parquet.ByteArray, Logical: "STRING", Dict: true},
	{Name: "error_class", Physical: parquet.ByteArray, Logical: "STRING", Dict: true},
	{Name: "error_code", Physical: parquet.ByteArray, Logical: "STRING", Dict: true},
	{Name: "error_message", Physical: parquet.ByteArray, Logical: "STRING"},
	{Name: "response", Physical: parquet.ByteArray, Logical: "STRING"},
	{Name: "collected_at", Physical: parquet.Int64, Logical: "TIMESTAMP(MILLIS,UTC)"},
}

// logicalName renders a column's logical type the way columnSpec spells it.
func logicalName(lt *format.LogicalType) string {
	if lt == nil || lt.Value == nil {
		return ""
	}
	switch v := lt.Value.(type) {
	case *format.StringType:
		return "STRING"
	case *format.TimestampType:
		zone := "LOCAL"
		if v.IsAdjustedToUTC {
			zone = "UTC"
		}
		return "TIMESTAMP(" + v.Unit.String() + "," + zone + ")"
	default:
		return v.String()
	}
}

// checkSchema reports whether a file's schema carries every v1 column with
// the documented types. Unknown extra columns are allowed (compatibility
// rule); a missing or retyped column is an error.
func checkSchema(s *parquet.Schema) error {
	var problems []string
	for _, c := range columnSpecs {
		leaf, ok := s.Lookup(c.Name)
		if !ok {
			problems = append(problems, fmt.Sprintf("column %q missing", c.Name))
			continue
		}
		n := leaf.Node
		if !n.Required() {
			problems = append(problems, fmt.Sprintf("column %q is not REQUIRED", c.Name))
		}
		if k := n.Type().Kind(); k != c.Physical {
			problems = append(problems, fmt.Sprintf("column %q has physical type %s, want %s", c.Name, k, c.Physical))
		}
		if l := logicalName(n.Type().LogicalType()); l != c.Logical && !slices.Contains(c.AlsoAccepted, l) {
			problems = append(problems, fmt.Sprintf("column %q has logical type %q, want %q", c.Name, l, c.Logical))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("schema: %s", strings.Join(problems, "; "))
	}
	return nil
}

// nameRE constrains service and operation names. They become directory names
// (Hive partition values), so no separators, no '=', no dots.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$`)

// partPathRE matches a data file path and captures service, operation, part.
var partPathRE = regexp.MustCompile(`^data/service=([A-Za-z0-9][A-Za-z0-9_-]{0,127})/operation=([A-Za-z0-9][A-Za-z0-9_-]{0,127})/part-([0-9]{5})\.parquet$`)

// partitionDir is the slash-separated directory of a partition.
func partitionDir(service, operation string) string {
	return DataDir + "/service=" + service + "/operation=" + operation
}

// partPath is the slash-separated path of part n of a partition.
func partPath(service, operation string, n int) string {
	return fmt.Sprintf("%s/part-%05d.parquet", partitionDir(service, operation), n)
}

// validClasses are the non-empty error classes a row may carry.
var validClasses = []ErrorClass{ClassDenied, ClassNotFound, ClassOther, ClassThrottled, ClassUnsupported}

// validate checks a row against the v1 contract before it is buffered.
func (r *Row) validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !nameRE.MatchString(r.Service) {
		add("service %q must match %s", r.Service, nameRE)
	}
	if !nameRE.MatchString(r.Operation) {
		add("operation %q must match %s", r.Operation, nameRE)
	}
	if r.AccountID == "" {
		add("account_id is empty")
	}
	if r.Region == "" {
		add(`region is empty (use "global" for global calls)`)
	}
	if r.Page < 0 {
		add("page %d is negative", r.Page)
	}
	if !jsonValid(r.Params) {
		add(`params is not valid JSON (use "{}" for no input)`)
	}
	switch r.Status {
	case StatusOK:
		if r.ErrorClass != ClassNone || r.ErrorCode != "" || r.ErrorMessage != "" {
			add("status ok with error fields set")
		}
		if !jsonValid(r.Response) {
			add("response of an ok row is not valid JSON")
		}
	case StatusError:
		found := false
		for _, c := range validClasses {
			found = found || c == r.ErrorClass
		}
		if !found {
			add("error_class %q is not one of %v", r.ErrorClass, validClasses)
		}
	default:
		add("status %q is not %q or %q", r.Status, StatusOK, StatusError)
	}
	if r.CollectedAt.IsZero() {
		add("collected_at is zero")
	}
	for _, f := range []struct{ name, v string }{
		{"account_id", r.AccountID}, {"region", r.Region}, {"parent_key", r.ParentKey},
		{"error_code", r.ErrorCode}, {"error_message", r.ErrorMessage},
	} {
		if !utf8.ValidString(f.v) {
			add("%s is not valid UTF-8", f.name)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid row %s:%s %s/%s parent %q page %d: %s", r.Service, r.Operation,
			r.AccountID, r.Region, r.ParentKey, r.Page, strings.Join(problems, "; "))
	}
	return nil
}

// toFile converts a validated Row to its on-disk form (UTC, millisecond
// precision, as stored).
func (r *Row) toFile() fileRow {
	return fileRow{
		AccountID:    r.AccountID,
		Region:       r.Region,
		ParentKey:    r.ParentKey,
		Params:       r.Params,
		Page:         r.Page,
		Status:       r.Status,
		ErrorClass:   string(r.ErrorClass),
		ErrorCode:    r.ErrorCode,
		ErrorMessage: r.ErrorMessage,
		Response:     r.Response,
		CollectedAt:  r.CollectedAt.UTC().Truncate(time.Millisecond),
	}
}

// toRow is the inverse of toFile, with the partition filled in.
func (f *fileRow) toRow(service, operation string) Row {
	return Row{
		AccountID:    f.AccountID,
		Region:       f.Region,
		Service:      service,
		Operation:    operation,
		ParentKey:    f.ParentKey,
		Params:       f.Params,
		Page:         f.Page,
		Status:       f.Status,
		ErrorClass:   ErrorClass(f.ErrorClass),
		ErrorCode:    f.ErrorCode,
		ErrorMessage: f.ErrorMessage,
		Response:     f.Response,
		CollectedAt:  f.CollectedAt.UTC(),
	}
}

// jsonValid reports whether s is one valid JSON value. It views the string's
// bytes without copying (responses are large and every row is checked);
// json.Valid only reads its argument and does not retain it.
func jsonValid(s string) bool { return json.Valid(unsafe.Slice(unsafe.StringData(s), len(s))) }

// checkTrailer validates the Parquet framing before the library parses the
// footer: "PAR1" at both ends and a footer length that fits in the file. The
// library would otherwise allocate whatever a damaged length field says
// (gigabytes for one flipped bit).
func checkTrailer(r io.ReaderAt, size int64) error {
	const magic = "PAR1"
	if size < 12 {
		return fmt.Errorf("%d bytes is too short for a parquet file", size)
	}
	var head [4]byte
	var tail [8]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return err
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return err
	}
	if string(head[:]) != magic || string(tail[4:]) != magic {
		return errors.New(`missing "PAR1" magic at the start or end`)
	}
	if n := int64(binary.LittleEndian.Uint32(tail[:4])); n > size-12 {
		return fmt.Errorf("footer length %d does not fit in a %d byte file", n, size)
	}
	return nil
}
