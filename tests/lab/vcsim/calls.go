package main

import (
	"net/http"
	"sync"
)

// Per-method counts of the SOAP calls the front handler saw (after parsing,
// before fault injection), so a test can prove a call was made, or made only
// once (for example that RelocateVM_Task was not issued again after the
// portal restarted mid-migration).
var callCounts = struct {
	sync.Mutex
	m map[string]int
}{m: map[string]int{}}

func countCall(method string) {
	callCounts.Lock()
	callCounts.m[method]++
	callCounts.Unlock()
}

func controlCalls(w http.ResponseWriter, r *http.Request) {
	callCounts.Lock()
	defer callCounts.Unlock()
	switch r.Method {
	case http.MethodGet:
		out := make(map[string]int, len(callCounts.m))
		for k, v := range callCounts.m {
			out[k] = v
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"calls": out})
	case http.MethodDelete:
		callCounts.m = map[string]int{}
		writeJSON(w, http.StatusOK, map[string]interface{}{"calls": map[string]int{}})
	default:
		writeError(w, http.StatusMethodNotAllowed, "GET or DELETE")
	}
}
