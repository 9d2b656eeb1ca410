module vcstore.test/interop

go 1.19

require github.com/vcstore/vcstore/src/go v0.0.0

replace github.com/vcstore/vcstore/src/go => ../../../src/go
