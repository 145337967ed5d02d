package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/snapaudit/snapaudit/analyze/graph"
)

// writeGraphFile writes g as --graph-out's J1-style JSON document
// ({"entities": [...], "relationships": [...]}, indented by two spaces)
// to path, through a temporary file renamed into place, one entity or
// relationship at a time. The bytes are those json.Encoder with
// SetIndent("", "  ") gives for graph.Document, but that encoder holds the
// whole document, then its indented copy, in memory: 7 GiB of peak RSS for
// a 1.2 GB graph of 160,000 resources, more than the analysis itself.
// Here the memory is one element's encoding.
func writeGraphFile(path string, g *graph.Graph) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := writeGraphJSON(tmp, g); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

// writeGraphJSON streams g's document to w (see writeGraphFile).
func writeGraphJSON(w io.Writer, g *graph.Graph) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var raw, ind bytes.Buffer
	enc := json.NewEncoder(&raw) // escapes HTML, as json.Encoder does for the whole
	// element writes one array element at nesting depth 2: json.Indent does
	// not prefix the first line, so the prefix is written before it.
	element := func(v any, first bool) error {
		raw.Reset()
		ind.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		if err := json.Indent(&ind, bytes.TrimSuffix(raw.Bytes(), []byte("\n")), "    ", "  "); err != nil {
			return err
		}
		if !first {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		_, err := bw.Write(ind.Bytes())
		return err
	}
	bw.WriteString("{\n  \"entities\": [")
	ents := g.Entities()
	for i, e := range ents {
		if err := element(e, i == 0); err != nil {
			return fmt.Errorf("entity %s: %w", e.Key, err)
		}
	}
	if len(ents) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("],\n  \"relationships\": [")
	rels := g.Relationships()
	for i, r := range rels {
		if err := element(r, i == 0); err != nil {
			return fmt.Errorf("relationship %s: %w", r.Key(), err)
		}
	}
	if len(rels) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}
