{{/* Names and labels shared by every template. Fixed names (modelgate-injector,
modelgate-sidecar) come from the deploy contract with the injection webhook. */}}

{{- define "modelgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "modelgate.webhookName" -}}
{{- printf "%s-webhook" (include "modelgate.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "modelgate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "modelgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: modelgate
{{- end -}}

{{- define "modelgate.webhookSelector" -}}
app.kubernetes.io/name: {{ include "modelgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end -}}

{{- define "modelgate.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The trial Redis lives in the release namespace; the sidecars reach it by its Service name. */}}
{{- define "modelgate.trialRedisName" -}}
{{- printf "%s-redis" (include "modelgate.name" .) -}}
{{- end -}}

{{- define "modelgate.redisUrl" -}}
{{- if .Values.sidecar.redis.url -}}
{{- .Values.sidecar.redis.url -}}
{{- else if .Values.trialRedis.enabled -}}
{{- printf "redis://%s.%s.svc:6379/0" (include "modelgate.trialRedisName" .) .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{/* The Secret the sidecars read MODELGATE_REDIS_PASSWORD from: the configured one, else the
trial Redis's (created in every sidecar namespace, since a secretKeyRef is namespace-local). */}}
{{- define "modelgate.redisPasswordSecretName" -}}
{{- if .Values.sidecar.redis.passwordSecret.name -}}
{{- .Values.sidecar.redis.passwordSecret.name -}}
{{- else if and .Values.trialRedis.enabled (not .Values.sidecar.redis.url) -}}
{{- include "modelgate.trialRedisName" . -}}
{{- end -}}
{{- end -}}

{{/* The webhook's serving certificate Secret (self-managed or written by cert-manager). */}}
{{- define "modelgate.webhookTlsSecret" -}}
{{- printf "%s-tls" (include "modelgate.webhookName" .) -}}
{{- end -}}

{{/* DNS names of the webhook Service, and the host of webhook.url when it is a name. */}}
{{- define "modelgate.webhookDnsNames" -}}
{{- $svc := include "modelgate.webhookName" . -}}
{{- $names := list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) -}}
{{- $host := include "modelgate.webhookUrlHost" . -}}
{{- if and $host (not (regexMatch "^[0-9.]+$|^\\[" $host)) -}}
{{- $names = append $names $host -}}
{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{- define "modelgate.webhookIPs" -}}
{{- $host := include "modelgate.webhookUrlHost" . -}}
{{- $ips := list -}}
{{- if regexMatch "^[0-9.]+$" $host -}}
{{- $ips = append $ips $host -}}
{{- else if regexMatch "^\\[.*\\]$" $host -}}
{{- $ips = append $ips (trimPrefix "[" (trimSuffix "]" $host)) -}}
{{- end -}}
{{- toJson $ips -}}
{{- end -}}

{{- define "modelgate.webhookUrlHost" -}}
{{- if .Values.webhook.url -}}
{{- regexReplaceAll ":[0-9]+$" (urlParse .Values.webhook.url).host "" -}}
{{- end -}}
{{- end -}}
