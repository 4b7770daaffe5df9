module github.com/acme/go-service

go 1.22
