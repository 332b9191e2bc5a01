package sbom

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/github/go-spdx/v2/spdxexp"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// The part of SPDX 2.3's JSON form this package writes
// (https://spdx.github.io/spdx-spec/v2.3/).
type document struct {
	SPDXVersion       string         `json:"spdxVersion"`
	DataLicense       string         `json:"dataLicense"`
	SPDXID            string         `json:"SPDXID"`
	Name              string         `json:"name"`
	DocumentNamespace string         `json:"documentNamespace"`
	CreationInfo      creationInfo   `json:"creationInfo"`
	Comment           string         `json:"comment,omitempty"`
	Packages          []pkg          `json:"packages"`
	Relationships     []relationship `json:"relationships"`
}

type creationInfo struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type pkg struct {
	Name             string        `json:"name"`
	SPDXID           string        `json:"SPDXID"`
	VersionInfo      string        `json:"versionInfo"`
	DownloadLocation string        `json:"downloadLocation"`
	FilesAnalyzed    bool          `json:"filesAnalyzed"`
	Homepage         string        `json:"homepage,omitempty"`
	LicenseConcluded string        `json:"licenseConcluded"`
	LicenseDeclared  string        `json:"licenseDeclared"`
	CopyrightText    string        `json:"copyrightText"`
	ExternalRefs     []externalRef `json:"externalRefs"`
	Comment          string        `json:"comment,omitempty"`
}

type externalRef struct {
	ReferenceCategory string `json:"referenceCategory"`
	ReferenceType     string `json:"referenceType"`
	ReferenceLocator  string `json:"referenceLocator"`
}

type relationship struct {
	SPDXElementID      string `json:"spdxElementId"`
	RelationshipType   string `json:"relationshipType"`
	RelatedSPDXElement string `json:"relatedSpdxElement"`
}

const (
	noAssertion = "NOASSERTION"
	documentID  = "SPDXRef-DOCUMENT"
)

func build(in Input) (*document, error) {
	lf := in.Lockfile
	closure := lf.RuntimeClosure()
	shipped := in.Shipped
	if shipped == nil {
		shipped = closure.Specs
	}
	ids := map[string]string{} // DAG hash → SPDXID
	var pkgs []pkg
	for _, s := range shipped {
		if s == nil || lf.Specs[s.Hash] == nil || lf.Specs[s.Hash].Name != s.Name {
			return nil, fmt.Errorf("shipped spec %v is not in the lockfile", s)
		}
		if _, dup := ids[s.Hash]; dup {
			continue
		}
		ids[s.Hash] = spdxID(s)
		pkgs = append(pkgs, newPkg(s, in.Packages[s.Name]))
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].SPDXID < pkgs[j].SPDXID })

	rels := relationships(lf, ids, pkgs)

	creators := []string{"Tool: spack-ghcr"}
	if lf.SpackVersion != "" {
		creators = append(creators, "Tool: spack-"+lf.SpackVersion)
	}
	return &document{
		SPDXVersion:   "SPDX-2.3",
		DataLicense:   "CC0-1.0",
		SPDXID:        documentID,
		Name:          in.Name,
		CreationInfo:  creationInfo{Created: in.Created.UTC().Format(time.RFC3339), Creators: creators},
		Comment:       externalsComment(closure.Externals),
		Packages:      pkgs,
		Relationships: rels,
	}, nil
}

// relationships: the document describes the shipped roots (or, when no root ships, every
// package), and each package depends on what it links to or runs, where that ships.
func relationships(lf *spack.Lockfile, ids map[string]string, pkgs []pkg) []relationship {
	var rels []relationship
	for _, r := range lf.Roots {
		if id, ok := ids[r.Hash]; ok {
			rels = append(rels, relationship{documentID, "DESCRIBES", id})
		}
	}
	if len(rels) == 0 {
		// No root ships (an image of dependencies only): the document describes all.
		for _, p := range pkgs {
			rels = append(rels, relationship{documentID, "DESCRIBES", p.SPDXID})
		}
	}
	for hash, id := range ids {
		for _, d := range lf.Specs[hash].Dependencies {
			dep, ok := ids[d.Hash]
			if ok && (slices.Contains(d.Types, "link") || slices.Contains(d.Types, "run")) {
				rels = append(rels, relationship{id, "DEPENDS_ON", dep})
			}
		}
	}
	sort.Slice(rels, func(i, j int) bool {
		a, b := rels[i], rels[j]
		if a.SPDXElementID != b.SPDXElementID {
			return a.SPDXElementID < b.SPDXElementID
		}
		if a.RelationshipType != b.RelationshipType {
			return a.RelationshipType < b.RelationshipType
		}
		return a.RelatedSPDXElement < b.RelatedSPDXElement
	})
	return rels
}

func newPkg(s *spack.ConcreteSpec, meta Package) pkg {
	p := pkg{
		Name:             s.Name,
		SPDXID:           spdxID(s),
		VersionInfo:      s.Version,
		DownloadLocation: noAssertion,
		Homepage:         meta.Homepage,
		LicenseConcluded: noAssertion,
		LicenseDeclared:  noAssertion,
		CopyrightText:    noAssertion,
		ExternalRefs:     []externalRef{{"PACKAGE-MANAGER", "purl", PURL(s)}},
	}
	if u, err := url.Parse(meta.SourceURL); err == nil && u.Scheme != "" && u.Host != "" {
		p.DownloadLocation = meta.SourceURL
	}
	if u, err := url.Parse(meta.Homepage); err != nil || u.Scheme == "" || u.Host == "" {
		p.Homepage = ""
	}
	if lic := strings.TrimSpace(meta.License); lic != "" {
		if ok, _ := spdxexp.ValidateLicenses([]string{lic}); ok {
			p.LicenseDeclared = lic
		} else {
			p.Comment = fmt.Sprintf("declared license %q is not an SPDX license expression", lic)
		}
	}
	return p
}

// PURL is the package URL of a concrete spec, in the spack type proposed to the purl
// specification (package-url/purl-spec, types/spack-definition.json, not yet merged in
// 2026): pkg:spack/NAMESPACE/NAME@VERSION?sha=DAGHASH, the DAG hash as `spack find -l`
// prints it, in full.
func PURL(s *spack.ConcreteSpec) string {
	var b strings.Builder
	b.WriteString("pkg:spack/")
	if s.Namespace != "" {
		b.WriteString(purlEscape(s.Namespace) + "/")
	}
	b.WriteString(purlEscape(s.Name))
	if s.Version != "" {
		b.WriteString("@" + purlEscape(s.Version))
	}
	b.WriteString("?sha=" + purlEscape(s.Hash))
	return b.String()
}

// purlEscape percent-encodes all but the characters the purl spec leaves as they are.
func purlEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-_~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// spdxID is unique per concrete spec: SPDX IDs allow letters, digits, '.' and '-'.
func spdxID(s *spack.ConcreteSpec) string {
	clean := func(x string) string {
		return strings.Map(func(r rune) rune {
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '-' {
				return r
			}
			return '-'
		}, x)
	}
	return "SPDXRef-Package-" + clean(s.Name) + "-" + clean(s.Hash)
}

func externalsComment(externals []*spack.ConcreteSpec) string {
	if len(externals) == 0 {
		return ""
	}
	var names []string
	for _, e := range externals {
		names = append(names, fmt.Sprintf("%s@%s (%s)", e.Name, e.Version, e.External))
	}
	return "Not in the image; the base image provides them: " + strings.Join(names, ", ")
}
