module vcstore.test/gojsonerrors

go 1.19
