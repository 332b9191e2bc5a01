// Package plan says what `build` would do with an environment, without the engine:
// the root specs as Spack expands them, builder and runtime images, target, view, the
// files included, and the image's name and tags.
package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spack-ghcr/spack-ghcr/provenance"
	"github.com/spack-ghcr/spack-ghcr/registry"
	"github.com/spack-ghcr/spack-ghcr/spack"
)

// Plan is what `build` would do with one environment.
type Plan struct {
	Name     string   `json:"name"`
	Dir      string   `json:"dir"`
	Specs    []string `json:"specs"`
	Builder  string   `json:"builder_image"`
	Runtime  string   `json:"runtime_image"`
	Target   string   `json:"target"`
	View     string   `json:"view"`
	Includes []string `json:"includes"`
	Image    string   `json:"image,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

// Options are the build flags a plan depends on.
type Options struct {
	// Target is the portable target joined to the environment's requirements.
	Target string
	// Registry is the namespace build would publish to, "" for none.
	Registry string
	// Revision is the revision build would tag (provenance.SourceDate).
	Revision string
}

// Of is the plan for env.
func Of(env *spack.Environment, o Options) (Plan, error) {
	_, target, err := env.PackagesConfig(o.Target)
	if err != nil {
		return Plan{}, err
	}
	viewRoot, _ := env.View.Placement("<environment>")
	p := Plan{
		Name: env.Name, Dir: env.RelDir, Specs: env.Specs,
		Builder: env.Images.Builder, Runtime: env.Images.Runtime,
		Target: target, View: viewRoot, Includes: []string{},
	}
	if p.View == "" {
		p.View = "none"
	}
	for _, inc := range env.Includes {
		name := inc.Rel
		if inc.Dir {
			name += "/"
		}
		p.Includes = append(p.Includes, name)
	}
	if o.Registry != "" {
		// The name build publishes to, checked as build checks it.
		repo, err := registry.Repository(o.Registry, env.Name)
		if err != nil {
			return Plan{}, err
		}
		p.Image = repo
	}
	var version string
	if len(env.Roots) == 1 {
		version = "<root version>"
		if v, ok := env.Roots[0].Versions.Pinned(); ok {
			version = v.String()
		}
	}
	p.Tags = provenance.Tags(version, o.Revision)
	return p, nil
}

// WriteJSON writes the plans as an indented JSON array.
func WriteJSON(w io.Writer, plans []Plan) error {
	data, err := json.MarshalIndent(plans, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}

// WriteText writes the plans as aligned text, one block per environment.
func WriteText(w io.Writer, plans []Plan) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, p := range plans {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		image := p.Image
		if image == "" {
			image = "(not published: no --registry)"
		}
		includes := strings.Join(p.Includes, ", ")
		if includes == "" {
			includes = "none"
		}
		fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Dir)
		fmt.Fprintf(tw, "  specs\t%s\n", strings.Join(p.Specs, "\n  \t"))
		fmt.Fprintf(tw, "  builder\t%s\n  runtime\t%s\n  target\t%s\n  view\t%s\n  includes\t%s\n", p.Builder, p.Runtime, p.Target, p.View, includes)
		fmt.Fprintf(tw, "  image\t%s\n  tags\t%s\n", image, strings.Join(p.Tags, ", "))
	}
	return tw.Flush()
}
