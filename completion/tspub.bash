# bash completion for tspub tssub tsrr.
# Generated from the option table (src/options/table.ts): do not edit.
# Use: `source <(tspub --completion bash)` in ~/.bashrc (any of the tools prints it).

# COMPREPLY = the words of compgen "$@" matching $cur, one per line (so file names may hold blanks).
_tsmqtt_compgen() {
  mapfile -t COMPREPLY < <(compgen "$@" -- "$cur")
}

# Sets `words` (argv up to the cursor) and `lead`. bash splits words at COMP_WORDBREAKS (: =), so
# `-L mqtt://host:1883/t` arrives as five words; an option's position in argv decides what the
# next word is, so the pieces that no blank separates are glued back together. `lead` is the part
# of the current word before the piece bash will replace.
_tsmqtt_words() {
  local line=${COMP_LINE:0:COMP_POINT} rest w i
  words=() lead=
  if [[ -z ${COMP_LINE+set} ]]; then
    words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
    return
  fi
  for ((i = 0; i <= COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    rest=${line#"${line%%[![:space:]]*}"}
    if ((i == 0)) || [[ ${#rest} -ne ${#line} ]]; then
      words+=('')
    fi
    if ((i == COMP_CWORD)); then
      # the current word ends at the cursor
      w=$rest
      lead=${words[${#words[@]}-1]}
    fi
    words[${#words[@]}-1]+=$w
    line=${rest:${#w}}
  done
}

# Completes the word after -D: its command, then the property names valid for that command;
# the value (two words for user-property) is free text.
_tsmqtt_property() {
  case $1 in
    1) _tsmqtt_compgen -W 'connect publish subscribe unsubscribe disconnect will' ;;
    2)
      case ${2,,} in
        connect) _tsmqtt_compgen -W 'session-expiry-interval authentication-method authentication-data request-problem-information request-response-information receive-maximum topic-alias-maximum user-property maximum-packet-size' ;;
        publish) _tsmqtt_compgen -W 'payload-format-indicator message-expiry-interval content-type response-topic correlation-data topic-alias user-property' ;;
        subscribe) _tsmqtt_compgen -W 'subscription-identifier user-property' ;;
        unsubscribe) _tsmqtt_compgen -W 'user-property' ;;
        disconnect) _tsmqtt_compgen -W 'session-expiry-interval server-reference reason-string user-property' ;;
        will) _tsmqtt_compgen -W 'payload-format-indicator message-expiry-interval content-type response-topic correlation-data will-delay-interval reason-string user-property' ;;
      esac ;;
  esac
}

# Completes a profile name: a file in the profile folder, found as the tools find it (a set
# XDG_CONFIG_HOME wins, else ~/.config). Names are file names: -o filenames makes readline quote
# one with blanks or quotes (`my\ lab`), and the word typed so far is matched without its quoting.
_tsmqtt_profiles() {
  local f typed=${cur#[\"\']}
  typed=${typed//\\/}
  compopt -o filenames 2>/dev/null
  for f in "${XDG_CONFIG_HOME-$HOME/.config}/tsmqtt"/*; do
    if [[ -f $f && ${f##*/} == "$typed"* ]]; then
      COMPREPLY+=("${f##*/}")
    fi
  done
}

# Completes the value of option $1: a fixed set, a file or a directory; other values are free text.
_tsmqtt_value() {
  case $1 in
    --unix) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -f ;;
    -V|--protocol-version) _tsmqtt_compgen -W 'mqttv5 mqttv311 mqttv31 5 311 31' ;;
    --pw-file) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -f ;;
    --correlation) _tsmqtt_compgen -W 'strict lenient off' ;;
    -f|--file) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -f ;;
    -q|--qos) _tsmqtt_compgen -W '0 1 2' ;;
    --retain-handling) _tsmqtt_compgen -W 'always new never' ;;
    --will-qos) _tsmqtt_compgen -W '0 1 2' ;;
    --cafile) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -f ;;
    --capath) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -d ;;
    --cert) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -f ;;
    --key) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -f ;;
    --keyform) _tsmqtt_compgen -W 'pem engine' ;;
    --tls-version) _tsmqtt_compgen -W 'tlsv1.3 tlsv1.2 tlsv1.1' ;;
    --tls-keylog) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -f ;;
    -o) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -f ;;
    --profile) _tsmqtt_profiles ;;
    --completion) _tsmqtt_compgen -W 'bash zsh' ;;
  esac
}

_tsmqtt() {
  local tool=${COMP_WORDS[0]##*/} cur lead opts one i n last
  local -a words
  COMPREPLY=()
  _tsmqtt_words
  last=$((${#words[@]} - 1))
  cur=${words[last]}
  case $tool in
    tssub)
      opts='-h --host -p --port --unix -L --url -A --nodelay --ws --proxy -i --id -I --id-prefix -c --disable-clean-session -x -k --keepalive -V --protocol-version -M -u --username -P --pw --pw-file --pw-prompt -D --property -t --topic -q --qos -C -E -R --retained-only --remove-retained --retain-handling -T --filter-out -U --unsubscribe --random-filter -W -v --verbose -N -F --pretty -w --watch --message-rate --will-topic --will-payload --will-qos --will-retain --cafile --capath --cert --key --keyform --ciphers --tls-version --tls-alpn --tls-engine --tls-engine-kpass-sha1 --tls-use-os-certs --insecure --tls-keylog --no-tls --psk --psk-identity -d --debug --quiet -o --profile --help --version --completion'
      one=' -h --host -p --port --unix -L --url -A --proxy -i --id -I --id-prefix -x -k --keepalive -V --protocol-version -M -u --username -P --pw --pw-file -t --topic -q --qos -C --retain-handling -T --filter-out -U --unsubscribe --random-filter -W -F --will-topic --will-payload --will-qos --cafile --capath --cert --key --keyform --ciphers --tls-version --tls-alpn --tls-engine --tls-engine-kpass-sha1 --tls-keylog --psk --psk-identity -o --profile --completion ' ;;
    tsrr)
      opts='-h --host -p --port --unix -L --url -A --nodelay --ws --proxy -i --id -I --id-prefix -c --disable-clean-session -x -k --keepalive -V --protocol-version -M -u --username -P --pw --pw-file --pw-prompt -D --property -t --topic -e --correlation -m --message -f --file -s --stdin-file -n --null-message -q --qos -R --retain-handling -W -v --verbose -N -F --pretty --latency --will-topic --will-payload --will-qos --will-retain --cafile --capath --cert --key --keyform --ciphers --tls-version --tls-alpn --tls-engine --tls-engine-kpass-sha1 --tls-use-os-certs --insecure --tls-keylog --no-tls --psk --psk-identity -d --debug --quiet -o --profile --help --version --completion'
      one=' -h --host -p --port --unix -L --url -A --proxy -i --id -I --id-prefix -x -k --keepalive -V --protocol-version -M -u --username -P --pw --pw-file -t --topic -e --correlation -m --message -f --file -q --qos --retain-handling -W -F --will-topic --will-payload --will-qos --cafile --capath --cert --key --keyform --ciphers --tls-version --tls-alpn --tls-engine --tls-engine-kpass-sha1 --tls-keylog --psk --psk-identity -o --profile --completion ' ;;
    *)
      opts='-h --host -p --port --unix -L --url -A --nodelay --ws --proxy -i --id -I --id-prefix -c --disable-clean-session -x -k --keepalive -V --protocol-version -M -u --username -P --pw --pw-file --pw-prompt -D --property -t --topic -m --message -f --file -s --stdin-file -l --stdin-line -n --null-message -q --qos -r --retain --repeat --repeat-delay --will-topic --will-payload --will-qos --will-retain --cafile --capath --cert --key --keyform --ciphers --tls-version --tls-alpn --tls-engine --tls-engine-kpass-sha1 --tls-use-os-certs --insecure --tls-keylog --no-tls --psk --psk-identity -d --debug --quiet -o --profile --help --version --completion'
      one=' -h --host -p --port --unix -L --url -A --proxy -i --id -I --id-prefix -x -k --keepalive -V --protocol-version -M -u --username -P --pw --pw-file -t --topic -m --message -f --file -q --qos --repeat --repeat-delay --will-topic --will-payload --will-qos --cafile --capath --cert --key --keyform --ciphers --tls-version --tls-alpn --tls-engine --tls-engine-kpass-sha1 --tls-keylog --psk --psk-identity -o --profile --completion ' ;;
  esac
  # Walk argv as the tools parse it, so that a value (`-m -d`, `-t --help`) is never taken for an option.
  for ((i = 1; i < last; i++)); do
    case ${words[i]} in
      -D|--property)
        # command, identifier, value; user-property has a key and a value
        n=3
        [[ ${words[i+2],,} == user-property ]] && n=4
        if ((last - i <= n)); then
          _tsmqtt_property $((last - i)) "${words[i+1]}"
          break
        fi
        ((i += n)) ;;
      *)
        if [[ $one == *" ${words[i]} "* ]]; then
          if ((i + 1 == last)); then
            _tsmqtt_value "${words[i]}"
            break
          fi
          ((i++))
        fi ;;
    esac
  done
  if ((i >= last)); then
    _tsmqtt_compgen -W "$opts"
  fi
  # bash replaces only the piece after the last word break: drop what precedes it
  if [[ -n $lead ]]; then
    COMPREPLY=("${COMPREPLY[@]#"$lead"}")
  fi
}

complete -F _tsmqtt tspub tssub tsrr
