// Package sbom writes the software bill of materials of a runtime image: an SPDX 2.3
// JSON document listing each Spack package the image ships, with its version, DAG hash,
// declared license and source.
//
// The document is a function of its inputs (no clock, no random namespace, fixed
// order), so the same image gets the same SBOM and the same digest when it is attached.
package sbom

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spack-ghcr/spack-ghcr/spack"
)

// MediaType is the SBOM's media type, and its artifactType when attached to an image.
const MediaType = "application/spdx+json"

// DefaultNamespace is the URI the document namespace starts with when Input gives none;
// SPDX suggests it for tools without a domain of their own.
const DefaultNamespace = "https://spdx.org/spdxdocs/spack-ghcr"

// Package is what a package.py declares, as the caller read it.
type Package struct {
	// License is the SPDX license expression of Spack's license() directive, or "".
	License string
	// Homepage is the package's homepage, or "".
	Homepage string
	// SourceURL is where the built version's source comes from, or "".
	SourceURL string
}

// Input is what an SBOM is made of.
type Input struct {
	// Name names the document: the image or environment.
	Name string
	// Lockfile is the environment's spack.lock.
	Lockfile *spack.Lockfile
	// Shipped are the specs the image holds, all from Lockfile; nil means the lockfile's
	// runtime closure.
	Shipped []*spack.ConcreteSpec
	// Packages holds what each package (by name) declares; a package not in it gets
	// NOASSERTION for license and source.
	Packages map[string]Package
	// Created is the document's creation time. It is an input, not the clock, so the
	// SBOM is reproducible: pass the image's own creation date.
	Created time.Time
	// Namespace starts the document namespace; the default is DefaultNamespace. The
	// document's name and a hash of its content complete it.
	Namespace string
}

// Write writes the SBOM of in to w as SPDX 2.3 JSON.
func Write(w io.Writer, in Input) error {
	data, err := Document(in)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// Document returns the SBOM of in as SPDX 2.3 JSON.
func Document(in Input) ([]byte, error) {
	if in.Lockfile == nil {
		return nil, errors.New("sbom: no lockfile")
	}
	if in.Name == "" {
		return nil, errors.New("sbom: no name")
	}
	if in.Created.IsZero() {
		return nil, fmt.Errorf("sbom %s: no creation time (pass the image's, for a reproducible document)", in.Name)
	}
	doc, err := build(in)
	if err != nil {
		return nil, fmt.Errorf("sbom %s: %w", in.Name, err)
	}
	// The namespace must be unique per document content and the same for the same
	// content: hash the document without it.
	body, err := marshal(doc)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	ns := strings.TrimSuffix(in.Namespace, "/")
	if ns == "" {
		ns = DefaultNamespace
	}
	doc.DocumentNamespace = fmt.Sprintf("%s/%s-%s", ns, in.Name, hex.EncodeToString(sum[:16]))
	return marshal(doc)
}

func marshal(doc *document) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encoding the sbom: %w", err)
	}
	return buf.Bytes(), nil
}
