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
    private readonly DropSpans _spans = new();

    private BenchTelemetry(bool on)
    {
        On = on;
        if (!on) return;
        _tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(PortalTelemetry.Name, LibvirtTelemetry.SourceName)
            .AddHttpClientInstrumentation().AddEntityFrameworkCoreInstrumentation()
            .AddProcessor(new BatchActivityExportProcessor(_spans)).Build();
        _meters = Sdk.CreateMeterProviderBuilder().AddMeter(PortalTelemetry.Name).AddHttpClientInstrumentation()
            .AddReader(new PeriodicExportingMetricReader(new DropMetrics(), 5000)).Build();
    }

    public bool On { get; }

    public static BenchTelemetry FromEnvironment() => new(Environment.GetEnvironmentVariable("BENCH_TELEMETRY") == "1");

    public override string ToString() => On ? "on (BENCH_TELEMETRY=1)" : "off";

    /// <summary>Spans exported so far (after a flush): how much a run records, by source.</summary>
    public IReadOnlyDictionary<string, long> FlushAndCountSpans()
    {
        _tracer?.ForceFlush();
        return _spans.Counts;
    }

    public void Dispose()
    {
        _tracer?.Dispose();
        _meters?.Dispose();
    }

    /// <summary>An exporter that takes every span and keeps none.</summary>
    private sealed class DropSpans : BaseExporter<Activity>
    {
        private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

        public IReadOnlyDictionary<string, long> Counts
        {
            get { lock (_counts) return new Dictionary<string, long>(_counts); }
        }

        public override ExportResult Export(in Batch<Activity> batch)
        {
            lock (_counts)
                foreach (var span in batch)
                    _counts[span.Source.Name] = _counts.GetValueOrDefault(span.Source.Name) + 1;
            return ExportResult.Success;
        }
    }

    /// <summary>An exporter that takes every metric reading and keeps none.</summary>
    private sealed class DropMetrics : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
