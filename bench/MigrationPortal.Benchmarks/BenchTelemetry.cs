using System.Diagnostics;
using MigrationPortal.Application.Telemetry;
using MigrationPortal.Infrastructure.Connectors.Libvirt;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace MigrationPortal.Benchmarks;

/// <summary>
/// BENCH_TELEMETRY=1: the portal's telemetry on, as the web host turns it on (Hosting/Telemetry.cs), the same switch as the
/// vSphere bench: the portal's spans and meter, libvirt's client spans (LibvirtTelemetry), HttpClient and EF Core spans,
/// every span and metric handed to an exporter that drops them, so what is measured is recording and export, not a
/// collector's network. Off, nothing listens and the sources cost next to nothing.
/// </summary>
internal sealed class BenchTelemetry : IDisposable
{
    private readonly TracerProvider? _tracer;
    private readonly MeterProvider? _meters;

    private BenchTelemetry(bool on)
    {
        On = on;
        if (!on) return;
        _tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(PortalTelemetry.Name, LibvirtTelemetry.SourceName)
            .AddHttpClientInstrumentation().AddEntityFrameworkCoreInstrumentation()
            .AddProcessor(new BatchActivityExportProcessor(new DropSpans())).Build();
        _meters = Sdk.CreateMeterProviderBuilder().AddMeter(PortalTelemetry.Name).AddHttpClientInstrumentation()
            .AddReader(new PeriodicExportingMetricReader(new DropMetrics(), 5000)).Build();
    }

    public bool On { get; }

    public static BenchTelemetry FromEnvironment() => new(Environment.GetEnvironmentVariable("BENCH_TELEMETRY") == "1");

    public override string ToString() => On ? "on (BENCH_TELEMETRY=1)" : "off";

    public void Dispose()
    {
        _tracer?.Dispose();
        _meters?.Dispose();
    }

    /// <summary>An exporter that takes every span and keeps none.</summary>
    private sealed class DropSpans : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch) => ExportResult.Success;
    }

    /// <summary>An exporter that takes every metric reading and keeps none.</summary>
    private sealed class DropMetrics : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
