# bash completion for leakgate.  Options come from `leakgate CMD --help`,
# so they always match the installed binary.
_leakgate()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd="" words="" i w

	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-f|-o|-j|--format|--output|--threads|--rules|--config|--baseline|\
		--ignore-file|--repo|--ref|--since|--home|--repos|--exit-code|\
		--fail-on|--min-confidence|--max-file-size|--max-decode-depth|--max-archive-depth|\
		--rule|--status|--reason|--export|\
		--import|--purge-plan) ((i++)) ;;
		-*) ;;
		*) cmd=$w; break ;;
		esac
	done
	case $prev in
	-f|--format) COMPREPLY=($(compgen -W "text json jsonl sarif csv junit" -- "$cur")); return ;;
	--fail-on) COMPREPLY=($(compgen -W "critical high medium low live" -- "$cur")); return ;;
	--min-confidence) COMPREPLY=($(compgen -W "low medium high checksum" -- "$cur")); return ;;
	--status) COMPREPLY=($(compgen -W "open false-positive accepted-risk revoked" -- "$cur")); return ;;
	-o|--output|--rules|--config|--baseline|--ignore-file|--export|--import|--purge-plan)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--repo|--home|--repos) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	esac
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "scan history staged range audit rules hook config verify revoke report triage store version help --help --version" -- "$cur"))
		return
	fi
	if [[ $cur == -* ]]; then
		words=$(leakgate "$cmd" --help 2>/dev/null | grep -o -- '--[a-z-]*' | sort -u)
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return
	fi
	case $cmd in
	rules) words="list show check import-gitleaks" ;;
	hook) words="install uninstall show pre-commit pre-push pre-receive" ;;
	config) words="check" ;;
	store) words="stats check vacuum" ;;
	esac
	COMPREPLY=($(compgen -W "$words" -- "$cur") $(compgen -f -- "$cur"))
}
complete -F _leakgate leakgate
