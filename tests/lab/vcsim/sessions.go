package main

import (
	"net/http"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// listSessions returns the simulator's current SOAP sessions. The simulator
// keeps them private, but the per-session view of the SessionManager it hands
// to the PropertyCollector lists them all (sessionList).
func listSessions() []types.UserSession {
	s := &simulator.Session{Registry: simulator.NewRegistry()}
	sm, ok := s.Get(*serviceContent().SessionManager).(*simulator.SessionManager)
	if !ok {
		return nil
	}
	return sm.SessionList
}

// sessionUser returns the user of the request's session cookie, if valid.
func sessionUser(r *http.Request) (string, bool) {
	c, err := r.Cookie(soap.SessionCookieName)
	if err != nil || c.Value == "" {
		return "", false
	}
	for _, s := range listSessions() {
		if s.Key == c.Value {
			return s.UserName, true
		}
	}
	return "", false
}

// expireSessions terminates every SOAP session (like an idle timeout or a
// vCenter restart would), so the next call with the old cookie gets
// NotAuthenticated.
func expireSessions() int {
	sm := simulator.Map.SessionManager()
	ctx := internalContext()
	n := 0
	for _, s := range listSessions() {
		res := sm.TerminateSession(ctx, &types.TerminateSession{This: sm.Self, SessionId: []string{s.Key}})
		if res.Fault() == nil {
			n++
		}
	}
	lab.mu.Lock()
	lab.pages = map[string]*pendingPage{}
	lab.mu.Unlock()
	return n
}

// labSessionProxy wraps SessionManager.Login only to word the InvalidLogin
// fault like vCenter does.
type labSessionProxy struct {
	proxyBase
}

func (p *labSessionProxy) Login(ctx *simulator.Context, req *types.Login) soap.HasFault {
	req.This = p.orig
	res := simulator.Map.SessionManager().Login(ctx, req)
	if body, ok := res.(*methods.LoginBody); ok && body.Fault_ != nil {
		if _, invalid := body.Fault_.Detail.Fault.(*types.InvalidLogin); invalid {
			body.Fault_ = soapFault("", &types.InvalidLogin{})
		}
	}
	return res
}
