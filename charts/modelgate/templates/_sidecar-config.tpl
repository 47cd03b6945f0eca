{{/* modelgate.yaml for the injected sidecars of one namespace. The injector sets what is per
pod by environment (model, protocol, environment, the ops listener on the modelgate-ops port). Called with
(dict "root" $ "namespace" NAME). Parsed by the project's own config parser in
test/chart (an unknown key or a wrong value fails there). */}}
{{- define "modelgate.sidecarConfig" -}}
{{- $v := .root.Values.sidecar -}}
{{- $redisUrl := include "modelgate.redisUrl" .root -}}
{{- $cfg := dict
  "listen" "127.0.0.1:9001"
  "socket" "/var/run/modelgate/authz.sock"
  "namespace" .namespace
  "logLevel" $v.logLevel
  "policySource" "kubernetes"
  "kubernetes" (dict "apiKeys" true "statusWriter" (dict "enabled" $v.statusWriter "leaseName" "modelgate-status-writer"))
-}}
{{- $identity := dict "sources" $v.identitySources -}}
{{- if $v.jwtIssuers -}}
{{- $_ := set $identity "jwt" (dict "issuers" $v.jwtIssuers) -}}
{{- else if has "jwt" $v.identitySources -}}
{{- fail "sidecar.jwtIssuers: at least one issuer is needed when sidecar.identitySources has jwt" -}}
{{- end -}}
{{- if or (has "mtls" $v.identitySources) $v.mtls.trustBundle -}}
{{- $mtls := dict -}}
{{- if $v.mtls.trustBundle }}{{ $_ := set $mtls "caFile" "trust-bundle.pem" }}{{ end -}}
{{- if $v.mtls.trustDomains }}{{ $_ := set $mtls "trustDomains" $v.mtls.trustDomains }}{{ end -}}
{{- if $v.mtls.attributes }}{{ $_ := set $mtls "attributes" $v.mtls.attributes }}{{ end -}}
{{- $_ := set $identity "mtls" $mtls -}}
{{- end -}}
{{- $_ := set $cfg "identity" $identity -}}
{{- if $redisUrl -}}
{{- $_ := set $cfg "limiter" (dict "redis" (dict "url" $redisUrl "deadline" $v.redis.deadline "localShare" $v.redis.localShare)) -}}
{{- end -}}
{{- $audit := dict "sink" $v.audit.sink "failMode" $v.audit.failMode -}}
{{- if eq $v.audit.sink "redis" -}}
{{- if not $redisUrl -}}
{{- fail "sidecar.audit.sink: redis needs sidecar.redis.url or trialRedis.enabled" -}}
{{- end -}}
{{- $_ := set $audit "redis" (dict "url" $redisUrl "key" $v.audit.redisKey) -}}
{{- end -}}
{{- $_ := set $cfg "audit" $audit -}}
{{- toYaml $cfg -}}
{{- end -}}
