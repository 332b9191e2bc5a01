package pkgpy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseLicenses(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []License
	}{
		{name: "none", input: "class A(Package):\n    pass\n"},
		{
			name:  "plain",
			input: "class A(Package):\n    license(\"MIT\")\n",
			want:  []License{{Expression: "MIT", Line: 2}},
		},
		{
			name: "when and checked_by",
			input: "class A(Package):\n    license(\"GPL-2.0-or-later\", when=\"@:4.5\", checked_by=\"me\")\n" +
				"    license(\"LGPL-2.1-or-later\", when=\"@4.6:\", checked_by=[\"a\", \"b\"])\n",
			want: []License{
				{Expression: "GPL-2.0-or-later", When: "@:4.5", CheckedBy: []string{"me"}, Line: 2},
				{Expression: "LGPL-2.1-or-later", When: "@4.6:", CheckedBy: []string{"a", "b"}, Line: 3},
			},
		},
		{
			name:  "over lines, adjacent literals",
			input: "class A(Package):\n    license(\n        \"MIT AND \"\n        \"Apache-2.0\",  # c\n        checked_by=\"x\",\n    )\n",
			want:  []License{{Expression: "MIT AND Apache-2.0", CheckedBy: []string{"x"}, Line: 2}},
		},
		{
			name:  "keyword identifier, when=True",
			input: "class A(Package):\n    license(license_identifier='BSD-3-Clause', when=True)\n",
			want:  []License{{Expression: "BSD-3-Clause", Line: 2}},
		},
		{
			name:  "under a condition and in a with block",
			input: "class A(Package):\n    if x:\n        license(\"MIT\")\n    with when(\"+gpl\"):\n        license(\"GPL-3.0-only\")\n",
			want:  []License{{Expression: "MIT", Line: 3}, {Expression: "GPL-3.0-only", Line: 5}},
		},
		{
			name:  "computed expression or condition",
			input: "class A(Package):\n    license(LICENSE)\n    license(f\"{x}\")\n    license(\"MIT\", when=W)\n    license(\"MIT\", **kw)\n",
		},
		{name: "in a def", input: "class A(Package):\n    def f(self):\n        license(\"MIT\")\n"},
		{name: "outside a class", input: "license(\"MIT\")\n"},
		{name: "a method call", input: "class A(Package):\n    self.license(\"MIT\")\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("package.py", []byte(tt.input))
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.Licenses)
		})
	}
}

func TestLicenseSPDX(t *testing.T) {
	tests := []struct {
		input      string
		want       string
		wantErr    string
		deprecated bool
	}{
		{input: "MIT", want: "MIT"},
		{input: "APACHE-2.0", want: "Apache-2.0"},
		{input: "GPL-1.0-or-later OR Artistic-1.0-Perl", want: "GPL-1.0-or-later OR Artistic-1.0-Perl"},
		{input: "(MIT OR Apache-2.0) AND BSD-3-Clause", want: "(MIT OR Apache-2.0) AND BSD-3-Clause"},
		{input: "GPL-2.0-or-later WITH Classpath-exception-2.0", want: "GPL-2.0-or-later WITH Classpath-exception-2.0"},
		{input: "LicenseRef-Vendor", want: "LicenseRef-Vendor"},
		{input: "GPL-2.0", want: "GPL-2.0", deprecated: true},
		{input: "custom", wantErr: `license "custom" is not an SPDX license expression`},
		{input: "GPLv2", wantErr: `license "GPLv2" is not an SPDX license expression`},
		{input: "MIT or AFL-2.1", wantErr: "not an SPDX license expression"},
		{input: "MIT AND", wantErr: "not an SPDX license expression"},
		{input: "", wantErr: "not an SPDX license expression"},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			l := License{Expression: tt.input}
			got, err := l.SPDX()
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				assert.False(t, l.DeprecatedSPDX())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.deprecated, l.DeprecatedSPDX())
		})
	}
}

func TestLicenseAppliesTo(t *testing.T) {
	tests := []struct {
		when, version       string
		wantApplies, wantOK bool
	}{
		{when: "", version: "1.0", wantApplies: true, wantOK: true},
		{when: "@:4.5", version: "4.5.2", wantApplies: true, wantOK: true},
		{when: "@:4.5", version: "4.6", wantApplies: false, wantOK: true},
		{when: "@4.6:", version: "4.6", wantApplies: true, wantOK: true},
		{when: " @2025: ", version: "2024.1", wantApplies: false, wantOK: true},
		{when: "+gpl", version: "1.0"},
		{when: "@2: +gpl", version: "3"},
		{when: "@bad:range:", version: "1"},
	}
	for _, tt := range tests {
		t.Run(tt.when+" "+tt.version, func(t *testing.T) {
			applies, ok := License{Expression: "MIT", When: tt.when}.AppliesTo(mustVersion(t, tt.version))
			assert.Equal(t, tt.wantApplies, applies)
			assert.Equal(t, tt.wantOK, ok)
		})
	}
}
