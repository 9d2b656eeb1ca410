package vcstore

// The fixture ops where vcstore deliberately differs from the legacy code,
// as test/conformance/deviations.ts lists them with their reasons: the error
// code the daemon gives ("" for success), and whether the op must leave the
// tree untouched.
type deviation struct {
	code      string
	untouched bool
}

func refusedID() deviation { return deviation{"EUNSAFEID", true} }

var deviations = map[string]deviation{
	"02-create-all-resources#2":        refusedID(),
	"02-create-all-resources#4":        {"", false},
	"02-create-all-resources#5":        {"", false},
	"10-delete-container-resources#48": {"EINVALIDRESOURCE", true},
	"11-delete-sandbox-resources#62":   {"EINVALIDRESOURCE", true},
	"12-store-errors#33":               {"EMARSHAL", true},
	"12-store-errors#34":               {"EMARSHAL", true},
	"12-store-errors#35":               {"EMARSHAL", true},
	"12-store-errors#36":               {"", true},
	"12-store-errors#37":               {"", true},
	"12-store-errors#38":               {"", true},
	"14-path-quirks#0":                 refusedID(),
	"14-path-quirks#1":                 refusedID(),
	"14-path-quirks#2":                 refusedID(),
	"14-path-quirks#3":                 refusedID(),
	"14-path-quirks#4":                 refusedID(),
	"14-path-quirks#5":                 refusedID(),
	"14-path-quirks#6":                 {"ENOENT", true},
	"14-path-quirks#7":                 refusedID(),
	"14-path-quirks#8":                 {"ENOENT", true},
	"14-path-quirks#9":                 {"", false},
	"15-destructive-quirks#2":          {"ENEEDCONTAINERID", true},
	"15-destructive-quirks#6":          {"ENEEDCONTAINERID", true},
	"15-destructive-quirks#8":          {"EUNSAFEID", true},
	"16-uri-resolution#27":             refusedID(),
	"16-uri-resolution#28":             refusedID(),
	"16-uri-resolution#29":             refusedID(),
	"16-uri-resolution#30":             refusedID(),
	"16-uri-resolution#31":             refusedID(),
	"16-uri-resolution#32":             refusedID(),
	"16-uri-resolution#33":             refusedID(),
	"18-create-errors#0":               {"ENEEDSANDBOXID", true},
	"18-create-errors#3":               {"ENOTDIR", true},
	"18-create-errors#9":               {"ENOTDIR", true},
}
