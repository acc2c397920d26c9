package commands

// queryCommands are the commands that ask about users and channels.
func queryCommands() map[string]*command {
	return map[string]*command{}
}
