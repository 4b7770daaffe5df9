package main

import (
	"strings"
	"testing"
)

func TestGreeting(t *testing.T) {
	if got := Greeting(""); got != "hello, world\n" {
		t.Fatalf("Greeting(\"\") = %q", got)
	}
}

func FuzzGreeting(f *testing.F) {
	f.Add("gopher")
	f.Fuzz(func(t *testing.T, name string) {
		if !strings.HasPrefix(Greeting(name), "hello, ") {
			t.Fatal("greeting lost its prefix")
		}
	})
}
