package rules

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/snapaudit/snapaudit/snapshot/suggest"
)

// ReadConfig reads a JSON or YAML object from path, for WithConfig (the
// CLI's --config FILE). Errors name the file. WithConfigFile does the same
// and also names the file when a key turns out to be unknown.
func ReadConfig(path string) (map[string]any, error) {
	m, err := readConfig(path)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return m, nil
}

func readConfig(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var v any
	if err := util.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("config %s: not JSON or YAML: %w", path, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("config %s: want an object at the top level, got %T", path, v)
	}
	if err := validateConfig(m); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
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

// WithConfigFile reads path with ReadConfig and merges it like WithConfig;
// errors about its keys name the file.
func WithConfigFile(path string) Option {
	return func(o *options) error {
		cfg, err := readConfig(path)
		if err != nil {
			return err
		}
		o.addConfig(cfg, path)
		return nil
	}
}

// addConfig merges cfg into the config and remembers where each key came
// from ("" for WithConfig).
func (o *options) addConfig(cfg map[string]any, origin string) {
	o.config = mergeDoc(o.config, cfg)
	if o.configOrigin == nil {
		o.configOrigin = map[string]string{}
	}
	for k := range cfg {
		o.configOrigin[k] = origin
	}
}

var (
	configRef    = ast.MustParseRef("data.snapaudit.config")
	libConfigRef = ast.MustParseRef("data.lib.config")
)

// configKeysRead returns the config keys the compiled policies read, through
// lib.config("key", ...) or data.snapaudit.config.key. dynamic is true when
// some policy reads a key it computes (lib.config(name, ...),
// data.snapaudit.config[k], the whole document): then any key may be read.
// The helper library's own access (lib.config's body) is not counted.
func configKeysRead(modules map[string]*ast.Module) (keys map[string]bool, dynamic bool) {
	keys = map[string]bool{}
	call := func(terms []*ast.Term) {
		if len(terms) == 0 || !terms[0].Equal(ast.NewTerm(libConfigRef)) {
			return
		}
		if len(terms) > 1 {
			if s, ok := terms[1].Value.(ast.String); ok {
				keys[string(s)] = true
				return
			}
		}
		dynamic = true
	}
	for _, m := range modules {
		if m.Package.Path.HasPrefix(libRoot) {
			continue
		}
		for _, r := range m.Rules {
			ast.WalkTerms(r, func(t *ast.Term) bool {
				switch v := t.Value.(type) {
				case ast.Call:
					call(v)
				case ast.Ref:
					if !v.HasPrefix(ast.DefaultRootRef) {
						break
					}
					gp := v.GroundPrefix()
					switch {
					case gp.HasPrefix(configRef) && len(gp) > len(configRef):
						if s, ok := gp[len(configRef)].Value.(ast.String); ok {
							keys[string(s)] = true
						} else {
							dynamic = true
						}
					case configRef.HasPrefix(gp):
						dynamic = true // all of data.snapaudit.config, or a key computed at run time
					}
				}
				return false
			})
			ast.WalkExprs(r, func(x *ast.Expr) bool {
				if x.IsCall() {
					call(x.Terms.([]*ast.Term))
				}
				return false
			})
		}
	}
	return keys, dynamic
}

// checkConfigKeys rejects config keys no loaded policy reads: a typo such as
// admin_port would otherwise be ignored silently.
func checkConfigKeys(cfg map[string]any, origin map[string]string, modules map[string]*ast.Module) error {
	read, dynamic := configKeysRead(modules)
	if dynamic {
		return nil
	}
	known := sortedKeys(read)
	var errs []error
	for _, k := range sortedKeys(cfg) {
		if read[k] {
			continue
		}
		where := "config"
		if o := origin[k]; o != "" {
			where = "config " + o
		}
		hint := ""
		if m := suggest.Closest(k, known, max(2, len(k)/3)); m != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", m)
		}
		errs = append(errs, fmt.Errorf("%s: unknown key %q%s: no loaded check reads it; the loaded checks read %s",
			where, k, hint, strings.Join(known, ", ")))
	}
	return errors.Join(errs...)
}
