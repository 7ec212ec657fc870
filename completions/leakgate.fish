# fish completion for leakgate.  Options come from `leakgate CMD --help`.
function __leakgate_command
	for w in (commandline -opc)[2..-1]
		if not string match -q -- '-*' $w
			echo $w
			return
		end
	end
end

function __leakgate_options
	set -l cmd (__leakgate_command)
	test -n "$cmd"; or return
	leakgate $cmd --help 2>/dev/null | string match -ar -- '--[a-z-]+' | sort -u
end

complete -c leakgate -f -n 'test -z "$(__leakgate_command)"' -a 'scan history staged range audit rules hook config verify revoke report triage store version'
complete -c leakgate -f -n 'test -n "$(__leakgate_command)"; and string match -q -- "-*" (commandline -ct)' -a '(__leakgate_options)'
complete -c leakgate -f -n '__fish_seen_subcommand_from rules' -a 'list show check import-gitleaks'
complete -c leakgate -f -n '__fish_seen_subcommand_from hook' -a 'install uninstall show pre-commit pre-push pre-receive'
complete -c leakgate -f -n '__fish_seen_subcommand_from config' -a 'check'
complete -c leakgate -f -n '__fish_seen_subcommand_from store' -a 'stats check vacuum'
complete -c leakgate -s f -l format -x -a 'text json jsonl sarif csv junit'
complete -c leakgate -l fail-on -x -a 'critical high medium low'
complete -c leakgate -l min-confidence -x -a 'low medium high checksum'
