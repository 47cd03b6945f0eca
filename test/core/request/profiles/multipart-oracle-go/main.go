// Reads multipart/form-data bodies the way a Go server does (net/http's ParseMultipartForm on
// mime/multipart), for the differential test in multipart-differential.test.ts. Input and output
// are JSON lines as for multipart-oracle.py; only the `model` and `stream` fields are reported,
// values first, then one null per file part of that name (net/http keeps them apart).
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

type upload struct {
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
}

type reading struct {
	Ok     bool     `json:"ok"`
	Fields [][2]any `json:"fields"`
	Error  string   `json:"error,omitempty"`
}

func read(u upload) reading {
	body, err := base64.StdEncoding.DecodeString(u.Body)
	if err != nil {
		return reading{Error: err.Error()}
	}
	req, err := http.NewRequest(http.MethodPost, "http://oracle/", bytes.NewReader(body))
	if err != nil {
		return reading{Error: err.Error()}
	}
	req.Header.Set("Content-Type", u.ContentType)
	if err := req.ParseMultipartForm(64 << 20); err != nil {
		return reading{Error: err.Error()}
	}
	fields := [][2]any{}
	for _, name := range []string{"model", "stream"} {
		for _, value := range req.MultipartForm.Value[name] {
			fields = append(fields, [2]any{name, value})
		}
		for range req.MultipartForm.File[name] {
			fields = append(fields, [2]any{name, nil})
		}
	}
	return reading{Ok: true, Fields: fields}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 256<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var u upload
		if err := json.Unmarshal(in.Bytes(), &u); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		line, _ := json.Marshal(read(u))
		out.Write(append(line, '\n'))
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
