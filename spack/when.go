package spack

import (
	"fmt"
	"regexp"
	"strings"
)

// Host is what Spack's eval_conditional sees when it evaluates a `when:` of a
// definition or an include (spack.spec.get_host_environment): the builder's platform,
// operating system and target, and its environment variables.
type Host struct {
	Platform string // "linux"
	// OS is Spack's name of the builder's operating system ("ubuntu24.04"), or ""
	// when it is not known before the builder runs: a condition reading it is then an
	// error rather than a guess.
	OS     string
	Target string // "x86_64_v3"
	// Env is the builder's environment as `env` ("env.get('X')").
	Env map[string]string
}

// EvalCondition evaluates a `when:` string the way Spack does (a Python expression over
// platform, os, target, arch, env and re), for the subset of Python such conditions
// use: string literals, ==, !=, in, not in, and, or, not, parentheses, env.get(...),
// env[...], arch.satisfies(...), re.match/re.search and str.startswith/endswith. Any
// other expression is an error, never a guess.
func EvalCondition(expr string, h Host) (bool, error) {
	p := &condParser{src: expr, host: h}
	if err := p.lex(); err != nil {
		return false, fmt.Errorf("condition %q: %w", expr, err)
	}
	v, err := p.or()
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	if err != nil {
		return false, fmt.Errorf("condition %q: %w", expr, err)
	}
	return v.truthy(), nil
}

type pyKind int

const (
	pyNone pyKind = iota
	pyStr
	pyBool
	pyObject // env, re, arch: only their attributes can be used
	pyFunc
)

type pyVal struct {
	kind pyKind
	s    string // a string, or an object's name
	b    bool
	fn   func(args []pyVal) (pyVal, error)
}

func (v pyVal) truthy() bool {
	switch v.kind {
	case pyStr:
		return v.s != ""
	case pyBool:
		return v.b
	case pyObject, pyFunc:
		return true
	}
	return false
}

func str(s string) pyVal   { return pyVal{kind: pyStr, s: s} }
func boolean(b bool) pyVal { return pyVal{kind: pyBool, b: b} }

type condParser struct {
	src  string
	toks []string
	i    int
	host Host
	// skipping is set while parsing an operand Python would not evaluate (the right
	// side of a short-circuited and/or): its syntax is checked, its values are not.
	skipping bool
}

var condTokenRE = regexp.MustCompile(`^(?:\s+|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|[0-9]+|==|!=|<=|>=|[<>()\[\],.])`)

func (p *condParser) lex() error {
	for s := p.src; s != ""; {
		m := condTokenRE.FindString(s)
		if m == "" {
			return fmt.Errorf("unexpected %q", s[:1])
		}
		if strings.TrimSpace(m) != "" {
			p.toks = append(p.toks, m)
		}
		s = s[len(m):]
	}
	return nil
}

func (p *condParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *condParser) eat(t string) bool {
	if p.peek() == t {
		p.i++
		return true
	}
	return false
}

func (p *condParser) or() (pyVal, error) {
	v, err := p.and()
	for err == nil && p.eat("or") {
		var w pyVal
		// Python short-circuits: the right side is not evaluated when the left holds.
		if w, err = p.operand(v.truthy(), p.and); err == nil && !v.truthy() {
			v = w
		}
	}
	return v, err
}

func (p *condParser) and() (pyVal, error) {
	v, err := p.not()
	for err == nil && p.eat("and") {
		var w pyVal
		if w, err = p.operand(!v.truthy(), p.not); err == nil && v.truthy() {
			v = w
		}
	}
	return v, err
}

// operand parses the right side of and/or, evaluating it only when Python would, so
// that an unknown os cannot fail a condition already decided.
func (p *condParser) operand(skip bool, parse func() (pyVal, error)) (pyVal, error) {
	if !skip || p.skipping {
		return parse()
	}
	p.skipping = true
	defer func() { p.skipping = false }()
	return parse()
}

func (p *condParser) not() (pyVal, error) {
	if p.eat("not") {
		v, err := p.not()
		return boolean(!v.truthy()), err
	}
	return p.comparison()
}

func (p *condParser) comparison() (pyVal, error) {
	left, err := p.primary()
	for err == nil {
		op := p.peek()
		negate := false
		switch {
		case op == "not" && p.i+1 < len(p.toks) && p.toks[p.i+1] == "in":
			p.i += 2
			op, negate = "in", true
		case op == "==" || op == "!=" || op == "in":
			p.i++
		default:
			return left, nil
		}
		var right pyVal
		if right, err = p.primary(); err != nil {
			break
		}
		if p.skipping {
			left = pyVal{}
			continue
		}
		var res bool
		switch op {
		case "==", "!=":
			res = left.kind == right.kind && left.s == right.s && left.b == right.b
			if op == "!=" {
				res = !res
			}
		case "in":
			if res, err = pyContains(right, left, p.host); err != nil {
				return pyVal{}, err
			}
			res = res != negate
		}
		left = boolean(res)
	}
	return left, err
}

func pyContains(container, item pyVal, h Host) (bool, error) {
	switch {
	case container.kind == pyStr && item.kind == pyStr:
		return strings.Contains(container.s, item.s), nil
	case container.kind == pyObject && container.s == "env" && item.kind == pyStr:
		_, ok := h.Env[item.s]
		return ok, nil
	}
	return false, fmt.Errorf("'in' needs strings (or env)")
}

func (p *condParser) primary() (pyVal, error) {
	v, err := p.atom()
	for err == nil {
		switch {
		case p.eat("."):
			name := p.peek()
			p.i++
			v, err = p.attribute(v, name)
		case p.eat("("):
			var args []pyVal
			for err == nil && !p.eat(")") {
				var a pyVal
				if a, err = p.or(); err == nil {
					args = append(args, a)
					if !p.eat(",") && p.peek() != ")" {
						err = fmt.Errorf("want ',' or ')' in a call")
					}
				}
			}
			if err == nil {
				switch {
				case v.kind != pyFunc:
					return pyVal{}, fmt.Errorf("only methods can be called")
				case p.skipping:
					v = pyVal{}
				default:
					v, err = v.fn(args)
				}
			}
		case p.eat("["):
			var key pyVal
			if key, err = p.or(); err == nil && !p.eat("]") {
				err = fmt.Errorf("want ']'")
			}
			if err == nil {
				if v.kind != pyObject || v.s != "env" || key.kind != pyStr {
					return pyVal{}, fmt.Errorf("only env[...] can be indexed")
				}
				val, ok := p.host.Env[key.s]
				if !ok && !p.skipping {
					return pyVal{}, fmt.Errorf("env[%q]: the builder's environment has no such variable (KeyError in Spack)", key.s)
				}
				v = str(val)
			}
		default:
			return v, nil
		}
	}
	return v, err
}

func (p *condParser) atom() (pyVal, error) {
	t := p.peek()
	p.i++
	switch {
	case t == "":
		return pyVal{}, fmt.Errorf("unexpected end")
	case t == "(":
		v, err := p.or()
		if err == nil && !p.eat(")") {
			err = fmt.Errorf("want ')'")
		}
		return v, err
	case t[0] == '\'' || t[0] == '"':
		return str(pyUnescape(t[1 : len(t)-1])), nil
	case t == "True" || t == "False":
		return boolean(t == "True"), nil
	case t == "None":
		return pyVal{}, nil
	}
	return p.name(t)
}

func pyUnescape(s string) string {
	r := strings.NewReplacer(`\\`, `\`, `\'`, `'`, `\"`, `"`, `\n`, "\n", `\t`, "\t")
	return r.Replace(s)
}

// name resolves a variable of Spack's eval_conditional.
func (p *condParser) name(t string) (pyVal, error) {
	h := p.host
	switch t {
	case "platform":
		return str(h.Platform), nil
	case "target":
		return str(h.Target), nil
	case "os":
		if h.OS == "" && !p.skipping {
			return pyVal{}, fmt.Errorf("reads os, and the builder image's operating system is not known before it runs (Spack's table names it for its own images; for another image pass --builder-os)")
		}
		return str(h.OS), nil
	case "env", "re", "arch", "architecture":
		return pyVal{kind: pyObject, s: t}, nil
	case "arch_str":
		return str(h.archString()), nil
	case "hostname":
		if p.skipping {
			return pyVal{}, nil
		}
		return pyVal{}, fmt.Errorf("reads hostname, which a builder does not have before it runs")
	}
	return pyVal{}, fmt.Errorf("unknown name %q (Spack knows platform, os, target, arch, env, re, hostname)", t)
}

func (h Host) archString() string {
	return fmt.Sprintf("platform=%s os=%s target=%s", h.Platform, h.OS, h.Target)
}

func (p *condParser) attribute(v pyVal, name string) (pyVal, error) {
	method := func(fn func(args []pyVal) (pyVal, error)) (pyVal, error) {
		return pyVal{kind: pyFunc, fn: fn}, nil
	}
	switch {
	case v.kind == pyObject && v.s == "env" && name == "get":
		return method(func(args []pyVal) (pyVal, error) {
			if len(args) < 1 || len(args) > 2 || args[0].kind != pyStr {
				return pyVal{}, fmt.Errorf("env.get takes a name and an optional default")
			}
			if val, ok := p.host.Env[args[0].s]; ok {
				return str(val), nil
			}
			if len(args) == 2 {
				return args[1], nil
			}
			return pyVal{}, nil
		})
	case v.kind == pyObject && v.s == "re" && (name == "match" || name == "search" || name == "fullmatch"):
		return method(func(args []pyVal) (pyVal, error) {
			if len(args) != 2 || args[0].kind != pyStr || args[1].kind != pyStr {
				return pyVal{}, fmt.Errorf("re.%s takes a pattern and a string", name)
			}
			pat := args[0].s
			switch name {
			case "match":
				pat = `^(?:` + pat + `)`
			case "fullmatch":
				pat = `^(?:` + pat + `)$`
			}
			re, err := regexp.Compile(pat)
			if err != nil {
				return pyVal{}, fmt.Errorf("re.%s: %w", name, err)
			}
			return boolean(re.MatchString(args[1].s)), nil
		})
	case v.kind == pyObject && (v.s == "arch" || v.s == "architecture") && name == "satisfies":
		return method(func(args []pyVal) (pyVal, error) {
			if len(args) != 1 || args[0].kind != pyStr {
				return pyVal{}, fmt.Errorf("arch.satisfies takes one spec string")
			}
			want, err := ParseAbstract(args[0].s)
			if err != nil {
				return pyVal{}, err
			}
			arch := &Node{Platform: p.host.Platform, OS: p.host.OS, Target: p.host.Target}
			if want.OS != "" && p.host.OS == "" {
				return pyVal{}, fmt.Errorf("reads os, and the builder image's operating system is not known before it runs")
			}
			return boolean(arch.satisfies(want)), nil
		})
	case v.kind == pyStr && (name == "startswith" || name == "endswith"):
		return method(func(args []pyVal) (pyVal, error) {
			if len(args) != 1 || args[0].kind != pyStr {
				return pyVal{}, fmt.Errorf("str.%s takes one string", name)
			}
			if name == "startswith" {
				return boolean(strings.HasPrefix(v.s, args[0].s)), nil
			}
			return boolean(strings.HasSuffix(v.s, args[0].s)), nil
		})
	}
	return pyVal{}, fmt.Errorf("unsupported attribute .%s", name)
}
