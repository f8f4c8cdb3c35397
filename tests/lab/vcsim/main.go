// Command vcsim-lab serves govmomi's vCenter simulator (Debian's govmomi 0.24.2)
// with the extensions the MigrationPortal connector tests need: long-running,
// cancellable tasks with rising progress, host-state checks on relocation,
// consistent placement after a relocation, migrateEncryption, fault injection,
// session expiry, RetrievePropertiesEx paging and a small JSON control API
// under /lab/. See README.md next to this file.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/vmware/govmomi/simulator"
	_ "github.com/vmware/govmomi/vapi/simulator" // REST /rest/com/vmware/cis/session
	"github.com/vmware/govmomi/vim25/types"
)

type options struct {
	listen         string
	useTLS         bool
	tlsKeygen      bool
	certOut        string
	thumbOut       string
	username       string
	password       string
	dc             int
	cluster        int
	host           int
	standalone     int
	vm             int
	ds             int
	pool           int
	pg             int
	folder         int
	autostart      bool
	taskDuration   time.Duration
	defaultMaxObjs int
	idleTimeout    time.Duration
	tmpdir         string
	quiet          bool
	trace          bool
	exportCache    string
	leaseTimeout   time.Duration
	shutdownDelay  time.Duration
	convFixture    string
	warmExport     bool
}

func parseFlags() *options {
	o := &options{}
	flag.StringVar(&o.listen, "listen", "127.0.0.1:0", "address to listen on (host:port; port 0 picks a free port)")
	flag.BoolVar(&o.useTLS, "tls", false, "serve HTTPS (built-in self-signed certificate of the simulator unless -tls-keygen)")
	flag.BoolVar(&o.tlsKeygen, "tls-keygen", false, "with -tls: generate a fresh ECDSA P-256 certificate (SAN 127.0.0.1, ::1, localhost) instead of the built-in 1024-bit RSA one")
	flag.StringVar(&o.certOut, "cert-out", "", "with -tls: write the server certificate (PEM) to this file")
	flag.StringVar(&o.thumbOut, "thumbprint-out", "", "with -tls: write the certificate's SHA-256 thumbprint (AA:BB:...) to this file (default: <cert-out>.sha256)")
	flag.StringVar(&o.username, "username", "", "user name accepted by SOAP Login (empty: any non-empty user/password, like stock vcsim)")
	flag.StringVar(&o.password, "password", "", "password accepted by SOAP Login")
	flag.IntVar(&o.dc, "dc", 1, "number of datacenters")
	flag.IntVar(&o.cluster, "cluster", 1, "clusters per datacenter")
	flag.IntVar(&o.host, "host", 3, "hosts per cluster")
	flag.IntVar(&o.standalone, "standalone-host", 0, "standalone hosts per datacenter (each gets -vm VMs too)")
	flag.IntVar(&o.vm, "vm", 2, "VMs per cluster root resource pool and per standalone host (spread over the cluster's hosts)")
	flag.IntVar(&o.ds, "ds", 1, "local datastores per datacenter, mounted on every host of the datacenter (>= 1; VMs start on LocalDS_0)")
	flag.IntVar(&o.pool, "pool", 0, "child resource pools per cluster (DC0_C0_RP1, ...)")
	flag.IntVar(&o.pg, "pg", 1, "distributed port groups per datacenter")
	flag.IntVar(&o.folder, "folder", 0, "datacenters placed inside a folder")
	flag.BoolVar(&o.autostart, "autostart", true, "power on the model's VMs")
	flag.DurationVar(&o.taskDuration, "task-duration", 2*time.Second, "how long lab tasks (RelocateVM_Task, ReconfigVM_Task, snapshots ...) run")
	flag.IntVar(&o.defaultMaxObjs, "default-max-objects", 0, "server-side page size for RetrievePropertiesEx when options.maxObjects is unset (0: no limit)")
	flag.DurationVar(&o.idleTimeout, "session-idle-timeout", 0, "expire SOAP sessions idle this long (0: never)")
	flag.StringVar(&o.tmpdir, "tmpdir", "", "directory for the datastore folders (default: $TMPDIR); they are removed on SIGTERM/SIGINT")
	flag.BoolVar(&o.quiet, "quiet", false, "discard the simulator's log output (stderr)")
	flag.BoolVar(&o.trace, "trace", false, "write all SOAP traffic to stderr")
	flag.StringVar(&o.exportCache, "export-cache", "", "where ExportVm caches the streamOptimized VMDKs it serves (default: $VCSIM_EXPORT_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/migrationportal-vcsim/export)")
	flag.DurationVar(&o.leaseTimeout, "lease-timeout", 300*time.Second, "HttpNfcLease keep-alive timeout (info.leaseTimeout, rounded up to seconds)")
	flag.DurationVar(&o.shutdownDelay, "guest-shutdown-delay", 2*time.Second, "ShutdownGuest: time until the guest powers off")
	flag.BoolVar(&o.warmExport, "warm-export-cache", false, "with -conversion-fixture: build the streamOptimized VMDKs ExportVm of conv-vm serves into the export cache, print their paths, and exit")
	flag.StringVar(&o.convFixture, "conversion-fixture", "", "add the conversion fixture VM conv-vm, whose disks are the images in this directory (built by conversion-fixture.sh)")
	flag.Parse()
	return o
}

func main() {
	o := parseFlags()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	if o.quiet {
		log.SetOutput(ioutil.Discard)
	}
	if o.ds < 1 {
		fatalf("-ds must be >= 1 (the model places VMs on LocalDS_0)")
	}
	if (o.username == "") != (o.password == "") {
		fatalf("-username and -password go together")
	}
	if o.tmpdir != "" {
		if err := os.MkdirAll(o.tmpdir, 0o700); err != nil {
			fatalf("tmpdir: %v", err)
		}
		os.Setenv("TMPDIR", o.tmpdir)
	}
	simulator.Trace = o.trace
	simulator.SessionIdleTimeout = o.idleTimeout

	lab.taskDuration = o.taskDuration
	lab.defaultMaxObjects = o.defaultMaxObjs
	lab.username, lab.password = o.username, o.password
	lab.leaseTimeout = o.leaseTimeout
	lab.guestShutdownDelay = o.shutdownDelay
	lab.exportCache = o.exportCache
	if lab.exportCache == "" {
		lab.exportCache = os.Getenv("VCSIM_EXPORT_CACHE")
	}
	if lab.exportCache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = home + "/.cache"
		}
		lab.exportCache = base + "/migrationportal-vcsim/export"
	}

	if o.warmExport {
		if o.convFixture == "" {
			fatalf("-warm-export-cache needs -conversion-fixture")
		}
		if err := warmExportCache(o.convFixture); err != nil {
			fatalf("warming the export cache: %v", err)
		}
		os.Exit(0)
	}

	start := time.Now()
	m := simulator.VPX()
	m.Datacenter = o.dc
	m.Cluster = o.cluster
	m.ClusterHost = o.host
	m.Host = o.standalone
	m.Machine = o.vm
	m.Datastore = o.ds
	m.Pool = o.pool
	m.Portgroup = o.pg
	m.Folder = o.folder
	m.Autostart = o.autostart

	if err := m.Create(); err != nil {
		m.Remove()
		fatalf("creating model: %v", err)
	}
	prepareModel()
	if o.convFixture != "" {
		if err := addConversionFixture(o.convFixture); err != nil {
			m.Remove()
			fatalf("conversion fixture: %v", err)
		}
	}

	u := &url.URL{Host: o.listen}
	if o.username != "" {
		u.User = url.UserPassword(o.username, o.password)
	}
	m.Service.Listen = u
	m.Service.RegisterEndpoints = true
	if o.useTLS {
		cfg := new(tls.Config)
		if o.tlsKeygen {
			cert, err := generateCert()
			if err != nil {
				m.Remove()
				fatalf("generating certificate: %v", err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		m.Service.TLS = cfg
	}

	srv := m.Service.NewServer()
	// Put the lab front handler in front of the simulator's mux. Nobody knows
	// the URL before READY is printed, so no request races this assignment.
	front := newFrontHandler(srv.Config.Handler)
	srv.Config.Handler = front

	if o.useTLS {
		if err := writeCert(srv, o); err != nil {
			srv.Close()
			m.Remove()
			fatalf("writing certificate: %v", err)
		}
	}

	sdk := *srv.URL
	sdk.User = nil
	lab.baseURL = sdk.Scheme + "://" + sdk.Host
	count := m.Count()
	log.Printf("vcsim-lab: model ready in %s: %d datacenters, %d clusters, %d hosts, %d VMs, %d datastores",
		time.Since(start).Round(time.Millisecond), count.Datacenter, count.Cluster, count.Host, count.Machine, count.Datastore)
	fmt.Fprintf(os.Stdout, "READY %s\n", sdk.String())
	os.Stdout.Sync()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	s := <-sig
	log.Printf("vcsim-lab: %s, shutting down", s)
	lab.shutdown()
	done := make(chan struct{})
	go func() {
		// Close waits for in-flight requests; a WaitForUpdatesEx without
		// maxWaitSeconds never ends, so do not wait for it forever.
		srv.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		log.Printf("vcsim-lab: requests still in flight, not waiting for them")
	}
	log.Printf("vcsim-lab: server closed, removing datastore folders")
	m.Remove()
	log.Printf("vcsim-lab: done")
	os.Exit(0)
}

// prepareModel sets defaults the stock model lacks and repairs event
// message templates that would make the simulator panic (VmMigratedEvent).
func prepareModel() {
	em := simulator.Map.EventManager()
	for i := range em.Description.EventInfo {
		info := &em.Description.EventInfo[i]
		if info.Key == "VmMigratedEvent" {
			info.FullFormat = "Migration of virtual machine {{.Vm.Name}} from {{.SourceHost.Name}}, {{.SourceDatastore.Name}} to {{.Host.Name}}, {{.Ds.Name}} completed"
		}
		if _, err := template.New(info.Key).Parse(info.FullFormat); err != nil {
			info.FullFormat = info.Key
		}
	}
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm, ok := e.(*simulator.VirtualMachine)
		if !ok {
			continue
		}
		if vm.Config != nil && vm.Config.MigrateEncryption == "" {
			vm.Config.MigrateEncryption = string(types.VirtualMachineConfigSpecEncryptedVMotionModesOpportunistic)
		}
		// every model VM has VMware Tools, running while it is on
		setToolsRunning(vm, vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn)
	}
}

func writeCert(srv *simulator.Server, o *options) error {
	cert := srv.Certificate()
	sum := sha256.Sum256(cert.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	thumb := strings.Join(parts, ":")
	// vCenter puts the host's SHA-1 thumbprint in a lease's deviceUrl.sslThumbprint
	sum1 := sha1.Sum(cert.Raw)
	parts1 := make([]string, len(sum1))
	for i, b := range sum1 {
		parts1[i] = fmt.Sprintf("%02X", b)
	}
	lab.sha1Thumbprint = strings.Join(parts1, ":")
	log.Printf("vcsim-lab: TLS certificate SHA-256 thumbprint %s", thumb)
	if o.certOut != "" {
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
		if err := ioutil.WriteFile(o.certOut, pemBytes, 0o644); err != nil {
			return err
		}
		if o.thumbOut == "" {
			o.thumbOut = o.certOut + ".sha256"
		}
	}
	if o.thumbOut != "" {
		if err := ioutil.WriteFile(o.thumbOut, []byte(thumb+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func generateCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "vcsim-lab", Organization: []string{"MigrationPortal lab"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "vcsim-lab: "+format+"\n", args...)
	os.Exit(1)
}
