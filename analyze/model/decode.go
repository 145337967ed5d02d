package model

// The checked decoder: one pass over a stored response that both decodes it
// into plain JSON values (map[string]any, []any, string, json.Number, bool,
// nil: what encoding/json gives with UseNumber) and checks it against the
// call's shape (shape.go). Besides RFC 8259 syntax it rejects what
// encoding/json lets through silently: a duplicate object key (the last one
// would win), anything but white space after the value, and invalid UTF-8.
//
// It replaces encoding/json here rather than following it with a second
// walk: one pass, map keys of known fields reuse the shape's strings, and
// maps and lists are made once at their size, so checking costs nothing over
// decoding.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// decodeError is a malformed response: what was wrong, where.
type decodeError struct {
	path []string // segments innermost first, built while unwinding
	msg  string
}

func (e *decodeError) Error() string {
	p := slices.Clone(e.path)
	slices.Reverse(p)
	where := strings.TrimPrefix(strings.Join(p, ""), ".")
	if where == "" {
		where = "top level"
	}
	return where + ": " + e.msg
}

// decoder reads one JSON text.
type decoder struct {
	s     string
	i     int
	depth int
	sets  []keySet // by depth: the keys seen in objects decoded in part
	// strs interns short string values (states, types, regions, ARNs of
	// shared resources): the entities of a call repeat them, and a boxed
	// string shared by all costs no string and no box each. nil: no
	// interning (decodeNeeded).
	strs map[string]any
	// elems holds the elements of the lists being decoded (a stack: an
	// inner list's above its outer one's), so that each list is made
	// once at its final length instead of grown element by element.
	elems []any
	// fields does the same for the objects being decoded: each map is
	// made once, at its size.
	fields []keyValue
}

// keyValue is one decoded object field.
type keyValue struct {
	key string
	v   any
}

const (
	// internMax is the longest string value interned: ARNs run to about
	// 120 bytes, and at 100,000 resources more than half of the decoded
	// strings past 40 bytes repeated one already seen (a limit of 40 kept
	// 34 B/entity more; one past 128 saves nothing more). maxInterned
	// bounds the table, which is emptied when full (a cache, not a set).
	internMax   = 128
	maxInterned = 1 << 14
)

// keepString returns s (which may share the response's memory) as a
// boxed string the caller may keep.
func (d *decoder) keepString(s string) any {
	if d.strs == nil || len(s) > internMax {
		return strings.Clone(s)
	}
	if v, ok := d.strs[s]; ok {
		return v
	}
	if len(d.strs) >= maxInterned {
		clear(d.strs)
	}
	c := strings.Clone(s)
	v := any(c)
	d.strs[c] = v
	return v
}

// decodeResponse decodes a stored response against shape sh, in full.
func decodeResponse(s string, sh *shape) (any, error) { return decodeNeeded(s, sh, needAll) }

// decodeNeeded decodes what need n reads of a stored response (need.go)
// and checks all of it against shape sh: a response is malformed, with the
// same error, whatever part of it is read.
func decodeNeeded(s string, sh *shape, n *need) (any, error) {
	var d decoder
	return d.decode(s, sh, n)
}

// decode is decodeNeeded with a decoder that keeps its scratch space from
// one response to the next (one decoder per goroutine).
func (d *decoder) decode(s string, sh *shape, n *need) (any, error) {
	d.s, d.i, d.depth = s, 0, 0
	clear(d.elems) // what an error left
	d.elems = d.elems[:0]
	clear(d.fields)
	d.fields = d.fields[:0]
	v, err := d.value(sh, n)
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.i < len(d.s) {
		return nil, &decodeError{msg: fmt.Sprintf("unexpected data after the JSON value at offset %d", d.i)}
	}
	return v, nil
}

func (d *decoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) errf(format string, args ...any) *decodeError {
	return &decodeError{msg: fmt.Sprintf(format, args...)}
}

// syntax is the error for an unexpected byte (or the end) at d.i.
func (d *decoder) syntax(context string) *decodeError {
	if d.i >= len(d.s) {
		return d.errf("unexpected end of JSON %s", context)
	}
	return d.errf("invalid character %q %s at offset %d", d.s[d.i], context, d.i)
}

// mismatch is the error for a value of the wrong kind.
func mismatch(got string, sh *shape) *decodeError {
	return &decodeError{msg: fmt.Sprintf("got %s, want %s", got, sh.want())}
}

// value decodes one value; sh nil or kAny accepts any value. n says what
// is kept: nil nothing (the value is only checked), needAll all of it,
// another node the fields it names and the non-null scalars (need.go).
func (d *decoder) value(sh *shape, n *need) (any, error) {
	if sh != nil && sh.kind == kAny {
		sh = nil
	}
	if n != nil && !n.all && (sh == nil || sh.kind == kMap || sh.kind == kPolicy) {
		n = needAll // no field names to follow (a map's keys are data): keep it whole
	}
	d.ws()
	if d.i >= len(d.s) {
		return nil, d.syntax("looking for a value")
	}
	switch c := d.s[d.i]; {
	case c == '{':
		if sh != nil && sh.kind == kPolicy {
			sh = nil // a decoded policy document: any object
		}
		if sh != nil && sh.kind != kObject && sh.kind != kMap {
			return nil, mismatch("object", sh)
		}
		return d.object(sh, n)
	case c == '[':
		if sh != nil && sh.kind != kList {
			return nil, mismatch("list", sh)
		}
		return d.list(sh, n)
	case c == '"':
		if sh != nil && sh.kind != kString && sh.kind != kTime && sh.kind != kBytes && sh.kind != kPolicy {
			return nil, mismatch("string", sh)
		}
		start := d.i
		s, err := d.str(false)
		if err != nil {
			return nil, err
		}
		if sh != nil {
			if err := checkString(sh, s, start); err != nil {
				return nil, err
			}
		}
		if n == nil {
			return nil, nil
		}
		return d.keepString(s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		if sh != nil && sh.kind != kInt && sh.kind != kUint && sh.kind != kFloat {
			return nil, mismatch("number", sh)
		}
		return d.number(sh, n != nil)
	case c == 't' || c == 'f':
		b, lit := c == 't', "false"
		if b {
			lit = "true"
		}
		if err := d.literal(lit); err != nil {
			return nil, err
		}
		if sh != nil && sh.kind != kBool {
			return nil, mismatch("boolean", sh)
		}
		return b, nil
	case c == 'n':
		if err := d.literal("null"); err != nil {
			return nil, err
		}
		if sh != nil && !sh.null {
			return nil, mismatch("null", sh)
		}
		return nil, nil
	}
	return nil, d.syntax("looking for a value")
}

func (d *decoder) literal(lit string) error {
	if !strings.HasPrefix(d.s[d.i:], lit) {
		for j := 0; j < len(lit) && d.i < len(d.s) && d.s[d.i] == lit[j]; j++ {
			d.i++
		}
		return d.syntax("in literal " + lit)
	}
	d.i += len(lit)
	return nil
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return d.errf("nested deeper than %d at offset %d", maxDepth, d.i)
	}
	return nil
}

// object decodes an object; sh is nil, kObject or kMap.
func (d *decoder) object(sh *shape, n *need) (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer func() { d.depth-- }()
	d.i++ // '{'
	full := n != nil && n.all
	seen := d.keySet(sh)
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		if n == nil {
			return nil, nil
		}
		return map[string]any{}, nil
	}
	start := len(d.fields)
	next := 0 // the field the next key most likely names
	for {
		d.ws()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return nil, d.syntax("looking for an object key")
		}
		keyAt := d.i
		key, f, err := d.key(sh, n != nil, next)
		if err != nil {
			return nil, err
		}
		idx := -1
		if f != nil {
			idx, next = f.idx, f.idx+1
		}
		if seen.add(key, idx) {
			return nil, d.errf("duplicate key %q at offset %d", key, keyAt)
		}
		d.ws()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return nil, d.syntax("after object key")
		}
		d.i++
		var vs *shape
		if sh != nil && sh.kind == kMap {
			vs = sh.elem
		} else if f != nil {
			vs = f.shape
		}
		vn := n
		if n != nil && !full {
			// A field no path names is kept when it is a scalar of an
			// entity's item (the automatic flattening reads those), else
			// checked and dropped.
			if k := n.kid(sh, f, key); k != nil {
				vn = k
			} else if d.ws(); !n.flat || d.i < len(d.s) && (d.s[d.i] == '{' || d.s[d.i] == '[' || d.s[d.i] == 'n') {
				vn = nil
			} else {
				vn = needAll
			}
		}
		v, err := d.value(vs, vn)
		if err != nil {
			if de, ok := err.(*decodeError); ok {
				if sh != nil && sh.kind == kMap {
					de.path = append(de.path, "{"+strconv.Quote(key)+"}")
				} else {
					de.path = append(de.path, "."+key)
				}
			}
			return nil, err
		}
		if vn != nil {
			d.fields = append(d.fields, keyValue{key, v})
		}
		if more, err := d.more('}', "after object value"); !more {
			if n == nil || err != nil {
				return nil, err
			}
			m := make(map[string]any, len(d.fields)-start)
			for _, f := range d.fields[start:] {
				m[f.key] = f.v
			}
			clear(d.fields[start:])
			d.fields = d.fields[:start]
			return m, nil
		}
	}
}

// keySet is the keys seen in one object: the shape's fields by number,
// other keys by name.
type keySet struct {
	bits  []uint64
	other []string
	many  map[string]bool // other, once it is long
}

// keySet returns the cleared key set of the current depth.
func (d *decoder) keySet(sh *shape) *keySet {
	for len(d.sets) <= d.depth {
		d.sets = append(d.sets, keySet{})
	}
	ks := &d.sets[d.depth]
	words := 0
	if sh != nil && sh.kind == kObject {
		words = len(sh.fields)/64 + 1
	}
	ks.bits = slices.Grow(ks.bits[:0], words)[:words]
	clear(ks.bits)
	ks.other = ks.other[:0]
	ks.many = nil
	return ks
}

// add records a key (idx its field number, -1 when not a field) and
// reports whether it was seen before.
func (ks *keySet) add(key string, idx int) bool {
	if idx >= 0 && idx/64 < len(ks.bits) {
		w, b := idx/64, uint64(1)<<(idx%64)
		if ks.bits[w]&b != 0 {
			return true
		}
		ks.bits[w] |= b
		return false
	}
	if ks.many != nil {
		if ks.many[key] {
			return true
		}
		ks.many[key] = true
		return false
	}
	if slices.Contains(ks.other, key) {
		return true
	}
	ks.other = append(ks.other, key)
	if len(ks.other) > 32 { // a linear search would make a large object quadratic
		ks.many = make(map[string]bool, 2*len(ks.other))
		for _, k := range ks.other {
			ks.many[k] = true
		}
	}
	return false
}

// more reads the separator after an element: true after a comma, false
// after the closing byte, an error otherwise.
func (d *decoder) more(closing byte, context string) (bool, error) {
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == ',' {
		d.i++
		return true, nil
	}
	if d.i < len(d.s) && d.s[d.i] == closing {
		d.i++
		return false, nil
	}
	return false, d.syntax(context)
}

// key decodes an object key and returns the field of sh it names (nil
// when it names none); a key that names a field reuses the shape's
// string, another is copied only when keep is set. next is the number of
// the field the key most likely names (the one after the previous key's:
// encoding/json writes a struct's fields in order), compared before the
// key is looked up.
func (d *decoder) key(sh *shape, keep bool, next int) (string, *field, error) {
	if sh != nil && sh.kind == kObject {
		if j := strings.IndexByte(d.s[d.i+1:], '"'); j >= 0 {
			raw := d.s[d.i+1 : d.i+1+j]
			order := *sh.order
			if next < len(order) && order[next].name == raw {
				d.i += j + 2 // a field name has no escapes
				return order[next].name, &order[next], nil
			}
			if f, ok := sh.fields[raw]; ok && !strings.ContainsRune(raw, '\\') {
				d.i += j + 2
				return f.name, &order[f.idx], nil
			}
		}
	}
	k, err := d.str(keep)
	if err != nil {
		return "", nil, err
	}
	if sh != nil && sh.kind == kObject {
		if f, ok := sh.fields[k]; ok {
			return f.name, &(*sh.order)[f.idx], nil // an escaped spelling of a field name
		}
	}
	return k, nil, nil
}

// list decodes a list; sh is nil or kList; n is what is kept of every
// element.
func (d *decoder) list(sh *shape, n *need) (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	defer func() { d.depth-- }()
	d.i++ // '['
	var es *shape
	if sh != nil {
		es = sh.elem
	}
	d.ws()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		if n == nil {
			return nil, nil
		}
		return []any{}, nil
	}
	start := len(d.elems)
	for count := 0; ; count++ {
		v, err := d.value(es, n)
		if err != nil {
			if de, ok := err.(*decodeError); ok {
				de.path = append(de.path, "["+strconv.Itoa(count)+"]")
			}
			return nil, err
		}
		if n != nil {
			d.elems = append(d.elems, v)
		}
		if more, err := d.more(']', "after list element"); !more {
			if n == nil || err != nil {
				return nil, err
			}
			l := slices.Clone(d.elems[start:])
			clear(d.elems[start:])
			d.elems = d.elems[:start]
			return l, nil
		}
	}
}

// str decodes a string starting at the opening quote; without keep the
// result may share the response's memory (it is only checked).
func (d *decoder) str(keep bool) (string, error) {
	start := d.i
	d.i++
	// Fast path: no escapes, ASCII or valid UTF-8.
	ascii := true
	for j := d.i; j < len(d.s); j++ {
		c := d.s[j]
		switch {
		case c == '"':
			raw := d.s[d.i:j]
			if !ascii && !utf8.ValidString(raw) {
				return "", d.errf("invalid UTF-8 in string at offset %d", start)
			}
			d.i = j + 1
			if !keep {
				return raw, nil
			}
			return strings.Clone(raw), nil
		case c == '\\':
			return d.strSlow(start)
		case c < 0x20:
			d.i = j
			return "", d.syntax("in string literal")
		case c >= 0x80:
			ascii = false
		}
	}
	d.i = len(d.s)
	return "", d.syntax("in string literal")
}

// strSlow decodes a string with escapes.
func (d *decoder) strSlow(start int) (string, error) {
	var b strings.Builder
	d.i = start + 1
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			out := b.String()
			if !utf8.ValidString(out) {
				return "", d.errf("invalid UTF-8 in string at offset %d", start)
			}
			return out, nil
		case c < 0x20:
			return "", d.syntax("in string literal")
		case c != '\\':
			b.WriteByte(c)
			d.i++
			continue
		}
		d.i++ // '\\'
		if d.i >= len(d.s) {
			break
		}
		e := d.s[d.i]
		d.i++
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.syntax("in \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A pair, or U+FFFD for a lone half (as encoding/json).
				if strings.HasPrefix(d.s[d.i:], "\\u") {
					save := d.i
					d.i += 2
					r2, ok := d.hex4()
					if ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							b.WriteRune(dec)
							continue
						}
					}
					d.i = save
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default:
			d.i--
			return "", d.syntax("in string escape")
		}
	}
	return "", d.syntax("in string literal")
}

func (d *decoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		d.i = len(d.s)
		return 0, false
	}
	n, err := strconv.ParseUint(d.s[d.i:d.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	d.i += 4
	return rune(n), true
}

// number decodes a number as json.Number, checked against sh (nil or a
// number kind); without keep it is only checked.
func (d *decoder) number(sh *shape, keep bool) (any, error) {
	start := d.i
	if d.s[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	switch {
	case d.i < len(d.s) && d.s[d.i] == '0':
		d.i++
	case digits() == 0:
		return nil, d.syntax("in numeric literal")
	}
	integer := true
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		integer = false
		if digits() == 0 {
			return nil, d.syntax("after decimal point in numeric literal")
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		integer = false
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, d.syntax("in exponent of numeric literal")
		}
	}
	text := d.s[start:d.i]
	if sh != nil {
		var err error
		switch sh.kind {
		case kInt:
			if !integer {
				return nil, mismatch("number "+text, sh)
			}
			_, err = strconv.ParseInt(text, 10, sh.bits)
		case kUint:
			if !integer {
				return nil, mismatch("number "+text, sh)
			}
			_, err = strconv.ParseUint(text, 10, sh.bits)
		case kFloat:
			_, err = strconv.ParseFloat(text, sh.bits)
		}
		if err != nil {
			return nil, d.errf("number %s out of range of %s", text, sh.want())
		}
	}
	if !keep {
		return nil, nil
	}
	return json.Number(strings.Clone(text)), nil
}

// checkString checks a string against a string kind (plain, time, bytes).
func checkString(sh *shape, s string, at int) error {
	switch sh.kind {
	case kTime:
		// RFC 3339 (time.Time's JSON) or another layout the model reads
		// (timeLayouts: the AWS CLI's, in authorization-details dumps).
		if _, ok := parseTime(s); !ok {
			return &decodeError{msg: fmt.Sprintf("got string %q at offset %d, want %s", s, at, sh.want())}
		}
	case kBytes:
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return &decodeError{msg: fmt.Sprintf("got string at offset %d that is not base64, want %s", at, sh.want())}
		}
	}
	return nil
}
