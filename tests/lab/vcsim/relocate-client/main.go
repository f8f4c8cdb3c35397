// Command relocate-client is the benchmark baseline for the portal's vCenter
// connector: a direct govmomi client that logs in, performs one
// RelocateVM_Task (VM and host looked up by name) and waits for it.
//
//	relocate-client -url https://127.0.0.1:8989/sdk -u admin -p secret \
//	    -vm DC0_C0_RP0_VM0 -host DC0_C0_H1 [-ds LocalDS_1] [-pool NAME] [-thumbprint AA:BB:..|-k]
//
// On success it prints one line to stdout:
//
//	relocate_ms=2041 login_ms=12 lookup_ms=5 total_ms=2058
//
// relocate_ms is the time from sending RelocateVM_Task to seeing the task
// succeed (task.Wait: PropertyCollector WaitForUpdatesEx). Errors go to
// stderr with exit status 1.
package main

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/progress"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func main() {
	var (
		rawURL     = flag.String("url", "", "SDK URL, e.g. https://127.0.0.1:8989/sdk")
		user       = flag.String("u", "", "user name")
		pass       = flag.String("p", "", "password")
		vmName     = flag.String("vm", "", "VM name")
		hostName   = flag.String("host", "", "target host name")
		dsName     = flag.String("ds", "", "target datastore name (optional)")
		poolName   = flag.String("pool", "", "target resource pool name or id, e.g. resgroup-42 (optional; needed across clusters)")
		insecure   = flag.Bool("k", false, "skip TLS certificate verification")
		thumbprint = flag.String("thumbprint", "", "expected SHA-256 (or SHA-1) thumbprint of the server certificate, AA:BB:...")
		timeout    = flag.Duration("timeout", 5*time.Minute, "overall timeout")
		verbose    = flag.Bool("v", false, "print task progress updates (from WaitForUpdatesEx) to stderr")
	)
	flag.Parse()
	if *rawURL == "" || *vmName == "" || *hostName == "" {
		fmt.Fprintln(os.Stderr, "usage: relocate-client -url URL -u USER -p PASS -vm NAME -host NAME [-ds NAME] [-pool NAME] [-k|-thumbprint TP]")
		os.Exit(2)
	}
	if err := run(*rawURL, *user, *pass, *vmName, *hostName, *dsName, *poolName, *insecure, *thumbprint, *timeout, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "relocate-client:", err)
		os.Exit(1)
	}
}

func run(rawURL, user, pass, vmName, hostName, dsName, poolName string, insecure bool, thumbprint string, timeout time.Duration, verbose bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	u, err := soap.ParseURL(rawURL)
	if err != nil {
		return err
	}
	u.User = nil

	total := time.Now()
	sc := soap.NewClient(u, insecure || thumbprint != "")
	if thumbprint != "" {
		// Pin the certificate by its thumbprint instead of a CA.
		want := strings.ToUpper(strings.TrimSpace(thumbprint))
		sc.DefaultTransport().TLSClientConfig.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return fmt.Errorf("no server certificate")
			}
			cert, err := x509.ParseCertificate(raw[0])
			if err != nil {
				return err
			}
			if got := sha256Thumbprint(raw[0]); got != want && soap.ThumbprintSHA1(cert) != want {
				return fmt.Errorf("server certificate thumbprint %s does not match %s", got, want)
			}
			return nil
		}
	}
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return fmt.Errorf("service content: %w", err)
	}
	c := &govmomi.Client{Client: vc, SessionManager: session.NewManager(vc)}
	if err := c.Login(ctx, url.UserPassword(user, pass)); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	defer func() { _ = c.Logout(context.Background()) }()
	loginMs := time.Since(total).Milliseconds()

	lookup := time.Now()
	vmRef, err := findByName(ctx, c.Client, "VirtualMachine", vmName)
	if err != nil {
		return err
	}
	hostRef, err := findByName(ctx, c.Client, "HostSystem", hostName)
	if err != nil {
		return err
	}
	spec := types.VirtualMachineRelocateSpec{Host: &hostRef}
	if dsName != "" {
		ref, err := findByName(ctx, c.Client, "Datastore", dsName)
		if err != nil {
			return err
		}
		spec.Datastore = &ref
	}
	if poolName != "" {
		// Every cluster's root pool is named "Resources", so accept an id too.
		ref := types.ManagedObjectReference{Type: "ResourcePool", Value: poolName}
		if !strings.HasPrefix(poolName, "resgroup-") {
			if ref, err = findByName(ctx, c.Client, "ResourcePool", poolName); err != nil {
				return err
			}
		}
		spec.Pool = &ref
	}
	lookupMs := time.Since(lookup).Milliseconds()

	start := time.Now()
	vm := object.NewVirtualMachine(c.Client, vmRef)
	task, err := vm.Relocate(ctx, spec, types.VirtualMachineMovePriorityDefaultPriority)
	if err != nil {
		return fmt.Errorf("RelocateVM_Task: %w", err)
	}
	var sink progress.Sinker
	if verbose {
		sink = &progressPrinter{start: start}
	}
	if _, err := task.WaitForResult(ctx, sink); err != nil {
		return fmt.Errorf("relocate task %s: %w", task.Reference().Value, err)
	}
	relocateMs := time.Since(start).Milliseconds()

	fmt.Printf("relocate_ms=%d login_ms=%d lookup_ms=%d total_ms=%d\n",
		relocateMs, loginMs, lookupMs, time.Since(total).Milliseconds())
	return nil
}

// progressPrinter prints the progress updates task.WaitForResult receives.
type progressPrinter struct{ start time.Time }

func (p *progressPrinter) Sink() chan<- progress.Report {
	ch := make(chan progress.Report)
	go func() {
		for r := range ch {
			fmt.Fprintf(os.Stderr, "progress %5.1f%% at %d ms\n", r.Percentage(), time.Since(p.start).Milliseconds())
		}
	}()
	return ch
}

// findByName finds one managed entity by name with a ContainerView.
func findByName(ctx context.Context, c *vim25.Client, kind, name string) (types.ManagedObjectReference, error) {
	m := view.NewManager(c)
	v, err := m.CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{kind}, true)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	defer func() { _ = v.Destroy(context.Background()) }()
	refs, err := v.Find(ctx, []string{kind}, property.Filter{"name": name})
	if err != nil {
		return types.ManagedObjectReference{}, fmt.Errorf("finding %s %q: %w", kind, name, err)
	}
	if len(refs) == 0 {
		return types.ManagedObjectReference{}, fmt.Errorf("%s %q not found", kind, name)
	}
	return refs[0], nil
}

func sha256Thumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
