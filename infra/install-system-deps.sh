#!/usr/bin/env bash
# Debian packages the tests and the local Kafka need: Dovecot (the IMAP peer of the email tests),
# Chromium (the browser tests), Java 17 and Maven (the local Kafka broker). Installs only what is
# missing, so a second run costs nothing.
set -euo pipefail
need=()
command -v dovecot >/dev/null || need+=(dovecot-imapd)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v pg_isready >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -eq 0 ]; then echo "system packages present"; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (run as root or install them: apt-get install -y ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"
