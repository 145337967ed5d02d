// Command gen regenerates analyze/iam/actions/actions.json.gz from the
// iam-actions data set:
//
//	go run ./analyze/iam/actions/internal/gen -data ../shared/data/iam-actions -out analyze/iam/actions/actions.json.gz
//
// (or `go generate ./analyze/iam/actions` from the repository root).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/snapaudit/snapaudit/analyze/iam/actions/internal/build"
)

func main() {
	data := flag.String("data", "../shared/data/iam-actions", "the iam-actions folder")
	out := flag.String("out", "analyze/iam/actions/actions.json.gz", "output file")
	flag.Parse()
	f, err := build.Build(*data)
	if err == nil {
		var b []byte
		if b, err = build.Encode(f); err == nil {
			err = os.WriteFile(*out, b, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
