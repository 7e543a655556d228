// The scripts `sidecar autocomplete bash|zsh` prints. Both hand the words typed
// so far to `sidecar __complete` and offer what it prints, one candidate a line;
// with nothing to offer, bash falls back to file names (-o default).
export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

const BASH = `# sidecar completion for bash. Install: add to ~/.bashrc
#   eval "$(sidecar autocomplete bash)"
_sidecar_complete() {
  local IFS=$'\\n'
  COMPREPLY=($(sidecar __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _sidecar_complete sidecar
`;

const ZSH = `#compdef sidecar
# sidecar completion for zsh. Install: add to ~/.zshrc (after compinit)
#   eval "$(sidecar autocomplete zsh)"
_sidecar() {
  local -a candidates
  candidates=("\${(@f)$(sidecar __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if (( \${#candidates} == 0 )) || [[ -z "\${candidates[1]}" ]]; then
    _files
  else
    compadd -a candidates
  fi
}
compdef _sidecar sidecar
`;

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? BASH : ZSH;
}
