{{- define "benih.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "benih.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "benih.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "benih.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The server's pods; agents add app.kubernetes.io/component: agent and their region. */}}
{{- define "benih.selectorLabels" -}}
app.kubernetes.io/name: {{ include "benih.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end }}

{{- define "benih.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "benih.secretName" -}}
{{- default (include "benih.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* The environment variable that carries a region's agent token to the server: BENIH_AGENT_TOKEN_CN_NORTH. */}}
{{- define "benih.agentTokenEnv" -}}
{{- printf "BENIH_AGENT_TOKEN_%s" (regexReplaceAll "[^A-Z0-9]" (upper .) "_") }}
{{- end }}

{{/* A region's token as a secretKeyRef: its own Secret, or its key in the chart's Secret. */}}
{{- define "benih.agentTokenRef" -}}
{{- $region := index . 0 }}
{{- $root := index . 1 }}
{{- if $region.tokenSecret }}
name: {{ required (printf "agents.regions %s: tokenSecret needs name" $region.name) $region.tokenSecret.name }}
key: {{ required (printf "agents.regions %s: tokenSecret needs key" $region.name) $region.tokenSecret.key }}
{{- else }}
name: {{ include "benih.secretName" $root }}
key: {{ printf "agent-token-%s" $region.name }}
{{- end }}
{{- end }}

{{/* The replicas that run at the least: several need a store every replica shares. */}}
{{- define "benih.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{- define "benih.checkSharedStore" -}}
{{- $several := or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}
{{- if and $several (not .Values.secrets.existingSecret) (not .Values.secrets.databaseUrl) }}
{{- fail "several replicas (replicaCount above 1, or autoscaling) need secrets.databaseUrl (PostgreSQL) or secrets.existingSecret with database-url: without it each pod keeps its own SQLite store" }}
{{- end }}
{{- end }}

{{/* benih.yaml: `config`, the markets, and a training.agents entry per region whose token comes from the environment. */}}
{{- define "benih.config" -}}
{{- $config := deepCopy (.Values.config | default dict) }}
{{- $_ := set $config "markets" .Values.markets }}
{{- if and .Values.agents.enabled .Values.agents.regions }}
{{- $training := deepCopy (get $config "training" | default dict) }}
{{- $agents := get $training "agents" | default list }}
{{- range .Values.agents.regions }}
{{- $agents = append $agents (dict "region" .name "token" (printf "${%s}" (include "benih.agentTokenEnv" .name))) }}
{{- end }}
{{- $_ := set $training "agents" $agents }}
{{- $_ := set $config "training" $training }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{- define "benih.terminationGracePeriodSeconds" -}}
{{- $shutdown := dig "server" "shutdown" (dict) (.Values.config | default dict) }}
{{- add (get $shutdown "drainSeconds" | default 0) (hasKey $shutdown "graceSeconds" | ternary (get $shutdown "graceSeconds") 30) .Values.terminationMarginSeconds }}
{{- end }}
