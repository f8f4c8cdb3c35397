using System.ComponentModel.DataAnnotations;
using System.Net;

namespace MigrationPortal.Web.Hosting;

/// <summary>Bound from "Telemetry" (see docs/operations.md, "Telemetry").</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string Section = "Telemetry";

    /// <summary>Off: no meter, no tracer, no /metrics; the portal's instruments then cost one check each.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The service.name resource attribute on every span and metric.</summary>
    [Required]
    public string ServiceName { get; set; } = "migration-portal";

    /// <summary>
    /// The OTLP collector (for example http://otel-collector:4317). Empty: OpenTelemetry's own OTEL_EXPORTER_OTLP_ENDPOINT
    /// variable is used when set; with neither, nothing is exported by OTLP.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// Traces are recorded when an OTLP endpoint is configured, or when this is true (a test's in-memory exporter);
    /// otherwise no span is made at all, which keeps an unexported trace from costing anything.
    /// </summary>
    public bool? Tracing { get; set; }

    /// <summary>The Prometheus scrape endpoint's path; empty turns the endpoint off (metrics still go by OTLP if configured).</summary>
    public string? PrometheusPath { get; set; } = "/metrics";

    /// <summary>
    /// Networks (CIDR, e.g. "10.20.0.0/16") besides loopback allowed to scrape without signing in. Other callers get 404:
    /// the metrics carry no secrets, but connection names and volumes are not for everyone.
    /// </summary>
    public string[] PrometheusAllowedNetworks { get; set; } = [];

    /// <summary>How often the database-read gauges (approvals waiting, sync age) are read again.</summary>
    public TimeSpan GaugeRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in PrometheusAllowedNetworks)
            if (!IPNetwork.TryParse(network, out _))
                yield return new ValidationResult($"Telemetry:PrometheusAllowedNetworks: '{network}' is not a network in CIDR form (e.g. 10.20.0.0/16).", [nameof(PrometheusAllowedNetworks)]);
        if (GaugeRefreshInterval <= TimeSpan.Zero)
            yield return new ValidationResult("Telemetry:GaugeRefreshInterval must be positive.", [nameof(GaugeRefreshInterval)]);
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint) && !Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out _))
            yield return new ValidationResult($"Telemetry:OtlpEndpoint '{OtlpEndpoint}' is not an absolute URI.", [nameof(OtlpEndpoint)]);
        if (!string.IsNullOrEmpty(PrometheusPath) && !PrometheusPath.StartsWith('/'))
            yield return new ValidationResult("Telemetry:PrometheusPath must start with '/'.", [nameof(PrometheusPath)]);
    }
}
