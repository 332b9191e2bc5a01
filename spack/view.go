package spack

import (
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// View is an environment's view: setting (spack/schema/view.py): none, Spack's
// default view, a view at a path, or named views of which spack-ghcr ships one.
type View struct {
	// Enabled is false for view: false.
	Enabled bool
	// Root is where the view is; "" for Spack's default place in the environment.
	Root string
	// Name is the view shipped from a mapping of named views ("default" when there
	// is one of that name).
	Name string
}

// DefaultViewRoot is where the pipeline puts a view the environment leaves in Spack's
// default place, so that the runtime image's PATH reads /opt/view/bin.
const DefaultViewRoot = "/opt/view"

// parseView reads view: absent or true (Spack's default view), false, a path, or a
// mapping of named views with their roots.
func parseView(f *yamlFile, n *yaml.Node) (View, error) {
	switch {
	case n == nil:
		return View{Enabled: true}, nil
	case n.Kind == yaml.ScalarNode && n.Tag == "!!bool":
		on, err := f.boolean(n, "view")
		return View{Enabled: on}, err
	case n.Kind == yaml.ScalarNode:
		root, err := f.str(n, "view")
		return View{Enabled: true, Root: viewRoot(f, root)}, err
	case n.Kind != yaml.MappingNode:
		return View{}, f.errorf(n, "view must be true, false, a path or a mapping of views, not a %s", kindName(n))
	}
	if len(n.Content) == 0 {
		return View{}, nil
	}
	pick := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "default" {
			pick = i
		}
	}
	name, v := n.Content[pick].Value, n.Content[pick+1]
	if err := f.mapping(v, "view."+name); err != nil {
		return View{}, err
	}
	root := mapValue(v, "root")
	if root == nil {
		return View{}, f.errorf(v, "view.%s has no root", name)
	}
	r, err := f.str(root, "view."+name+".root")
	return View{Enabled: true, Root: viewRoot(f, r), Name: name}, err
}

// viewRoot keeps an absolute root; a relative one is Spack's relative to the
// environment, which the builder holds at the same relative place.
func viewRoot(f *yamlFile, root string) string {
	if filepath.IsAbs(root) {
		return filepath.Clean(root)
	}
	return root
}

// Placement is where the view is in a builder that holds the environment at envDir,
// and where the pipeline's scope places Spack's default view ("" to leave the
// environment's view setting alone: false, a path, named views). A view in Spack's
// default place (.spack-env/view) moves to DefaultViewRoot, so that the image's PATH
// reads /opt/view/bin; a view the environment places stays there.
func (v View) Placement(envDir string) (root, scopeView string) {
	switch {
	case !v.Enabled:
		return "", ""
	case v.Root == "":
		return DefaultViewRoot, DefaultViewRoot
	case v.Root[0] == '/':
		return v.Root, ""
	}
	return envDir + "/" + v.Root, ""
}
