package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/snapaudit/snapaudit/analyze"
)

// writeReportJSON writes rep as json.Encoder with SetIndent("", "  ")
// writes it, byte for byte, but one finding at a time: the findings (600,000
// at 1,000,000 resources, half a gigabyte of indented JSON) are never held
// as one document in memory. The other members are small and written whole.
func writeReportJSON(w io.Writer, rep *analyze.Report) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// value writes v indented as a member at depth depth (1: a member of
	// the report, 2: an element of one of its arrays), without the
	// encoder's trailing newline.
	value := func(v any, prefix string) error {
		buf.Reset()
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	}
	member := func(name string, v any, last bool) error {
		bw.WriteString(`  "` + name + `": `)
		if err := value(v, "  "); err != nil {
			return err
		}
		if !last {
			bw.WriteString(",")
		}
		_, err := bw.WriteString("\n")
		return err
	}
	bw.WriteString("{\n")
	if err := member("snapshot", rep.Snapshot, false); err != nil {
		return err
	}
	if err := member("summary", rep.Summary, false); err != nil {
		return err
	}
	if err := member("rules", rep.Rules, false); err != nil {
		return err
	}
	// "findings", element by element; nil is null as the encoder writes it.
	bw.WriteString(`  "findings": `)
	switch {
	case rep.Findings == nil:
		bw.WriteString("null")
	case len(rep.Findings) == 0:
		bw.WriteString("[]")
	default:
		bw.WriteString("[\n")
		for i := range rep.Findings {
			bw.WriteString("    ")
			if err := value(&rep.Findings[i], "    "); err != nil {
				return err
			}
			if i < len(rep.Findings)-1 {
				bw.WriteString(",")
			}
			bw.WriteString("\n")
		}
		bw.WriteString("  ]")
	}
	bw.WriteString(",\n")
	if err := member("gaps", rep.Gaps, true); err != nil {
		return err
	}
	bw.WriteString("}\n")
	return bw.Flush()
}
