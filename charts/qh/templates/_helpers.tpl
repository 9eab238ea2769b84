{{/*
Names derived from a service slug. Every object of a service is called by its slug,
the Dapr app-id is the slug, the image is qh-<slug>.
*/}}

{{- define "qh.chart" -}}
{{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* Labels every object carries. Call with (dict "root" $ "name" <name> "component" <component>). */}}
{{- define "qh.labels" -}}
helm.sh/chart: {{ include "qh.chart" .root }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: qh
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "qh.selectorLabels" . }}
{{- end }}

{{/* The labels a selector matches on: name, instance and component. */}}
{{- define "qh.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
A service's settings: serviceDefaults overridden key by key by the service's own block.
Returns YAML; callers use `include "qh.serviceConfig" (...) | fromYaml`.
*/}}
{{- define "qh.serviceConfig" -}}
{{- $merged := deepCopy .root.Values.serviceDefaults -}}
{{- range $key, $value := .cfg }}
{{- if and (kindIs "map" $value) (kindIs "map" (get $merged $key)) }}
{{- $_ := set $merged $key (mergeOverwrite (deepCopy (get $merged $key)) (deepCopy $value)) }}
{{- else }}
{{- $_ := set $merged $key $value }}
{{- end }}
{{- end }}
{{- toYaml $merged }}
{{- end }}

{{/* Python-style identifier of a slug: user-data -> user_data (database name). */}}
{{- define "qh.snake" -}}
{{ . | replace "-" "_" }}
{{- end }}

{{/* The environment variable holding a service's database URL: QH_USER_DATA_DATABASE_URL. */}}
{{- define "qh.databaseUrlEnv" -}}
QH_{{ . | upper | replace "-" "_" }}_DATABASE_URL
{{- end }}

{{/* Image of a service. Call with (dict "root" $ "slug" <slug>). */}}
{{- define "qh.image" -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if .root.Values.image.registry -}}
{{ .root.Values.image.registry }}/qh-{{ .slug }}:{{ $tag }}
{{- else -}}
qh-{{ .slug }}:{{ $tag }}
{{- end }}
{{- end }}

{{/*
The app-ids allowed to load a Dapr component: every declared service (enabled or not;
a scope naming an app that is not deployed grants nothing) whose `components` list it.
Call with (dict "root" $ "component" <name>); returns a YAML list.
*/}}
{{- define "qh.componentScopes" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- $scopes := list -}}
{{- range $slug, $cfg := $root.Values.services }}
{{- $svc := include "qh.serviceConfig" (dict "root" $root "cfg" $cfg) | fromYaml }}
{{- if has $component $svc.components }}
{{- $scopes = append $scopes $slug }}
{{- end }}
{{- end }}
{{- toYaml $scopes }}
{{- end }}

{{/* Environment shared by a service's container and its migration Job. Call with (dict "root" $ "slug" <slug> "svc" <config>). */}}
{{- define "qh.env" -}}
- name: QH_RUNTIME
  value: dapr
- name: QH_PORT
  value: {{ .svc.port | int64 | quote }}
- name: QH_PUBLIC_BASE_URL
  value: {{ .root.Values.publicBaseUrl | quote }}
- name: QH_AUTH_ISSUER
  value: {{ printf "%s%s" .root.Values.publicBaseUrl .root.Values.services.auth.prefix | quote }}
- name: QH_DAPR_PUBSUB
  value: pubsub
- name: QH_DAPR_SECRET_STORE
  value: secretstore
{{- /* uvicorn believes X-Forwarded-For only from these peers (IPs or CIDRs): the
ingress controller's pods, so per-IP limits see the client, not the controller. */}}
- name: QH_FORWARDED_ALLOW_IPS
  value: {{ join "," .root.Values.trustedProxies | quote }}
{{- range $name, $value := merge (deepCopy .svc.env) .root.Values.env }}
- name: {{ $name }}
  {{- /* Helm reads YAML numbers as floats: print whole numbers without an exponent. */}}
  {{- if and (kindIs "float64" $value) (eq $value (float64 (int64 $value))) }}
  value: {{ int64 $value | toString | quote }}
  {{- else }}
  value: {{ $value | toString | quote }}
  {{- end }}
{{- end }}
{{- if .svc.database }}
- name: {{ include "qh.databaseUrlEnv" .slug }}
  valueFrom:
    secretKeyRef:
      name: {{ .slug }}
      key: database-url
{{- end }}
{{- end }}

{{/* The pod and container security settings every QH pod runs with. */}}
{{- define "qh.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "qh.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ .readOnlyRootFilesystem }}
capabilities:
  drop:
    - ALL
{{- end }}

{{/* The dev database URL of a service. Call with (dict "root" $ "slug" <slug>). */}}
{{- define "qh.devDatabaseUrl" -}}
{{- $db := .root.Values.secrets.database -}}
{{- $password := required "secrets.database.password must be set when secrets.create is true" $db.password -}}
postgresql+asyncpg://{{ $db.user }}:{{ $password }}@{{ $db.host }}:{{ $db.port | int64 }}/{{ include "qh.snake" .slug }}
{{- end }}

{{/* Hook annotations for objects a pre-install/pre-upgrade migration Job needs. */}}
{{- define "qh.preInstallHook" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ .weight | quote }}
helm.sh/hook-delete-policy: before-hook-creation
{{- end }}
