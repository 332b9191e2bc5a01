package spack

// matrixConstraints is _expand_matrix_constraints: the product of the rows, a nested
// matrix flattened to one constraint per combination, the combinations that satisfy an
// exclude left out, and the sigil of a "$^name" reference put on the first constraint.
func (x *expander) matrixConstraints(it listItem) ([][]*Node, error) {
	m := it.matrix
	var rows [][]listItem
	total := 1
	for _, row := range m.rows {
		var options []listItem
		for _, r := range row {
			if r.matrix == nil {
				options = append(options, r)
				continue
			}
			nested, err := x.matrixConstraints(r)
			if err != nil {
				return nil, err
			}
			for _, combo := range nested {
				options = append(options, listItem{text: joinSpecs(combo), file: r.file, node: r.node})
			}
		}
		rows = append(rows, options)
		total *= len(options)
		if total > MaxSpecs {
			return nil, it.file.errorf(it.node, "matrix makes more than %d root specs: the bound on an environment", MaxSpecs)
		}
	}
	if len(rows) == 0 || total == 0 {
		return nil, nil
	}
	var excludes []*Node
	for _, e := range m.exclude {
		n, err := parseAt(e)
		if err != nil {
			return nil, err
		}
		excludes = append(excludes, n)
	}
	parsed := make([][]*Node, len(rows))
	for i, row := range rows {
		for _, r := range row {
			n, err := parseAt(r)
			if err != nil {
				return nil, err
			}
			parsed[i] = append(parsed[i], n)
		}
	}
	var out [][]*Node
	idx := make([]int, len(rows))
	for {
		combo := make([]*Node, len(rows))
		for i, j := range idx {
			combo[i] = parsed[i][j]
		}
		keep, err := x.keep(it, combo, excludes)
		if err != nil {
			return nil, err
		}
		if keep {
			if m.sigil != "" {
				first, err := ParseAbstract(m.sigil + combo[0].String())
				if err != nil {
					return nil, it.file.errorf(it.node, "%v", err)
				}
				combo[0] = first
			}
			out = append(out, combo)
		}
		// Advance the odometer, last row fastest, as itertools.product does.
		k := len(idx) - 1
		for ; k >= 0; k-- {
			if idx[k]++; idx[k] < len(parsed[k]) {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return out, nil
		}
	}
}

// keep merges a combination and reports whether it satisfies no exclude.
func (x *expander) keep(it listItem, combo []*Node, excludes []*Node) (bool, error) {
	if len(excludes) == 0 {
		return true, nil
	}
	test := combo[0].clone()
	for _, c := range combo[1:] {
		if err := test.constrain(c); err != nil {
			return false, it.file.errorf(it.node, "matrix combination %s: %v", joinSpecs(combo), err)
		}
	}
	for _, e := range excludes {
		if test.satisfies(e) {
			return false, nil
		}
	}
	return true, nil
}
