package commands

import "sync/atomic"

// command is one row of the dispatch table.
type command struct {
	handler   func(*Request)
	minParams int
	preReg    bool // may run before registration
	oper      bool // needs operator rights
	count     atomic.Uint64
	latency   *histogram
}

// commandGroup is the rows one topic contributes to the table.
type commandGroup func() map[string]*command

// commandGroups are the topics; each lives in its own file.
var commandGroups = []commandGroup{coreCommands, queryCommands, serverCommands, ircv3Commands, gatewayCommands, accountCommands, serverBanCommands, historyCommands}

// buildTable merges every topic's rows into one table.
func buildTable() map[string]*command {
	table := make(map[string]*command)
	for _, group := range commandGroups {
		for name, cmd := range group() {
			if _, dup := table[name]; dup {
				panic("commands: " + name + " is defined twice")
			}
			cmd.latency = newHistogram(commandLatencyBounds())
			table[name] = cmd
		}
	}
	return table
}

// coreCommands are registration, channels and messaging.
func coreCommands() map[string]*command {
	return map[string]*command{
		"CAP":     {handler: handleCAP, minParams: 1, preReg: true},
		"PASS":    {handler: handlePASS, minParams: 1, preReg: true},
		"NICK":    {handler: handleNICK, preReg: true},
		"USER":    {handler: handleUSER, minParams: 4, preReg: true},
		"PING":    {handler: handlePING, minParams: 1, preReg: true},
		"PONG":    {handler: handlePONG, preReg: true},
		"QUIT":    {handler: handleQUIT, preReg: true},
		"JOIN":    {handler: handleJOIN, minParams: 1},
		"PART":    {handler: handlePART, minParams: 1},
		"TOPIC":   {handler: handleTOPIC, minParams: 1},
		"NAMES":   {handler: handleNAMES},
		"MODE":    {handler: handleMODE, minParams: 1},
		"KICK":    {handler: handleKICK, minParams: 2},
		"PRIVMSG": {handler: handlePRIVMSG},
		"NOTICE":  {handler: handleNOTICE},
		"MOTD":    {handler: handleMOTD},
		"LUSERS":  {handler: handleLUSERS},
		"AWAY":    {handler: handleAWAY},
		"REHASH":  {handler: handleREHASH, oper: true},
		"OPER":    {handler: handleOPER, minParams: 2},
	}
}
