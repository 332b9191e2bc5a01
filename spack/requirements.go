package spack

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Requirements is what an environment and its includes require of every package
// (packages:all), which the pipeline's portable target must join, not replace.
type Requirements struct {
	// All is packages:all:require as Spack merges the scopes: a list of entries (a
	// spec string, or a mapping with spec, one_of or any_of), or one string.
	All []any
	// AllIsString is set when the merged value is one string, not a list: a list in
	// a higher scope would then replace it rather than join it.
	AllIsString bool
	// Target is the target the environment asks for (a "target=" requirement or
	// packages:all:target), or "".
	Target string
	// Shadowed are packages with a require: of their own, which Spack applies
	// instead of packages:all:require.
	Shadowed []string
}

// requirements reads packages: of the environment and of its includes, highest
// precedence first, and merges packages:all:require as Spack's merge_yaml does.
func (r *envReader) requirements(envPackages *yaml.Node) (Requirements, error) {
	type scoped struct {
		f *yamlFile
		n *yaml.Node
	}
	layers := []scoped{{r.file, envPackages}}
	for _, s := range r.scopes {
		layers = append(layers, scoped{s.packagesAt, s.packages})
	}
	var req Requirements
	var merged any
	// Lowest precedence first, so that each higher scope merges over the result.
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		if l.n == nil {
			continue
		}
		if err := l.f.mapping(l.n, "packages:"); err != nil {
			return req, err
		}
		for j := 0; j+1 < len(l.n.Content); j += 2 {
			pkg, settings := configKey(l.n.Content[j].Value), l.n.Content[j+1]
			if pkg != "all" {
				if mapValue(settings, "require") != nil && !slices.Contains(req.Shadowed, pkg) {
					req.Shadowed = append(req.Shadowed, pkg)
				}
				continue
			}
			if t := mapValue(settings, "target"); t != nil {
				req.Target = firstScalar(t)
			}
			key, value := requireOf(settings)
			if value == nil {
				continue
			}
			var v any
			if err := value.Decode(&v); err != nil {
				return req, l.f.errorf(value, "packages:all:require: %v", err)
			}
			merged = mergeYAML(merged, v, strings.HasSuffix(key, ":"))
		}
	}
	slices.Sort(req.Shadowed)
	switch m := merged.(type) {
	case nil:
	case []any:
		req.All = m
	case string:
		req.All, req.AllIsString = []any{m}, true
	default:
		return req, r.file.errorf(envPackages, "packages:all:require must be a string or a list")
	}
	if t := requiredTarget(req.All); t != "" {
		req.Target = t
	}
	return req, nil
}

// requireOf returns the require key as written (with any "::") and its value.
func requireOf(settings *yaml.Node) (string, *yaml.Node) {
	if settings == nil || settings.Kind != yaml.MappingNode {
		return "", nil
	}
	for i := 0; i+1 < len(settings.Content); i += 2 {
		if configKey(settings.Content[i].Value) == "require" {
			return settings.Content[i].Value, settings.Content[i+1]
		}
	}
	return "", nil
}

func firstScalar(n *yaml.Node) string {
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
		return n.Content[0].Value
	}
	return n.Value
}

// mergeYAML is Spack's merge_yaml for one value: lists join (the higher scope's first,
// without repeats), anything else is replaced, as is everything under an override key.
func mergeYAML(lower, higher any, override bool) any {
	hl, hok := higher.([]any)
	ll, lok := lower.([]any)
	if override || !hok || !lok {
		return higher
	}
	out := slices.Clone(hl)
	for _, x := range ll {
		if !slices.ContainsFunc(hl, func(y any) bool { return fmt.Sprint(y) == fmt.Sprint(x) }) {
			out = append(out, x)
		}
	}
	return out
}

// requiredTarget finds "target=..." in requirement entries: spec strings, or the spec,
// one_of and any_of of a mapping.
func requiredTarget(entries []any) string {
	var specs []string
	for _, e := range entries {
		switch e := e.(type) {
		case string:
			specs = append(specs, e)
		case map[string]any:
			if s, ok := e["spec"].(string); ok {
				specs = append(specs, s)
			}
			for _, k := range []string{"one_of", "any_of"} {
				if l, ok := e[k].([]any); ok {
					for _, x := range l {
						if s, ok := x.(string); ok {
							specs = append(specs, s)
						}
					}
				}
			}
		}
	}
	for _, s := range specs {
		if n, err := ParseAbstract(s); err == nil && n.Target != "" {
			return n.Target
		}
	}
	return ""
}

// PackagesConfig is the packages: section of the pipeline's own configuration scope,
// which Spack reads above the environment's: the portable target joins the
// environment's requirements, or yields to a target the environment asks for. outcome
// says which, for plan and the log.
func (e *Environment) PackagesConfig(portable string) (config, outcome string, err error) {
	req := e.Requirements
	switch {
	case req.Target != "":
		return "packages: {}\n", fmt.Sprintf("%s, the environment's own (the portable target yields)", req.Target), nil
	case portable == "":
		return "packages: {}\n", "left to Spack", nil
	}
	entries := []any{"target=" + portable}
	outcome = fmt.Sprintf("%s, added to every package's requirements", portable)
	if req.AllIsString {
		// A list above a string replaces it: carry the environment's requirement.
		entries = append(req.All, entries...)
		outcome = fmt.Sprintf("%s, added to the environment's requirement %q", portable, req.All[0])
	} else if len(req.All) > 0 {
		outcome = fmt.Sprintf("%s, added to the environment's %d requirement(s)", portable, len(req.All))
	}
	if len(req.Shadowed) > 0 {
		outcome += fmt.Sprintf("; not to %s, whose own require: Spack applies instead (name a target there)", strings.Join(req.Shadowed, ", "))
	}
	out, err := yaml.Marshal(map[string]any{"packages": map[string]any{"all": map[string]any{"require": entries}}})
	if err != nil {
		return "", "", fmt.Errorf("writing packages.yaml: %w", err)
	}
	return string(out), outcome, nil
}
