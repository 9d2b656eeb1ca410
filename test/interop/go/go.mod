module vcstore.test/interop

go 1.19
