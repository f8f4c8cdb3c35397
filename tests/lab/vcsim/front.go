package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"io/ioutil"
	"log"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
	vimxml "github.com/vmware/govmomi/vim25/xml"
)

// How the lab extends the simulator without patching it:
//
// The simulator dispatches a SOAP call by looking up the object named in the
// request's _this element in its registry and calling the Go method of the
// same name on it (reflection). For the calls the lab overrides, the front
// handler below rewrites _this from, say, VirtualMachine:vm-42 to
// LabVirtualMachine:vm-42 and registers a small proxy object under that
// reference. The simulator then does its usual work (session check, decoding,
// fault and response encoding) and calls the proxy's method, which implements
// the lab behaviour using the real objects. Everything else passes through
// untouched.

// proxyBase is embedded by the proxy types. The no-op Lock/Unlock keep the
// registry from serialising all calls on a proxy; proxies lock what they use.
type proxyBase struct {
	Self types.ManagedObjectReference
	orig types.ManagedObjectReference
}

func (p *proxyBase) Reference() types.ManagedObjectReference { return p.Self }
func (p *proxyBase) Lock()                                   {}
func (p *proxyBase) Unlock()                                 {}

type proxyKind struct {
	methods map[string]bool
	// needsObject: only proxy when the original object is in the registry
	// (otherwise the simulator answers ManagedObjectNotFound itself).
	needsObject bool
	make        func(self, orig types.ManagedObjectReference) mo.Reference
}

var proxyKinds = map[string]proxyKind{
	"VirtualMachine": {
		methods: set("RelocateVM_Task", "MigrateVM_Task", "ReconfigVM_Task", "CreateSnapshot_Task",
			"RemoveAllSnapshots_Task", "RevertToCurrentSnapshot_Task", "ExportVm", "ShutdownGuest",
			"PowerOnVM_Task", "PowerOffVM_Task"),
		needsObject: true,
		make:        func(s, o types.ManagedObjectReference) mo.Reference { return &labVMProxy{proxyBase{Self: s, orig: o}} },
	},
	"VirtualMachineSnapshot": {
		methods:     set("RemoveSnapshot_Task", "RevertToSnapshot_Task"),
		needsObject: true,
		make: func(s, o types.ManagedObjectReference) mo.Reference {
			return &labSnapshotProxy{proxyBase{Self: s, orig: o}}
		},
	},
	"Task": {
		methods:     set("CancelTask"),
		needsObject: true,
		make: func(s, o types.ManagedObjectReference) mo.Reference {
			return &labTaskProxy{proxyBase{Self: s, orig: o}}
		},
	},
	"SessionManager": {
		methods:     set("Login"),
		needsObject: true,
		make: func(s, o types.ManagedObjectReference) mo.Reference {
			return &labSessionProxy{proxyBase{Self: s, orig: o}}
		},
	},
	"PropertyCollector": {
		// Per-session collectors live in session registries, so always proxy.
		methods: set("RetrieveProperties", "RetrievePropertiesEx", "ContinueRetrievePropertiesEx",
			"CancelRetrievePropertiesEx"),
		make: func(s, o types.ManagedObjectReference) mo.Reference { return &labPCProxy{proxyBase{Self: s, orig: o}} },
	},
}

func set(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}

var proxyMu sync.Mutex

func ensureProxy(orig types.ManagedObjectReference, kind proxyKind) types.ManagedObjectReference {
	ref := types.ManagedObjectReference{Type: "Lab" + orig.Type, Value: orig.Value}
	proxyMu.Lock()
	defer proxyMu.Unlock()
	if simulator.Map.Get(ref) == nil {
		simulator.Map.Put(kind.make(ref, orig))
	}
	return ref
}

// ---------------------------------------------------------------------------

type frontHandler struct {
	next http.Handler
}

func newFrontHandler(next http.Handler) *frontHandler {
	return &frontHandler{next: next}
}

func (f *frontHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/lab/"):
		serveControl(w, r)
		return
	case strings.HasPrefix(r.URL.Path, "/nfc/"):
		if serveLeaseNFC(w, r) {
			return
		}
	case strings.HasPrefix(r.URL.Path, "/folder/"):
		if serveFolderCounted(w, r) {
			return
		}
	case r.Method == http.MethodPost && (r.URL.Path == "/sdk" || r.URL.Path == "/sdk/vimService"):
		if f.serveSDK(w, r) {
			return
		}
	case r.Method == http.MethodPost && r.URL.Path == "/rest/com/vmware/cis/session":
		if !restLoginOK(r) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"type":"com.vmware.vapi.std.errors.unauthenticated","value":{"messages":[{"args":[],"default_message":"Authentication required.","id":"com.vmware.vapi.endpoint.method.authentication.required"}]}}`)
			return
		}
	}
	f.next.ServeHTTP(w, r)
}

func restLoginOK(r *http.Request) bool {
	if lab.username == "" {
		return true
	}
	u, p, ok := r.BasicAuth()
	if !ok {
		return true // token auth etc.: leave to the simulator
	}
	return u == lab.username && p == lab.password
}

// callInfo is what the front handler needs to know about a SOAP request.
type callInfo struct {
	Method    string
	This      types.ManagedObjectReference
	thisStart int64 // byte offsets of the <_this ...> start tag
	thisEnd   int64
}

func parseCall(body []byte) (callInfo, bool) {
	var c callInfo
	d := xml.NewDecoder(bytes.NewReader(body))
	depth, bodyDepth := 0, -1
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return c, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if bodyDepth < 0 {
				if t.Name.Local == "Body" {
					bodyDepth = depth
				}
				continue
			}
			if depth == bodyDepth+1 {
				c.Method = t.Name.Local
				continue
			}
			if depth == bodyDepth+2 {
				if t.Name.Local != "_this" {
					return c, c.Method != ""
				}
				c.thisStart, c.thisEnd = off, d.InputOffset()
				for _, a := range t.Attr {
					if a.Name.Local == "type" && a.Name.Space == "" {
						c.This.Type = a.Value
					}
				}
				if tok, err := d.Token(); err == nil {
					if cd, ok := tok.(xml.CharData); ok {
						c.This.Value = strings.TrimSpace(string(cd))
					}
				}
				return c, true
			}
		case xml.EndElement:
			depth--
			if bodyDepth >= 0 && depth < bodyDepth+1 && c.Method != "" {
				return c, true
			}
		}
	}
}

// serveSDK handles fault injection and proxy rewriting. It returns true when
// it has written the response itself.
func (f *frontHandler) serveSDK(w http.ResponseWriter, r *http.Request) bool {
	body, err := ioutil.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return true
	}
	setBody := func(b []byte) {
		r.Body = ioutil.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
	}
	setBody(body)

	call, ok := parseCall(body)
	if !ok || call.Method == "" {
		return false
	}
	countCall(call.Method)

	var holdReply time.Duration
	if inj := lab.matchFault(call, r); inj != nil {
		holdReply = inj.delayReply
		if inj.AbortLeaseAfterBytes > 0 || inj.GuestIgnoresShutdown {
			lab.mu.Lock()
			if inj.AbortLeaseAfterBytes > 0 {
				lab.abortAfter[call.This] = inj.AbortLeaseAfterBytes
			}
			if inj.GuestIgnoresShutdown {
				lab.ignoreShutdown[call.This] = true
			}
			lab.mu.Unlock()
		}
		if inj.delay > 0 {
			select {
			case <-time.After(inj.delay):
			case <-r.Context().Done():
				return true
			}
		}
		if inj.faultType != "" {
			fault, _ := inj.build()
			if inj.at == "task" {
				user, _ := sessionUser(r)
				ref := startInjectedTask(call, fault, inj, user)
				writeTaskResponse(w, call.Method, ref)
			} else {
				writeSOAPFault(w, inj.Message, fault)
			}
			log.Printf("vcsim-lab: injected %s into %s (%s)", inj.faultType, call.Method, inj.at)
			return true
		}
	}

	if kind, ok := proxyKinds[call.This.Type]; ok && kind.methods[call.Method] && call.This.Value != "" {
		if !kind.needsObject || simulator.Map.Get(call.This) != nil {
			proxy := ensureProxy(call.This, kind)
			if nb, ok := rewriteThis(body, call, proxy.Type); ok {
				setBody(nb)
			}
		}
	}
	if holdReply > 0 {
		f.serveWithHeldReply(w, r, call, holdReply)
		return true
	}
	return false
}

// serveWithHeldReply runs the call now (a *_Task method creates its task, which
// starts running and shows in TaskManager.recentTask at once) but holds the
// reply back: the situation of a client whose start call reached vCenter while
// the answer, with the task id, never came back to it (it gave up waiting, or
// its process died). The call runs on a context of its own, so a client that
// hangs up does not undo it; the reply is then dropped.
func (f *frontHandler) serveWithHeldReply(w http.ResponseWriter, r *http.Request, call callInfo, hold time.Duration) {
	rec := &heldReply{header: http.Header{}, status: http.StatusOK}
	f.next.ServeHTTP(rec, r.WithContext(context.Background()))
	log.Printf("vcsim-lab: %s ran; holding its reply for %s", call.Method, hold)
	select {
	case <-time.After(hold):
	case <-r.Context().Done():
		log.Printf("vcsim-lab: the client of %s hung up while its reply was held; the reply is dropped", call.Method)
		return
	case <-lab.stop:
		return
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// heldReply records a response so that it can be sent later.
type heldReply struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldReply) Header() http.Header         { return h.header }
func (h *heldReply) WriteHeader(status int)      { h.status = status }
func (h *heldReply) Write(b []byte) (int, error) { return h.body.Write(b) }

func rewriteThis(body []byte, c callInfo, newType string) ([]byte, bool) {
	if c.thisEnd <= c.thisStart || c.thisEnd > int64(len(body)) {
		return nil, false
	}
	tag := body[c.thisStart:c.thisEnd]
	re := regexp.MustCompile(`(\s)type\s*=\s*(["'])` + regexp.QuoteMeta(c.This.Type) + `(["'])`)
	loc := re.FindSubmatchIndex(tag)
	if loc == nil {
		return nil, false
	}
	newTag := re.ReplaceAll(tag, []byte("${1}type=${2}"+newType+"${3}"))
	out := make([]byte, 0, len(body)+len(newType))
	out = append(out, body[:c.thisStart]...)
	out = append(out, newTag...)
	out = append(out, body[c.thisEnd:]...)
	return out, true
}

// startInjectedTask creates a task that fails with an injected fault, for any
// *_Task method.
func startInjectedTask(call callInfo, fault types.BaseMethodFault, inj *injectedFault, user string) types.ManagedObjectReference {
	entity := call.This
	if snap, ok := simulator.Map.Get(call.This).(*simulator.VirtualMachineSnapshot); ok {
		entity = snap.Vm
	}
	return startTask(taskSpec{
		method:     call.Method,
		entity:     entity,
		cancelable: call.Method == "RelocateVM_Task" || call.Method == "MigrateVM_Task",
		user:       user,
		duration:   lab.durationFor(call.Method),
		fault:      fault,
		faultMsg:   inj.Message,
		failAt:     inj.AfterPercent,
	})
}

const envelopeStart = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`
const envelopeEnd = `</soapenv:Body></soapenv:Envelope>`

func writeTaskResponse(w http.ResponseWriter, method string, ref types.ManagedObjectReference) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	var b bytes.Buffer
	b.WriteString(envelopeStart)
	fmt.Fprintf(&b, `<%sResponse xmlns="urn:vim25"><returnval type="Task">`, method)
	_ = xml.EscapeText(&b, []byte(ref.Value))
	fmt.Fprintf(&b, `</returnval></%sResponse>`, method)
	b.WriteString(envelopeEnd)
	_, _ = w.Write(b.Bytes())
}

// faultDetail renders <XFault xmlns="urn:vim25" xsi:type="X">, like the simulator.
type faultDetail struct {
	Fault types.BaseMethodFault
}

func (d *faultDetail) MarshalXML(e *vimxml.Encoder, start vimxml.StartElement) error {
	kind := faultName(d.Fault)
	start.Name.Local = kind + "Fault"
	start.Attr = append(start.Attr,
		vimxml.Attr{Name: vimxml.Name{Local: "xmlns"}, Value: "urn:vim25"},
		vimxml.Attr{Name: vimxml.Name{Local: "xsi:type"}, Value: kind})
	return e.EncodeElement(d.Fault, start)
}

type soapFaultXML struct {
	XMLName vimxml.Name `xml:"soapenv:Fault"`
	Code    string      `xml:"faultcode"`
	String  string      `xml:"faultstring"`
	Detail  struct {
		Fault *faultDetail
	} `xml:"detail"`
}

func writeSOAPFault(w http.ResponseWriter, msg string, fault types.BaseMethodFault) {
	if msg == "" {
		msg = defaultFaultMessage(fault)
	}
	f := soapFaultXML{Code: "ServerFaultCode", String: msg}
	f.Detail.Fault = &faultDetail{fault}
	var b bytes.Buffer
	b.WriteString(envelopeStart)
	enc := vimxml.NewEncoder(&b)
	if err := enc.Encode(&f); err != nil {
		log.Printf("vcsim-lab: encoding fault: %v", err)
	}
	_ = enc.Flush()
	b.WriteString(envelopeEnd)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.Copy(w, &b)
}
