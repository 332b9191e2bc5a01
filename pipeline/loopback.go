package pipeline

import (
	"fmt"
	"net"
	"net/url"
	"strconv"

	"dagger.io/dagger"
)

// buildCacheAlias is the name a build cache on this machine has inside the builder.
const buildCacheAlias = "spack-ghcr-buildcache"

// cacheEndpoint is how the builder reaches the shared build cache. A registry on this
// machine's loopback (a local registry, the test bed's) is not at 127.0.0.1 inside the
// engine's containers, which have a network of their own: it is tunnelled to them as a
// Dagger service under buildCacheAlias.
func cacheEndpoint(client *dagger.Client, cacheURL string) (string, func(*dagger.Container) *dagger.Container, error) {
	none := func(c *dagger.Container) *dagger.Container { return c }
	u, err := url.Parse(cacheURL)
	if err != nil {
		return "", nil, fmt.Errorf("build cache %q: %w", cacheURL, err)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return cacheURL, none, nil
	}
	port := 443
	if u.Scheme == "oci+http" {
		port = 80
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return "", nil, fmt.Errorf("build cache %q: bad port: %w", cacheURL, err)
		}
	}
	svc := client.Host().Service([]dagger.PortForward{{Backend: port, Frontend: port}})
	u.Host = net.JoinHostPort(buildCacheAlias, strconv.Itoa(port))
	return u.String(), func(c *dagger.Container) *dagger.Container {
		return c.WithServiceBinding(buildCacheAlias, svc)
	}, nil
}
