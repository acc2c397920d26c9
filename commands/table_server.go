package commands

// serverCommands are the commands about the server and its operators.
func serverCommands() map[string]*command {
	return map[string]*command{}
}
