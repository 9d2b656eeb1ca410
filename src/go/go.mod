module github.com/vcstore/vcstore/src/go

go 1.19
