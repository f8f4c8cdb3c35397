package main

import (
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// labPCProxy adds to the PropertyCollector:
//   - NotAuthenticated for RetrieveProperties(Ex) without a session (stock
//     vcsim answers them anonymously; vCenter does not),
//   - RetrievePropertiesEx paging: options.maxObjects (or -default-max-objects)
//     limits a page and a token is returned; ContinueRetrievePropertiesEx and
//     CancelRetrievePropertiesEx work with it.
type labPCProxy struct {
	proxyBase
}

type pendingPage struct {
	session string
	objects []types.ObjectContent
	max     int
	created time.Time
}

const pageTTL = 30 * time.Minute

func (p *labPCProxy) collector(ctx *simulator.Context) (*simulator.PropertyCollector, *soap.Fault) {
	if ctx.Session == nil {
		return nil, soapFault("", &types.NotAuthenticated{NoPermission: types.NoPermission{Object: p.orig, PrivilegeId: "System.View"}})
	}
	pc, ok := ctx.Session.Get(p.orig).(*simulator.PropertyCollector)
	if !ok {
		return nil, soapFault("", &types.ManagedObjectNotFound{Obj: p.orig})
	}
	return pc, nil
}

func (p *labPCProxy) RetrieveProperties(ctx *simulator.Context, req *types.RetrieveProperties) soap.HasFault {
	pc, f := p.collector(ctx)
	if f != nil {
		return &methods.RetrievePropertiesBody{Fault_: f}
	}
	req.This = p.orig
	return pc.RetrieveProperties(ctx, req)
}

func (p *labPCProxy) RetrievePropertiesEx(ctx *simulator.Context, req *types.RetrievePropertiesEx) soap.HasFault {
	pc, f := p.collector(ctx)
	if f != nil {
		return &methods.RetrievePropertiesExBody{Fault_: f}
	}
	req.This = p.orig
	res := pc.RetrievePropertiesEx(ctx, req)
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Fault_ != nil || body.Res == nil || body.Res.Returnval == nil {
		return res
	}

	objs := body.Res.Returnval.Objects
	if len(objs) == 0 {
		// vCenter leaves returnval unset when nothing matched.
		body.Res.Returnval = nil
		return body
	}
	max := int(req.Options.MaxObjects)
	if max <= 0 {
		max = lab.defaultMaxObjects
	}
	if max > 0 && len(objs) > max {
		rest := make([]types.ObjectContent, len(objs)-max)
		copy(rest, objs[max:])
		body.Res.Returnval.Objects = objs[:max]
		body.Res.Returnval.Token = lab.storePage(ctx.Session.Key, rest, max)
	}
	return body
}

func (p *labPCProxy) ContinueRetrievePropertiesEx(ctx *simulator.Context, req *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := new(methods.ContinueRetrievePropertiesExBody)
	if _, f := p.collector(ctx); f != nil {
		body.Fault_ = f
		return body
	}
	objs, token, ok := lab.nextPage(ctx.Session.Key, req.Token)
	if !ok {
		body.Fault_ = soapFault("", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	body.Res = &types.ContinueRetrievePropertiesExResponse{
		Returnval: types.RetrieveResult{Token: token, Objects: objs},
	}
	return body
}

func (p *labPCProxy) CancelRetrievePropertiesEx(ctx *simulator.Context, req *types.CancelRetrievePropertiesEx) soap.HasFault {
	body := new(methods.CancelRetrievePropertiesExBody)
	if _, f := p.collector(ctx); f != nil {
		body.Fault_ = f
		return body
	}
	if !lab.dropPage(ctx.Session.Key, req.Token) {
		body.Fault_ = soapFault("", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	body.Res = new(types.CancelRetrievePropertiesExResponse)
	return body
}

func (l *labState) storePage(session string, objs []types.ObjectContent, max int) string {
	token := l.nextID("token")
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	for k, pg := range l.pages {
		if now.Sub(pg.created) > pageTTL {
			delete(l.pages, k)
		}
	}
	l.pages[token] = &pendingPage{session: session, objects: objs, max: max, created: now}
	return token
}

func (l *labState) nextPage(session, token string) ([]types.ObjectContent, string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	pg, ok := l.pages[token]
	if !ok || pg.session != session {
		return nil, "", false
	}
	n := pg.max
	if n <= 0 || n > len(pg.objects) {
		n = len(pg.objects)
	}
	out := pg.objects[:n]
	pg.objects = pg.objects[n:]
	pg.created = time.Now()
	if len(pg.objects) == 0 {
		delete(l.pages, token)
		return out, "", true
	}
	return out, token, true
}

func (l *labState) dropPage(session, token string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	pg, ok := l.pages[token]
	if !ok || pg.session != session {
		return false
	}
	delete(l.pages, token)
	return true
}
