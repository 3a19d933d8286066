#!/usr/bin/env bash
# Generates every secret value of a CAM deployment into the secretGenerator input folder of
# deploy/kubernetes/secrets (generated/, gitignored), then `kubectl apply -k deploy/kubernetes/secrets` creates the
# Secrets. Needs openssl (1.1.1+) and perl (bcrypt through libcrypt; htpasswd is used instead
# when perl's crypt cannot do bcrypt).
#
#   deploy/generate-secrets.sh [--out DIR] [--force] [--hosts "name ..."] [--broker-hosts "name ..."]
#
# A folder that already holds secrets is refused unless --force: regenerating replaces database passwords that the MySQL nodes already
# hold and keys that signed live tickets (see "Rotating secrets" in docs/operations.md).
# Values you may supply instead of generated ones (environment): CAM_LDAP_BIND_PASSWORD (the directory's service
# account), CAM_DB_USER / CAM_DB_ADMIN_USER / CAM_DB_REPL_USER (account names), CAM_MANAGEMENT_ADMIN_PASSWORD,
# CAM_REPLICATION_ADMIN_PASSWORD (its bcrypt hash goes into the Secret), CAM_DISCOVERY_SITE_KEY (base64),
# CAM_DEVICE_BOOTSTRAP_PASSWORD (the appliances' factory credential; not generated: it is the devices' own,
# "cam-bootstrap" for the simulated ones when unset).
set -euo pipefail
umask 077

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$here/kubernetes/secrets/generated
force=0
# management-api's certificate names: the in-cluster Service names, plus what clients use (--hosts).
hosts="management-api management-api.cam management-api.cam.svc management-api.cam.svc.cluster.local"
broker_hosts="session-broker session-broker.cam session-broker.cam.svc"
extra_hosts=""
extra_broker=""

die() { printf 'generate-secrets: %s\n' "$*" >&2; exit 1; }
say() { printf 'generate-secrets: %s\n' "$*"; }

while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --force) force=1; shift ;;
    --hosts) extra_hosts=$2; shift 2 ;;
    --broker-hosts) extra_broker=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done

command -v openssl >/dev/null || die "openssl is required (apt-get install openssl)"
mkdir -p "$out"
if [ "$force" = 0 ] && [ -e "$out/cam-db.env" ]; then
  die "$out already holds secrets; --force replaces them all (read 'Rotating secrets' in docs/operations.md first)"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 32 characters of [A-Za-z0-9]: safe inside SQL literals, env files, URLs and shells.
random() { openssl rand -base64 96 | tr -dc 'A-Za-z0-9' | head -c "${1:-32}"; }

bcrypt() {
  local salt hash
  # 22 salt characters of bcrypt's alphabet; the last one carries only 2 bits, so it is one of . O e u.
  salt=$(openssl rand -base64 64 | tr -dc 'A-Za-z0-9./' | head -c 21)$(printf '.Oeu' | cut -c $(( $(od -An -N1 -tu1 /dev/urandom) % 4 + 1 )))
  hash=$(CAM_PW=$1 CAM_SALT=$salt perl -e 'print crypt($ENV{CAM_PW}, "\$2b\$12\$" . $ENV{CAM_SALT})' 2>/dev/null || true)
  if [[ $hash != '$2b$12$'* || ${#hash} -ne 60 ]]; then
    command -v htpasswd >/dev/null || die "no bcrypt: perl's crypt lacks it and htpasswd is missing (apt-get install apache2-utils)"
    hash=$(htpasswd -bnBC 12 "" "$1" | tr -d ':\n')
  fi
  printf '%s' "$hash"
}

write_env() { # file, then KEY=VALUE lines on stdin
  cat >"$out/$1"
}

# --- database accounts -------------------------------------------------------------------------------------
write_env cam-db.env <<EOF
MYSQL_ROOT_PASSWORD=$(random)
CAM_DB_USER=${CAM_DB_USER:-cam}
CAM_DB_PASSWORD=$(random)
CAM_DB_ADMIN_USER=${CAM_DB_ADMIN_USER:-camadmin}
CAM_DB_ADMIN_PASSWORD=$(random)
CAM_DB_REPL_USER=${CAM_DB_REPL_USER:-repl}
CAM_DB_REPL_PASSWORD=$(random)
EOF

# --- LDAP bind -----------------------------------------------------------------------------------------------
ldap_generated=0
if [ -z "${CAM_LDAP_BIND_PASSWORD:-}" ]; then
  CAM_LDAP_BIND_PASSWORD=$(random)
  ldap_generated=1
fi
write_env cam-ldap.env <<EOF
CAM_LDAP_BIND_PASSWORD=$CAM_LDAP_BIND_PASSWORD
EOF

# --- service credentials -------------------------------------------------------------------------------------
write_env cam-service-tokens.env <<EOF
CAM_BROKER_MANAGEMENT_TOKEN=$(random 48)
CAM_BROKER_ADMIN_TOKEN=$(random 48)
CAM_DISCOVERY_FORWARD_TOKEN=$(random 48)
CAM_REPLICATION_MONITOR_TOKEN=$(random 48)
CAM_METRICS_TOKEN=$(random 48)
EOF

# --- management-api: first admin password, key store password, secrets-at-rest key (AES-256), device bootstrap --
admin_pw=${CAM_MANAGEMENT_ADMIN_PASSWORD:-$(random 20)}
ks_pw=$(random)
write_env cam-management.env <<EOF
CAM_MANAGEMENT_ADMIN_PASSWORD=$admin_pw
CAM_MANAGEMENT_TLS_KEYSTORE_PASSWORD=$ks_pw
CAM_MANAGEMENT_SECRETS_KEY=$(openssl rand -base64 32)
CAM_DEVICE_BOOTSTRAP_PASSWORD=${CAM_DEVICE_BOOTSTRAP_PASSWORD:-cam-bootstrap}
EOF
printf '%s\n' "$admin_pw" >"$out/management-admin-password.txt"

# --- replication-monitor admin (bcrypt hash in the Secret, the password for the operator only) --------------------
repl_admin_pw=${CAM_REPLICATION_ADMIN_PASSWORD:-$(random 20)}
write_env cam-replication-admin.env <<EOF
CAM_REPLICATION_ADMIN_PASSWORD_HASH=$(bcrypt "$repl_admin_pw")
EOF
printf '%s\n' "$repl_admin_pw" >"$out/replication-admin-password.txt"

# --- discovery site key -------------------------------------------------------------------------------------------
write_env cam-discovery.env <<EOF
CAM_DISCOVERY_SITE_KEY=${CAM_DISCOVERY_SITE_KEY:-$(openssl rand -base64 32)}
EOF

# --- private CA, management-api HTTPS (PKCS#12) and the brokers' client-facing TLS certificate -----------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj "/CN=CAM internal CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$tmp/ca.key" -out "$out/ca.crt" 2>/dev/null

issue() { # name, "dns names", target prefix
  local san="" h
  for h in $2; do san="${san:+$san,}DNS:$h"; done
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${2%% *}" \
    -keyout "$3.key" -out "$tmp/$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' "$san" >"$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA "$out/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
    -CAserial "$tmp/ca.srl" -days 825 -extfile "$tmp/$1.ext" -out "$3.crt" 2>/dev/null
}

issue management "$hosts $extra_hosts" "$tmp/management-tls"
cp "$tmp/management-tls.crt" "$out/management-tls.crt"
openssl pkcs12 -export -name management-api -inkey "$tmp/management-tls.key" -in "$tmp/management-tls.crt" \
  -certfile "$out/ca.crt" -passout "pass:$ks_pw" -out "$out/management-tls.p12"

issue broker "$broker_hosts $extra_broker" "$out/broker-tls"

rm -f "$out/truststore.p12"   # written by earlier versions; every client now trusts ca.crt as PEM

# --- management-api login JWTs (RSA, PKCS#8 / X.509 PEM) ---------------------------------------------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out/jwt-private.pem" 2>/dev/null
openssl pkey -in "$out/jwt-private.pem" -pubout -out "$out/jwt-public.pem"

# --- session ticket signing (Ed25519, PKCS#8 / X.509 PEM as org.cam.protocol.ticket.TicketKeys reads them) ---------
openssl genpkey -algorithm ed25519 -out "$out/ticket-private.pem"
openssl pkey -in "$out/ticket-private.pem" -pubout -out "$out/ticket-public.pem"

say "wrote $(ls "$out" | wc -l) files to $out"
say "management-api admin password: $out/management-admin-password.txt (used at first start only)"
say "replication-monitor admin password: $out/replication-admin-password.txt"
if [ "$ldap_generated" = 1 ]; then
  say "CAM_LDAP_BIND_PASSWORD was not given: a random one was generated; set it on the LDAP service account"
  say "named by CAM_LDAP_BIND_DN, or rerun with CAM_LDAP_BIND_PASSWORD=... --force"
fi
say "next: kubectl apply -k ${out%/generated}"
