package main

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// serveGuard checks what every request says about where it comes from,
// before the page or the API sees it:
//
//   - Host (DNS rebinding): only the hosts serve printed are served, its
//     listening address, localhost and the -base host (and, when it listens
//     on every address, this machine's own IP addresses); others get 421.
//   - Origin and Sec-Fetch-Site (cross-site requests): an API request from a
//     browser must come from one of those origins, same-origin; others get
//     403. A cross-site text/plain POST needs no CORS preflight, so the
//     browser would send it: this refuses it. Clients that send neither
//     header (curl, Go) are not browsers and meet the pairing secret alone.
type serveGuard struct {
	hosts []serveHost
	next  http.Handler
}

// serveHost is one accepted host: its scheme (for Origin and the default
// port), lower-case name or IP literal, and port.
type serveHost struct {
	scheme, name, port string
}

// newServeGuard accepts the listening address ln (as printed), localhost
// on its port, the host of base, and, when ln is unspecified, the IP
// addresses of this machine on its port.
func newServeGuard(ln *net.TCPAddr, base *url.URL, next http.Handler) *serveGuard {
	port := strconv.Itoa(ln.Port)
	g := &serveGuard{next: next}
	g.hosts = append(g.hosts, serveHost{"http", "localhost", port})
	if ln.IP.IsUnspecified() {
		g.hosts = append(g.hosts, serveHost{"http", "127.0.0.1", port})
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				g.hosts = append(g.hosts, serveHost{"http", ipn.IP.String(), port})
			}
		}
	} else {
		g.hosts = append(g.hosts, serveHost{"http", ln.IP.String(), port})
	}
	if base != nil {
		bp := base.Port()
		if bp == "" {
			bp = defaultPort(base.Scheme)
		}
		g.hosts = append(g.hosts, serveHost{base.Scheme, strings.ToLower(base.Hostname()), bp})
	}
	return g
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// allowed reports whether hostport (a Host header or an Origin's host)
// names an accepted host; scheme is "" for a Host header (any scheme).
func (g *serveGuard) allowed(scheme, hostport string) bool {
	name, port, err := net.SplitHostPort(hostport)
	if err != nil {
		name, port = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]"), ""
	}
	name = strings.ToLower(name)
	if ip := net.ParseIP(name); ip != nil {
		name = ip.String()
	}
	for _, h := range g.hosts {
		if scheme != "" && h.scheme != scheme {
			continue
		}
		if h.name == name && (h.port == port || port == "" && h.port == defaultPort(h.scheme)) {
			return true
		}
	}
	return false
}

// sameOrigin reports whether a request may use the API: no header says it
// comes from another origin.
func (g *serveGuard) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Path == "" && u.User == nil && (u.Scheme == "http" || u.Scheme == "https") &&
		g.allowed(u.Scheme, u.Host)
}

func (g *serveGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.allowed("", r.Host) {
		http.Error(w, "peer serve: unknown host "+strconv.Quote(r.Host)+"; open the address peer serve printed", http.StatusMisdirectedRequest)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") && !g.sameOrigin(r) {
		serveJSON(w, http.StatusForbidden, serveError{Error: "peer: a request from another site", Class: "origin"})
		return
	}
	g.next.ServeHTTP(w, r)
}
