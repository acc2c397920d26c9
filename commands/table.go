package commands

import "sync/atomic"

// command is one row of the dispatch table.
type command struct {
	handler   func(*Request)
	minParams int
	preReg    bool // may run before registration
	oper      bool // needs operator rights
	count     atomic.Uint64
}

// buildTable lists every command the server answers.
func buildTable() map[string]*command {
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
