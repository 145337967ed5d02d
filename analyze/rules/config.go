package rules

import (
	"fmt"
	"os"

	"github.com/open-policy-agent/opa/v1/util"
)

// ReadConfig reads a JSON or YAML object from path, for WithConfig (the
// CLI's --config FILE). Errors name the file.
func ReadConfig(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rules: config: %w", err)
	}
	var v any
	if err := util.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("rules: config %s: not JSON or YAML: %w", path, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("rules: config %s: want an object at the top level, got %T", path, v)
	}
	if err := validateConfig(m); err != nil {
		return nil, fmt.Errorf("rules: config %s: %w", path, err)
	}
	return m, nil
}

// configChecks validates the settings the built-in checks read; other keys
// are the auditor's own and pass through. Sorted by key.
var configChecks = []struct {
	key   string
	check func(v any) error
}{
	{key: "admin_ports", check: func(v any) error {
		items, ok := v.([]any)
		if !ok || len(items) == 0 {
			return fmt.Errorf("want a non-empty list of port numbers, got %v", v)
		}
		for i, it := range items {
			n, ok := number(it)
			if !ok || n < 0 || n > 65535 || n != float64(int(n)) {
				return fmt.Errorf("[%d]: want a port number 0-65535, got %v", i, it)
			}
		}
		return nil
	}},
	{key: "required_tags", check: func(v any) error {
		items, ok := v.([]any)
		if !ok || len(items) == 0 {
			return fmt.Errorf("want a non-empty list of tag names, got %v", v)
		}
		for i, it := range items {
			if s, ok := it.(string); !ok || s == "" {
				return fmt.Errorf("[%d]: want a tag name, got %v", i, it)
			}
		}
		return nil
	}},
}

func validateConfig(cfg map[string]any) error {
	for _, c := range configChecks {
		if v, ok := cfg[c.key]; ok {
			if err := c.check(normalize(v)); err != nil {
				return fmt.Errorf("%s: %w", c.key, err)
			}
		}
	}
	return nil
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case interface{ Float64() (float64, error) }: // json.Number
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// normalize turns []string and []int (Go callers) into []any (JSON shape).
func normalize(v any) any {
	switch x := v.(type) {
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	case []int:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = n
		}
		return out
	}
	return v
}

// mergeDoc deep-merges src into dst (objects merge key by key, anything else
// is replaced) and returns dst. src's maps are copied, so later merges never
// write into the caller's maps; lists are shared (nothing writes to them).
func mergeDoc(dst, src map[string]any) map[string]any {
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			dm, _ := dst[k].(map[string]any)
			dst[k] = mergeDoc(dm, sm)
			continue
		}
		dst[k] = normalize(v)
	}
	return dst
}
