package commands

// serverCommands are the commands about the server and its operators. The
// dispatcher enforces these rules (451, 461, 481) before any handler runs.
func serverCommands() map[string]*command {
	return map[string]*command{
		"VERSION": {handler: handleVERSION},
		"TIME":    {handler: handleTIME},
		"ADMIN":   {handler: handleADMIN},
		"INFO":    {handler: handleINFO},
		"LINKS":   {handler: handleLINKS},
		"STATS":   {handler: handleSTATS, minParams: 1},
		"TRACE":   {handler: handleTRACE},
		"HELP":    {handler: handleHELP},
		"HELPOP":  {handler: handleHELP},
		"SQUIT":   {handler: handleSQUIT, minParams: 2, oper: true},
		"CONNECT": {handler: handleCONNECT, minParams: 1, oper: true},
		"KILL":    {handler: handleKILL, minParams: 2, oper: true},
		"WALLOPS": {handler: handleWALLOPS, minParams: 1, oper: true},
		"DIE":     {handler: handleDIE, oper: true},
		"RESTART": {handler: handleRESTART, oper: true},
	}
}
