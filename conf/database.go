package conf

import "path/filepath"

// DefaultDatabaseFile is the database's file name when database.path is
// empty.
const DefaultDatabaseFile = "conference.db"

// Database says where the embedded database (accounts, registered channels,
// server bans) lives.
type Database struct {
	// Path is the SQLite file. Empty means conference.db in the directory
	// of the configuration file, or in the working directory when there is
	// none; a relative path is taken from the configuration file's
	// directory. It is created on first start. A reload does not move it.
	Path string `koanf:"path"`
}

// DatabasePath resolves database.path for a server started with configFile
// ("" when none), as described on Database.Path.
func (c *Config) DatabasePath(configFile string) string {
	dir := "."
	if configFile != "" {
		dir = filepath.Dir(configFile)
	}
	switch {
	case c.Database.Path == "":
		return filepath.Join(dir, DefaultDatabaseFile)
	case filepath.IsAbs(c.Database.Path):
		return c.Database.Path
	default:
		return filepath.Join(dir, c.Database.Path)
	}
}
