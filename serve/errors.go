package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an error in OpenAI's shape:
// {"error": {"message": ..., "type": ..., "param": ..., "code": ...}}.
type apiError struct {
	Status  int    `json:"-"`
	Message string `json:"message"`
	Type    string `json:"type"`
	Param   string `json:"param,omitempty"`
	Code    string `json:"code,omitempty"`
	// RetryAfter, in seconds, goes in a Retry-After header (429 and 503).
	RetryAfter int `json:"-"`
}

func (e *apiError) Error() string { return e.Message }

// badRequest is a 400 naming what is wrong with which parameter.
func badRequest(param, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "invalid_request_error", Param: param, Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "not_found", Message: fmt.Sprintf(format, args...)}
}

func unauthorized(msg string) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Type: "invalid_request_error", Code: "invalid_api_key", Message: msg}
}

func forbidden(msg string) *apiError {
	return &apiError{Status: http.StatusForbidden, Type: "invalid_request_error", Code: "forbidden", Message: msg}
}

func tooMany(msg string, retry int) *apiError {
	return &apiError{Status: http.StatusTooManyRequests, Type: "rate_limit_error", Code: "rate_limit_exceeded", Message: msg, RetryAfter: retry}
}

func internal(err error) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Type: "server_error", Message: "internal error: " + err.Error()}
}

// writeError sends err as OpenAI's error JSON; any error that is not an
// *apiError is a 500.
func writeError(w http.ResponseWriter, err error) {
	e, ok := err.(*apiError)
	if !ok {
		e = internal(err)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(e.RetryAfter))
	}
	writeJSON(w, e.Status, map[string]*apiError{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
