package spack

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// AddSpec returns spack.yaml data with one more root spec, as `spack add` would. The
// result is re-encoded: comments survive, but not necessarily the indentation.
func AddSpec(data []byte, spec string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("adding %s: %w", spec, err)
	}
	var specs *yaml.Node
	if len(doc.Content) > 0 {
		if env := mapValue(doc.Content[0], "spack"); env != nil {
			specs = mapValue(env, "specs")
		}
	}
	if specs == nil || specs.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("adding %s: no spack.specs list", spec)
	}
	specs.Content = append(specs.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: spec})
	return yaml.Marshal(&doc)
}
