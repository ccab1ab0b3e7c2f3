import type { DashboardSpec } from './builder.js';

/**
 * The platform's dashboards. PromQL names only metrics listed in deploy/metrics-catalog.json or
 * recorded by deploy/prometheus/rules/*.yml (a test enforces it); `job` is the service
 * (gateway, directory, triage, research, hospital, inference-worker, nats, postgres) and
 * `hospital` the hospital slug, in docker compose and on Kubernetes alike.
 */

const H = 'hospital=~"$hospital"';
const links = [
  { title: 'Pipeline', url: '/d/triage-pipeline' },
  { title: 'Inference', url: '/d/triage-inference' },
  { title: 'Models', url: '/d/triage-models' },
  { title: 'Gateway', url: '/d/triage-gateway' },
  { title: 'Resources', url: '/d/triage-resources' },
];

const quantiles = (metric: string, filter: string, by = '') =>
  [0.5, 0.9, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket${filter}[$__rate_interval])))`,
    legend: `p${Math.round(q * 100)}${by ? ` {{${by}}}` : ''}`,
  }));

export const pipeline: DashboardSpec = {
  uid: 'triage-pipeline',
  title: 'Triage / Pipeline flow',
  description: 'Studies from upload to prediction, review and de-identification, per hospital; end-to-end latency against the 60 s objective.',
  tags: ['pipeline'],
  links,
  variables: [{ name: 'hospital', label: 'Hospital', query: 'label_values(up{job="hospital"}, hospital)' }],
  panels: [
    { kind: 'row', title: 'Studies through the pipeline (last hour)' },
    { kind: 'stat', title: 'Uploaded', w: 6, h: 4, targets: [{ expr: `sum(increase(ingest_images_total{outcome="stored", ${H}}[1h]))` }] },
    {
      kind: 'stat',
      title: 'Predicted',
      w: 6,
      h: 4,
      targets: [{ expr: `sum(hospital:predictions_stored:rate5m{${H}}) * 3600` }],
      description: 'Estimated from the current 5-minute rate.',
    },
    { kind: 'stat', title: 'Reviewed by a doctor', w: 6, h: 4, targets: [{ expr: `sum(increase(hospital_reviews_recorded_total{${H}}[1h]))` }] },
    { kind: 'stat', title: 'De-identified for research', w: 6, h: 4, targets: [{ expr: `sum(increase(hospital_deidentified_total{${H}}[1h]))` }] },
    {
      kind: 'timeseries',
      title: 'Flow by stage',
      description: 'Studies per minute entering each stage. Predicted should track uploaded within a minute; a gap that widens is a backlog.',
      w: 12,
      unit: 'short',
      targets: [
        { expr: `sum(hospital:studies_uploaded:rate5m{${H}}) * 60`, legend: 'uploaded / min' },
        { expr: `sum(hospital:predictions_stored:rate5m{${H}}) * 60`, legend: 'predicted / min' },
        { expr: `sum(hospital:reviews_recorded:rate5m{${H}}) * 60`, legend: 'reviewed / min' },
        { expr: `sum(hospital:deidentified:rate5m{${H}}) * 60`, legend: 'de-identified / min' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Waiting between stages',
      description: 'Studies not yet scored (worker consumer lag) and study events not yet published by each hospital (outbox).',
      w: 12,
      targets: [
        { expr: 'max(inference_consumer_pending_messages)', legend: 'awaiting inference' },
        { expr: `sum by (hospital) (hospital_outbox_pending_events{${H}})`, legend: 'outbox {{hospital}}' },
      ],
    },
    { kind: 'row', title: 'Per hospital' },
    { kind: 'timeseries', title: 'Uploaded per hospital', w: 6, unit: 'short', stack: true, targets: [{ expr: `hospital:studies_uploaded:rate5m{${H}} * 60`, legend: '{{hospital}}' }] },
    { kind: 'timeseries', title: 'Predicted per hospital', w: 6, unit: 'short', stack: true, targets: [{ expr: `hospital:predictions_stored:rate5m{${H}} * 60`, legend: '{{hospital}}' }] },
    { kind: 'timeseries', title: 'Reviewed per hospital', w: 6, unit: 'short', stack: true, targets: [{ expr: `hospital:reviews_recorded:rate5m{${H}} * 60`, legend: '{{hospital}}' }] },
    { kind: 'timeseries', title: 'De-identified per hospital', w: 6, unit: 'short', stack: true, targets: [{ expr: `hospital:deidentified:rate5m{${H}} * 60`, legend: '{{hospital}}' }] },
    {
      kind: 'timeseries',
      title: 'Rejected uploads by reason',
      description: 'Images a hospital refused (upload or STOW-RS), by error code: too large, unsupported type, too many pixels, corrupt, DICOM without pixels...',
      w: 12,
      unit: 'short',
      targets: [
        {
          expr: `sum by (hospital, outcome) (increase(ingest_images_total{outcome!~"stored|duplicate", ${H}}[$__rate_interval]))`,
          legend: '{{hospital}} {{outcome}}',
        },
      ],
    },
    {
      kind: 'timeseries',
      title: 'De-identification failures',
      w: 12,
      unit: 'short',
      targets: [{ expr: `sum by (hospital) (increase(hospital_deidentification_failures_total{${H}}[$__rate_interval]))`, legend: '{{hospital}}' }],
    },
    { kind: 'row', title: 'End-to-end latency: upload to the doctor\'s worklist' },
    {
      kind: 'timeseries',
      title: 'Upload to worklist (percentiles)',
      w: 12,
      unit: 's',
      threshold: 60,
      targets: [50, 90, 99].map((q) => ({
        expr: `histogram_quantile(0.${q}, sum by (le) (hospital:end_to_end_seconds_bucket:rate5m{${H}}))`,
        legend: `p${q}`,
      })),
    },
    {
      kind: 'timeseries',
      title: 'p99 upload to worklist per hospital',
      w: 12,
      unit: 's',
      threshold: 60,
      targets: [{ expr: `histogram_quantile(0.99, sum by (le, hospital) (hospital:end_to_end_seconds_bucket:rate5m{${H}}))`, legend: '{{hospital}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Where the time goes (p90 per stage)',
      description: 'Queue = stored event to batch start; preprocess per study; model per batch; feed enrichment = the gateway\'s fetch for the live feed.',
      w: 12,
      unit: 's',
      stack: true,
      targets: [
        { expr: 'histogram_quantile(0.9, sum by (le) (rate(inference_queue_seconds_bucket[$__rate_interval])))', legend: 'queue' },
        { expr: 'histogram_quantile(0.9, sum by (le) (rate(inference_preprocess_seconds_bucket[$__rate_interval])))', legend: 'preprocess' },
        { expr: 'histogram_quantile(0.9, sum by (le) (rate(inference_model_seconds_bucket[$__rate_interval])))', legend: 'model' },
        { expr: 'histogram_quantile(0.9, sum by (le) (rate(gateway_subscription_enrichment_duration_seconds_bucket[$__rate_interval])))', legend: 'feed enrichment' },
      ],
    },
    {
      kind: 'stat',
      title: 'Within 60 s (6 h)',
      description: 'Objective: 99 % of studies on the worklist with their prediction within 60 s of upload.',
      w: 6,
      unit: 'percentunit',
      warnAt: 0.99,
      badAt: 0.95,
      invert: true,
      targets: [{ expr: '1 - slo:end_to_end_slow:ratio_rate6h' }],
    },
    {
      kind: 'stat',
      title: 'Error budget burn rate (1 h)',
      description: '1 = the budget lasts exactly 30 days; the fast-burn alert pages at 14.4.',
      w: 6,
      unit: 'none',
      warnAt: 6,
      badAt: 14.4,
      targets: [{ expr: 'slo:end_to_end_slow:ratio_rate1h / 0.01' }],
    },
  ],
};

export const inference: DashboardSpec = {
  uid: 'triage-inference',
  title: 'Triage / Inference worker',
  description: 'Worker replicas, throughput, micro-batch sizes, model time, consumer lag and the dead-letter queue.',
  tags: ['inference'],
  links,
  panels: [
    { kind: 'stat', title: 'Workers up', w: 4, h: 4, invert: true, warnAt: 2, badAt: 1, targets: [{ expr: 'count(up{job="inference-worker"} == 1) or vector(0)' }] },
    { kind: 'stat', title: 'Studies scored / s', w: 5, h: 4, unit: 'ops', targets: [{ expr: 'sum(rate(inference_studies_processed_total[$__rate_interval]))' }] },
    { kind: 'stat', title: 'Consumer lag', w: 5, h: 4, warnAt: 100, badAt: 1000, targets: [{ expr: 'max(inference_consumer_pending_messages)' }] },
    {
      kind: 'stat',
      title: 'Dead-lettered (in DLQ)',
      w: 5,
      h: 4,
      warnAt: 1,
      badAt: 10,
      // The worker's own gauge first: it needs no NATS exporter.
      targets: [{ expr: 'max(inference_dead_letter_messages) or sum(jetstream_stream_total_messages{stream_name=~"(.+_)?DLQ"}) or vector(0)' }],
    },
    { kind: 'stat', title: 'Model swaps (24 h)', w: 5, h: 4, targets: [{ expr: 'sum(increase(inference_model_swaps_total[24h]))' }] },
    { kind: 'row', title: 'Throughput and batching' },
    {
      kind: 'timeseries',
      title: 'Studies scored per replica',
      w: 12,
      unit: 'ops',
      stack: true,
      targets: [{ expr: 'sum by (instance) (rate(inference_studies_processed_total[$__rate_interval]))', legend: '{{instance}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Batch size',
      description: 'Studies per onnxruntime run. Mean near WORKER_MAX_BATCH means the worker is saturated: scale out.',
      w: 12,
      targets: [
        { expr: 'sum(rate(inference_batch_size_sum[$__rate_interval])) / sum(rate(inference_batch_size_count[$__rate_interval]))', legend: 'mean' },
        { expr: 'histogram_quantile(0.5, sum by (le) (rate(inference_batch_size_bucket[$__rate_interval])))', legend: 'p50' },
        { expr: 'histogram_quantile(0.95, sum by (le) (rate(inference_batch_size_bucket[$__rate_interval])))', legend: 'p95' },
      ],
    },
    { kind: 'timeseries', title: 'Model time per batch', w: 8, unit: 's', targets: quantiles('inference_model_seconds', '', 'model_version').slice(1) },
    { kind: 'timeseries', title: 'Preprocessing per study', w: 8, unit: 's', targets: quantiles('inference_preprocess_seconds', '') },
    { kind: 'timeseries', title: 'Queue wait (stored to batch start)', w: 8, unit: 's', targets: quantiles('inference_queue_seconds', '') },
    { kind: 'row', title: 'Consumer lag and failures' },
    {
      kind: 'timeseries',
      title: 'Consumer lag (worker view)',
      w: 12,
      targets: [
        { expr: 'max(inference_consumer_pending_messages)', legend: 'pending' },
        { expr: 'max(inference_consumer_ack_pending_messages)', legend: 'delivered, not acked' },
        { expr: 'max(inference_consumer_redelivered_messages)', legend: 'redelivered' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'JetStream consumers (server view)',
      description: 'Every durable consumer: the worker and the triage projections.',
      w: 12,
      targets: [{ expr: 'max by (stream_name, consumer_name) (jetstream_consumer_num_pending)', legend: '{{stream_name}} / {{consumer_name}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Failures',
      w: 12,
      unit: 'ops',
      targets: [
        { expr: 'sum by (kind) (rate(inference_failures_total[$__rate_interval]))', legend: 'worker {{kind}}' },
        { expr: 'sum by (consumer, outcome) (rate(triage_events_total{outcome!="ack"}[$__rate_interval]))', legend: 'triage {{consumer}} {{outcome}}' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Dead-letter queue depth',
      w: 12,
      threshold: 1,
      targets: [{ expr: 'max by (stream_name) (jetstream_stream_total_messages{stream_name=~"(.+_)?DLQ"})', legend: '{{stream_name}}' }],
    },
  ],
};

export const models: DashboardSpec = {
  uid: 'triage-models',
  title: 'Triage / Model behaviour',
  description: 'Risk distribution, predictions and doctor agreement per model version (active and shadow).',
  tags: ['model'],
  links,
  variables: [{ name: 'model_version', label: 'Model version', query: 'label_values(inference_studies_processed_total, model_version)' }],
  panels: [
    {
      kind: 'heatmap',
      title: 'Risk distribution over time',
      w: 12,
      unit: 'short',
      targets: [{ expr: 'sum by (le) (increase(inference_prediction_risk_bucket{model_version=~"$model_version", role="active"}[$__rate_interval]))', legend: '{{le}}', format: 'heatmap' }],
    },
    {
      kind: 'bargauge',
      title: 'Risk distribution (24 h, share per bucket)',
      w: 12,
      unit: 'percentunit',
      min: 0,
      targets: [
        {
          expr: 'sum by (le) (increase(inference_prediction_risk_bucket{model_version=~"$model_version", role="active"}[24h])) / ignoring (le) group_left sum(increase(inference_prediction_risk_count{model_version=~"$model_version", role="active"}[24h]))',
          legend: 'risk <= {{le}}',
        },
      ],
      description: 'Cumulative: the share of predictions with risk at or below each bucket bound.',
    },
    {
      kind: 'timeseries',
      title: 'Predictions by model version',
      w: 12,
      unit: 'ops',
      stack: true,
      targets: [{ expr: 'sum by (model_version, role) (rate(inference_studies_processed_total{model_version=~"$model_version"}[$__rate_interval]))', legend: '{{model_version}} ({{role}})' }],
    },
    {
      kind: 'timeseries',
      title: 'Share predicted pneumonia',
      description: 'A step change after a model swap, with the same hospitals and hours, is a calibration change worth a look.',
      w: 12,
      unit: 'percentunit',
      min: 0,
      max: 1,
      targets: [
        {
          expr: 'sum by (model_version, role) (rate(inference_studies_processed_total{model_version=~"$model_version", label="pneumonia"}[1h])) / sum by (model_version, role) (rate(inference_studies_processed_total{model_version=~"$model_version"}[1h]))',
          legend: '{{model_version}} ({{role}})',
        },
      ],
    },
    { kind: 'row', title: 'Doctors\' findings' },
    {
      kind: 'timeseries',
      title: 'Doctor agreement per model version (24 h window)',
      description: 'Share of findings (pneumonia or normal) that match the active prediction\'s label; "uncertain" findings are left out.',
      w: 12,
      unit: 'percentunit',
      min: 0,
      max: 1,
      targets: [
        {
          expr: 'sum by (model_version) (increase(triage_review_agreement_total{model_version=~"$model_version", agreement="agree"}[24h])) / sum by (model_version) (increase(triage_review_agreement_total{model_version=~"$model_version", agreement=~"agree|disagree"}[24h]))',
          legend: '{{model_version}}',
        },
      ],
    },
    {
      kind: 'bargauge',
      title: 'Agreement now, per model version',
      w: 6,
      unit: 'percentunit',
      min: 0,
      max: 1,
      targets: [
        {
          expr: 'sum by (model_version) (increase(triage_review_agreement_total{model_version=~"$model_version", agreement="agree"}[7d])) / sum by (model_version) (increase(triage_review_agreement_total{model_version=~"$model_version", agreement=~"agree|disagree"}[7d]))',
          legend: '{{model_version}}',
        },
      ],
      description: 'Over the last 7 days.',
    },
    {
      kind: 'timeseries',
      title: 'Findings recorded',
      w: 6,
      unit: 'short',
      stack: true,
      targets: [{ expr: 'sum by (finding) (increase(hospital_reviews_recorded_total[$__rate_interval]))', legend: '{{finding}}' }],
    },
  ],
};

export const gateway: DashboardSpec = {
  uid: 'triage-gateway',
  title: 'Triage / Gateway and subgraphs',
  description: 'GraphQL operations and errors at the gateway, subgraph fetch latency per hospital, subscription fan-out.',
  tags: ['gateway'],
  links,
  panels: [
    { kind: 'stat', title: 'Operations / s', w: 6, h: 4, unit: 'reqps', targets: [{ expr: 'sum(rate(graphql_operations_total{job="gateway"}[$__rate_interval]))' }] },
    {
      kind: 'stat',
      title: 'Error ratio',
      w: 6,
      h: 4,
      unit: 'percentunit',
      warnAt: 0.01,
      badAt: 0.05,
      targets: [{ expr: 'sum(rate(graphql_operations_total{job="gateway", outcome="error"}[$__rate_interval])) / sum(rate(graphql_operations_total{job="gateway"}[$__rate_interval]))' }],
    },
    {
      kind: 'stat',
      title: 'p99 latency',
      w: 6,
      h: 4,
      unit: 's',
      warnAt: 0.5,
      badAt: 1,
      targets: [{ expr: 'histogram_quantile(0.99, sum by (le) (rate(graphql_operation_duration_seconds_bucket{job="gateway"}[$__rate_interval])))' }],
    },
    { kind: 'stat', title: 'Open subscriptions', w: 6, h: 4, targets: [{ expr: 'sum(gateway_subscriptions_active)' }] },
    { kind: 'row', title: 'Operations' },
    {
      kind: 'timeseries',
      title: 'Top operations',
      w: 12,
      unit: 'reqps',
      targets: [{ expr: 'topk(10, sum by (operation) (rate(graphql_operations_total{job="gateway"}[$__rate_interval])))', legend: '{{operation}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Operations ending in errors',
      w: 12,
      unit: 'reqps',
      targets: [{ expr: 'topk(10, sum by (operation) (rate(graphql_operations_total{job="gateway", outcome="error"}[$__rate_interval])))', legend: '{{operation}}' }],
    },
    { kind: 'timeseries', title: 'Operation latency', w: 12, unit: 's', threshold: 1, targets: quantiles('graphql_operation_duration_seconds', '{job="gateway"}') },
    {
      kind: 'timeseries',
      title: 'HTTP responses by status',
      w: 12,
      unit: 'reqps',
      stack: true,
      targets: [{ expr: 'sum by (status) (rate(http_requests_total{job="gateway"}[$__rate_interval]))', legend: '{{status}}' }],
    },
    { kind: 'row', title: 'Subgraphs' },
    {
      kind: 'timeseries',
      title: 'Fetch latency p99 per subgraph / hospital',
      w: 12,
      unit: 's',
      targets: [
        {
          expr: 'histogram_quantile(0.99, sum by (le, subgraph, hospital) (rate(gateway_subgraph_fetch_duration_seconds_bucket[$__rate_interval])))',
          legend: '{{subgraph}} {{hospital}}',
        },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Subgraph operations and errors',
      w: 12,
      unit: 'reqps',
      targets: [
        { expr: 'sum by (job, hospital) (rate(graphql_operations_total{job!="gateway"}[$__rate_interval]))', legend: '{{job}} {{hospital}}' },
        { expr: 'sum by (job, hospital) (rate(graphql_operations_total{job!="gateway", outcome="error"}[$__rate_interval]))', legend: 'errors {{job}} {{hospital}}' },
      ],
    },
    { kind: 'row', title: 'Subscriptions (live triage feed)' },
    {
      kind: 'timeseries',
      title: 'Fan-out',
      description: 'Triage events read from JetStream (live, or replayed for a client resuming from its cursor), events queued to subscribers, and federated enrichment fetches.',
      w: 8,
      unit: 'ops',
      targets: [
        { expr: 'sum by (source) (rate(gateway_subscription_events_total[$__rate_interval]))', legend: 'events in ({{source}})' },
        { expr: 'sum(rate(gateway_subscription_deliveries_total[$__rate_interval]))', legend: 'deliveries out' },
        { expr: 'sum by (outcome) (rate(gateway_subscription_fetches_total[$__rate_interval]))', legend: 'fetches {{outcome}}' },
      ],
    },
    {
      kind: 'timeseries',
      title: 'Deliveries and fetches per event',
      description: 'Fetches per event stays low while subscribers that share a selection set and scope share one fetch.',
      w: 8,
      unit: 'short',
      targets: [
        {
          expr: 'sum(rate(gateway_subscription_deliveries_total[$__rate_interval])) / sum(rate(gateway_subscription_events_total{source="live"}[$__rate_interval]))',
          legend: 'deliveries / event',
        },
        {
          expr: 'sum(rate(gateway_subscription_fetches_per_event_sum[$__rate_interval])) / sum(rate(gateway_subscription_fetches_per_event_count[$__rate_interval]))',
          legend: 'fetches / event',
        },
      ],
    },
    { kind: 'timeseries', title: 'Enrichment fetch latency', w: 8, unit: 's', targets: quantiles('gateway_subscription_enrichment_duration_seconds', '') },
    {
      kind: 'timeseries',
      title: 'Open subscriptions by field',
      w: 12,
      targets: [{ expr: 'sum by (field) (gateway_subscriptions_active)', legend: '{{field}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Connections closed by the gateway',
      description: 'slow consumers (buffer limit reached) and other reasons; a rise means doctors\' screens reconnect and replay.',
      w: 12,
      unit: 'short',
      targets: [{ expr: 'sum by (reason) (increase(gateway_subscription_connections_closed_total[$__rate_interval]))', legend: '{{reason}}' }],
    },
  ],
};

export const resources: DashboardSpec = {
  uid: 'triage-resources',
  title: 'Triage / Resources',
  description: 'Targets up, CPU, memory, event loop, restarts of every service; NATS and PostgreSQL.',
  tags: ['resources'],
  links,
  variables: [{ name: 'job', label: 'Service', query: 'label_values(up, job)' }],
  panels: [
    { kind: 'stat', title: 'Targets up', w: 6, h: 4, targets: [{ expr: 'count(up{job=~"$job"} == 1)' }] },
    { kind: 'stat', title: 'Targets down', w: 6, h: 4, warnAt: 1, badAt: 1, targets: [{ expr: 'count(up{job=~"$job"} == 0) or vector(0)' }] },
    { kind: 'stat', title: 'Restarts (1 h)', w: 6, h: 4, warnAt: 1, badAt: 3, targets: [{ expr: 'sum(changes(process_start_time_seconds{job=~"$job"}[1h]))' }] },
    { kind: 'stat', title: 'Max event loop lag p99', w: 6, h: 4, unit: 's', warnAt: 0.1, badAt: 0.5, targets: [{ expr: 'max(nodejs_eventloop_lag_p99_seconds{job=~"$job"})' }] },
    { kind: 'row', title: 'Processes' },
    {
      kind: 'timeseries',
      title: 'CPU (cores)',
      w: 12,
      unit: 'short',
      targets: [{ expr: 'sum by (job, hospital) (rate(process_cpu_seconds_total{job=~"$job"}[$__rate_interval]))', legend: '{{job}} {{hospital}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Resident memory',
      w: 12,
      unit: 'bytes',
      targets: [{ expr: 'sum by (job, hospital) (process_resident_memory_bytes{job=~"$job"})', legend: '{{job}} {{hospital}}' }],
    },
    {
      kind: 'timeseries',
      title: 'JS heap used',
      w: 8,
      unit: 'bytes',
      targets: [{ expr: 'sum by (job, hospital) (nodejs_heap_size_used_bytes{job=~"$job"})', legend: '{{job}} {{hospital}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Event loop lag p99',
      w: 8,
      unit: 's',
      targets: [{ expr: 'max by (job, hospital) (nodejs_eventloop_lag_p99_seconds{job=~"$job"})', legend: '{{job}} {{hospital}}' }],
    },
    {
      kind: 'timeseries',
      title: 'GC time share',
      w: 8,
      unit: 'percentunit',
      targets: [{ expr: 'sum by (job) (rate(nodejs_gc_duration_seconds_sum{job=~"$job"}[$__rate_interval]))', legend: '{{job}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Open file descriptors (share of limit)',
      w: 12,
      unit: 'percentunit',
      targets: [{ expr: 'max by (job, instance) (process_open_fds{job=~"$job"} / process_max_fds{job=~"$job"})', legend: '{{job}} {{instance}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Replicas up per service',
      w: 12,
      targets: [{ expr: 'count by (job) (up{job=~"$job"} == 1)', legend: '{{job}}' }],
    },
    { kind: 'row', title: 'NATS JetStream and PostgreSQL' },
    { kind: 'timeseries', title: 'NATS connections', w: 6, targets: [{ expr: 'sum by (server_id) (gnatsd_varz_connections)', legend: '{{server_id}}' }] },
    { kind: 'timeseries', title: 'NATS memory', w: 6, unit: 'bytes', targets: [{ expr: 'sum by (server_id) (gnatsd_varz_mem)', legend: '{{server_id}}' }] },
    {
      kind: 'timeseries',
      title: 'JetStream storage per stream',
      w: 6,
      unit: 'bytes',
      targets: [{ expr: 'max by (stream_name) (jetstream_stream_total_bytes)', legend: '{{stream_name}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Database size',
      w: 6,
      unit: 'bytes',
      targets: [{ expr: 'max by (datname) (pg_database_size_bytes) or max by (datname) (cnpg_pg_database_size_bytes)', legend: '{{datname}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Database pool in use (share of max)',
      w: 12,
      unit: 'percentunit',
      targets: [{ expr: 'max by (job, hospital) (db_pool_connections_used{job=~"$job"} / db_pool_connections_max{job=~"$job"})', legend: '{{job}} {{hospital}}' }],
    },
    {
      kind: 'timeseries',
      title: 'Waiting for a database connection',
      w: 12,
      targets: [{ expr: 'sum by (job, hospital) (db_pool_acquires_pending{job=~"$job"})', legend: '{{job}} {{hospital}}' }],
    },
  ],
};

export const dashboards: Record<string, DashboardSpec> = { pipeline, inference, models, gateway, resources };
