using System.Net;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Telemetry;
using MigrationPortal.Infrastructure.Connectors.Libvirt;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MigrationPortal.Web.Hosting;

/// <summary>
/// OpenTelemetry for the portal: traces (the portal's own run and step spans, libvirt calls, ASP.NET Core, HttpClient
/// for vim25, EF Core) exported by OTLP when configured, and metrics (the portal's meter, ASP.NET Core, HttpClient)
/// scraped by Prometheus at /metrics and exported by OTLP when configured.
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddPortalTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var settings = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!settings.Enabled) return services;

        var otlp = !string.IsNullOrWhiteSpace(settings.OtlpEndpoint) || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        void Otlp(OpenTelemetry.Exporter.OtlpExporterOptions o)
        {
            // Without the setting, the exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_ variables) itself.
            if (!string.IsNullOrWhiteSpace(settings.OtlpEndpoint)) o.Endpoint = new Uri(settings.OtlpEndpoint);
        }

        var otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(settings.ServiceName));
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(PortalTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
            if (!string.IsNullOrEmpty(settings.PrometheusPath)) metrics.AddPrometheusExporter();
            if (otlp) metrics.AddOtlpExporter(Otlp);
        });
        if (settings.Tracing ?? otlp)
        {
            otel.WithTracing(tracing =>
            {
                tracing.AddSource(PortalTelemetry.Name, LibvirtTelemetry.SourceName)
                    // Scrapes every few seconds would bury the traces worth reading.
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => string.IsNullOrEmpty(settings.PrometheusPath) || !http.Request.Path.StartsWithSegments(settings.PrometheusPath))
                    .AddHttpClientInstrumentation()
                    .AddEntityFrameworkCoreInstrumentation();
                if (otlp) tracing.AddOtlpExporter(Otlp);
            });
        }

        services.AddScoped<PortalGauges>();
        services.AddHostedService<TelemetryGaugeRefresher>();
        return services;
    }

    /// <summary>
    /// The Prometheus scrape endpoint, anonymous from loopback and the networks in Telemetry:PrometheusAllowedNetworks;
    /// anyone else gets 404, as if there were no endpoint.
    /// </summary>
    public static WebApplication MapPortalTelemetry(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (!settings.Enabled || string.IsNullOrEmpty(settings.PrometheusPath)) return app;
        var networks = settings.PrometheusAllowedNetworks.Select(n => IPNetwork.Parse(n)).ToArray();
        app.MapPrometheusScrapingEndpoint(settings.PrometheusPath).Add(endpoint =>
        {
            var scrape = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = http =>
            {
                if (MayScrape(http.Connection.RemoteIpAddress, networks)) return scrape(http);
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            };
        });
        return app;
    }

    /// <summary>Loopback always; otherwise only an address inside one of the allowed networks (IPv4 mapped to IPv6 included).</summary>
    public static bool MayScrape(IPAddress? remote, IReadOnlyList<IPNetwork> networks)
    {
        // No address: an in-process test server, which only the test itself can call.
        if (remote is null) return true;
        if (IPAddress.IsLoopback(remote)) return true;
        var address = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        return networks.Any(n => n.Contains(address));
    }
}
